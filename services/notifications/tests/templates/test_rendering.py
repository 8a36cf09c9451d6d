"""Rendering: the sandbox, strict names at save and at render time, escaping, the filters, the context."""

import datetime as dt
from typing import Any

import pytest

from notifications.events.schemas import latest
from notifications.templates import rendering
from notifications.templates.rendering import (
    Context,
    Source,
    TemplateInvalid,
    TemplateRenderFailed,
    check,
    make_context,
    render,
    sample_context,
)
from shared.clock import VIETNAM


def _context(event_type: str = "nomination.returned", language: str = "vi", **data: Any) -> Context:
    sample = latest(event_type)
    return sample_context(sample, language, {**sample.sample, **data} if data else None)


def _errors(problem: TemplateInvalid | TemplateRenderFailed) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = problem.extra["errors"]
    return errors


# --- filters -------------------------------------------------------------------------------------------


def test_dates_and_money_in_vietnamese_and_english() -> None:
    assert rendering.date_vi("2026-12-03") == "03/12/2026"
    assert rendering.date_vi(dt.date(2027, 1, 9)) == "09/01/2027"
    assert rendering.date_en("2026-12-03") == "3 December 2026"
    assert rendering.money_vi(2_340_000) == "2.340.000 đồng"
    assert rendering.money_en(2_340_000) == "VND 2,340,000"
    assert rendering.number_vi(1234) == "1.234"
    assert rendering.number_en(999) == "999"


def test_times_are_shown_in_vietnam() -> None:
    # 20:30 UTC on 31 December is 03:30 on 1 January in Hà Tĩnh: the date moves too.
    assert rendering.datetime_vi("2026-12-31T20:30:00+00:00") == "03:30 01/01/2027"
    assert rendering.datetime_en("2026-12-31T20:30:00Z") == "03:30, 1 January 2027"
    assert rendering.datetime_vi(dt.datetime(2026, 12, 2, 3, 15)) == "10:15 02/12/2026"  # naive is UTC
    assert rendering.date_vi("2026-12-31T20:30:00+00:00") == "01/01/2027"


@pytest.mark.parametrize(
    ("filter_", "value"),
    [
        (rendering.date_vi, "03/12/2026"),
        (rendering.date_vi, 42),
        (rendering.datetime_en, "yesterday"),
        (rendering.money_vi, "2340000"),
        (rendering.money_en, True),
        (rendering.number_vi, 1.5),
    ],
)
def test_a_filter_given_the_wrong_value_says_so(filter_: Any, value: object) -> None:
    with pytest.raises((TypeError, ValueError), match=filter_.__name__):
        filter_(value)


# --- escaping and shape ----------------------------------------------------------------------------------


def test_html_is_escaped_and_subject_and_text_are_not() -> None:
    context = _context(nominee_name="<script>alert('x')</script> & Co")
    source = Source(
        subject="{{ data.nominee_name }}",
        text_body="{{ data.nominee_name }}",
        html_body="<p>{{ data.nominee_name }}</p>",
    )
    rendered = render(source, context)
    assert rendered.html == "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co</p>"
    assert rendered.text == "<script>alert('x')</script> & Co"
    assert rendered.subject == "<script>alert('x')</script> & Co"


def test_a_subject_is_one_line_whatever_the_template_or_the_data_holds() -> None:
    context = _context(nominee_name="Trần Thị\r\nBcc: mallory@example.com")
    rendered = render(Source("Hồ sơ\n  {{ data.nominee_name }}\n", "x"), context)
    assert rendered.subject == "Hồ sơ Trần Thị Bcc: mallory@example.com"
    assert "\n" not in rendered.subject
    assert "\r" not in rendered.subject


def test_an_absent_optional_field_prints_as_nothing_and_tests_false() -> None:
    context = _context("nomination.submitted")  # the sample's note is null
    rendered = render(Source("[{{ data.note }}]", "{% if data.note %}note{% else %}none{% endif %}"), context)
    assert (rendered.subject, rendered.text) == ("[]", "none")


def test_a_field_named_like_a_dict_method_is_the_field() -> None:
    # digest.daily has `items`: data.items is the list, not dict.items.
    rendered = render(
        Source("{{ data.items | length }}", "{% for i in data.items %}{{ i.title }}{% endfor %}"),
        _context("digest.daily"),
    )
    assert (rendered.subject, rendered.text) == ("1", "Hồ sơ đã được thẩm định")


# --- the sandbox ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ data.__class__.__subclasses__() }}",
        "{{ event.title.__class__.__base__.__subclasses__() }}",
        "{{ app_url.format.__globals__ }}",
        "{{ 'x' * 100000 }}",
        "{{ 2 ** 100000 }}",
    ],
)
def test_the_sandbox_refuses_access_to_the_host(expression: str) -> None:
    with pytest.raises(TemplateRenderFailed) as failed:
        render(Source(expression, "x"), _context())
    assert _errors(failed.value)[0]["type"] == "template_unsafe"
    with pytest.raises(TemplateInvalid):
        check(Source(expression, "x"), "nomination.returned")


def test_the_sandbox_refuses_to_change_the_data() -> None:
    source = Source("x", "{{ data.members.append({'name': 'Mallory'}) }}{{ data.members | length }}")
    with pytest.raises(TemplateRenderFailed, match="unsafe"):
        render(source, _context("council_session.opened"))


def test_the_context_is_the_four_names_and_nothing_else() -> None:
    with pytest.raises(TemplateInvalid, match="'range' is undefined"):
        check(Source("{% for i in range(3) %}{{ i }}{% endfor %}", "x"), "nomination.returned")
    with pytest.raises(TemplateRenderFailed, match="'lipsum' is undefined"):
        render(Source("{{ lipsum() }}", "x"), _context())


# --- check at save time --------------------------------------------------------------------------------


def test_check_names_an_unknown_variable_and_its_line() -> None:
    source = Source("Hồ sơ", "Kính gửi {{ recipient.display_name }},\n\n{{ nominee }}")
    with pytest.raises(TemplateInvalid) as invalid:
        check(source, "nomination.returned")
    assert invalid.value.detail == (
        "text_body, line 3: 'nominee' is undefined (a template may read app_url, data, event, recipient)"
    )
    assert _errors(invalid.value) == [
        {
            "location": "body.text_body",
            "message": "'nominee' is undefined (a template may read app_url, data, event, recipient)",
            "type": "template_name",
            "line": 3,
        }
    ]


def test_check_names_a_syntax_error_and_its_line() -> None:
    with pytest.raises(TemplateInvalid) as invalid:
        check(Source("x", "a", "<p>\n{% if data.note %}\n{{ data.note }</p>"), "nomination.returned")
    assert (invalid.value.detail or "").startswith("html_body, line 3: ")
    assert _errors(invalid.value)[0]["type"] == "template_syntax"


def test_check_names_a_field_the_event_type_does_not_have_even_in_a_branch_the_sample_skips() -> None:
    source = Source("x", "{% if data.resubmitted %}\n{{ data.resubmited_on }}\n{% endif %}")
    with pytest.raises(TemplateInvalid) as invalid:
        check(source, "nomination.submitted")
    detail = invalid.value.detail or ""
    assert detail.startswith("text_body, line 2: data.resubmited_on is undefined")
    assert "nomination.submitted has no field 'resubmited_on'" in detail
    with pytest.raises(TemplateInvalid, match="no_such_field"):
        check(Source("{{ data['no_such_field'] }}", "x"), "nomination.submitted")


def test_check_renders_the_sample_so_a_nested_field_is_found_too() -> None:
    source = Source("x", "Thành viên:\n{% for m in data.members %}\n{{ m.full_name }}\n{% endfor %}")
    with pytest.raises(TemplateInvalid) as invalid:
        check(source, "council_session.opened")
    detail = invalid.value.detail or ""
    assert detail.startswith("text_body, line 3: no field 'full_name' (the fields here: name, subject)")
    assert "council_session.opened version 1" in detail


def test_check_accepts_a_template_that_reads_only_what_the_event_has() -> None:
    check(
        Source(
            "{{ event.title }}: {{ data.nominee_name }}",
            "Kính gửi {{ recipient.display_name }},\n{{ data.note }}\n"
            "{{ app_url }}/nominations/{{ data.nomination_id }}",
            "<p>{{ data.nominee_name }}</p>",
        ),
        "nomination.returned",
    )


def test_check_refuses_an_unknown_event_type() -> None:
    with pytest.raises(TemplateInvalid, match="not an event type"):
        check(Source("x", "y"), "nomination.nothing")


# --- render time ---------------------------------------------------------------------------------------


def test_a_field_missing_at_render_time_is_a_clear_error() -> None:
    # An event of a version this template was not checked against (here: unknown, so its data is as sent).
    context = make_context(
        event_id="0b8e2b0c-59a4-4b0e-9f3c-2f1b7a2d9c11",
        event_type="nomination.returned",
        event_version=2,
        subject="nomination/42",
        occurred_at=dt.datetime(2026, 12, 2, 3, 15, tzinfo=dt.UTC),
        data={"nomination_id": 42},
        recipient={"sub": "officer-1", "display_name": "Lê Văn Cường", "language": "vi"},
        app_url="https://example.test",
    )
    with pytest.raises(TemplateRenderFailed) as failed:
        render(Source("Hồ sơ số {{ data.nomination_id }}", "Kính gửi,\n{{ data.nominee_name }}"), context)
    assert (
        failed.value.detail == "text_body, line 2: no field 'nominee_name' (the fields here: nomination_id)"
    )
    assert _errors(failed.value)[0] == {
        "location": "body.text_body",
        "message": "no field 'nominee_name' (the fields here: nomination_id)",
        "type": "template_render",
        "line": 2,
    }


def test_the_context_reads_the_data_as_its_schema_does() -> None:
    sample = latest("nomination.submitted").sample
    data = {key: value for key, value in sample.items() if key != "note"}  # an optional field left out
    context = make_context(
        event_id="0b8e2b0c-59a4-4b0e-9f3c-2f1b7a2d9c11",
        event_type="nomination.submitted",
        event_version=1,
        subject="nomination/42",
        occurred_at=dt.datetime(2026, 12, 2, 10, 15, tzinfo=VIETNAM),
        data=data,
        recipient={"sub": "officer-1", "display_name": "Lê Văn Cường", "language": "en"},
        app_url="https://example.test/",
    )
    assert context["data"]["note"] is None
    assert context["event"] == {
        "id": "0b8e2b0c-59a4-4b0e-9f3c-2f1b7a2d9c11",
        "type": "nomination.submitted",
        "subject": "nomination/42",
        "occurred_at": "2026-12-02T03:15:00+00:00",
        "title": "Nomination submitted",
    }
    assert context["app_url"] == "https://example.test"
    assert set(context) == {"data", "event", "recipient", "app_url"}


def test_data_that_does_not_match_its_version_is_a_render_failure() -> None:
    with pytest.raises(TemplateRenderFailed, match=r"does not match nomination\.returned version 1"):
        make_context(
            event_id="0b8e2b0c-59a4-4b0e-9f3c-2f1b7a2d9c11",
            event_type="nomination.returned",
            event_version=1,
            subject="nomination/42",
            occurred_at=dt.datetime(2026, 12, 2, 3, 15, tzinfo=dt.UTC),
            data={"nomination_id": "forty-two"},
            recipient={"sub": "officer-1", "display_name": "Lê Văn Cường", "language": "vi"},
            app_url="https://example.test",
        )


def test_a_version_is_compiled_once_by_its_id() -> None:
    first = render(Source("v1 {{ data.nomination_id }}", "a", id=2_000_000_001), _context())
    # The same id is the same version (versions are never edited): what was compiled for it is reused.
    again = render(Source("v2 {{ data.nomination_id }}", "b", id=2_000_000_001), _context())
    draft = render(Source("v2 {{ data.nomination_id }}", "b"), _context())
    assert (first.subject, again.subject, draft.subject) == ("v1 42", "v1 42", "v2 42")
    assert len(rendering._cache) <= rendering.CACHE_SIZE


def test_one_event_for_many_people_renders_what_names_nobody_once() -> None:
    source = Source(
        subject="Hồ sơ {{ data.nomination_id }}",
        text_body="Kính gửi {{ recipient.display_name }}, hồ sơ {{ data.nomination_id }}.",
        html_body="<p>{% if recipient.language == 'vi' %}Kính gửi{% endif %} {{ data.nominee_name }}</p>",
        id=2_000_000_002,
    )
    shared: dict[str, str] = {}
    lan, hung = _context(), _context()
    hung["recipient"] = {**hung["recipient"], "display_name": "Trần Văn Hùng"}
    first, second = render(source, lan, shared), render(source, hung, shared)
    assert set(shared) == {"subject"}  # the text and the HTML read `recipient`, even only in a condition
    assert (first.subject, second.subject) == ("Hồ sơ 42", "Hồ sơ 42")
    assert (first.text, second.text) == (
        "Kính gửi Nguyễn Thị Lan, hồ sơ 42.",
        "Kính gửi Trần Văn Hùng, hồ sơ 42.",
    )


def test_a_subject_that_names_the_recipient_is_rendered_for_each() -> None:
    source = Source("Gửi {{ recipient.display_name }}", "x", id=2_000_000_003)
    shared: dict[str, str] = {}
    hung = _context()
    hung["recipient"] = {**hung["recipient"], "display_name": "Trần Văn Hùng"}
    subjects = [render(source, context, shared).subject for context in (_context(), hung)]
    assert subjects == ["Gửi Nguyễn Thị Lan", "Gửi Trần Văn Hùng"]
    assert shared == {"text_body": "x"}
