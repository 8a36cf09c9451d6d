"""The templates API: current versions, history, saving new versions with If-Match, preview, permissions."""

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders
from notifications.events.schemas import EVENT_TYPE_NAMES, latest
from notifications.templates import service
from notifications.templates.rendering import render, sample_context

KEY = "nomination.returned.email.vi"
URL = f"/v1/templates/{KEY}"
BODY = {
    "subject": "Hồ sơ số {{ data.nomination_id }} bị trả lại",
    "text_body": "Kính gửi {{ recipient.display_name }},\n\nLý do: {{ data.note }}",
    "html_body": "<p>Kính gửi {{ recipient.display_name }},</p><p>Lý do: {{ data.note }}</p>",
}


async def _save(
    client: httpx.AsyncClient, auth: AuthHeaders, body: dict[str, Any], etag: str
) -> httpx.Response:
    return await client.put(URL, json=body, headers=auth("secretariat") | {"If-Match": etag})


async def test_the_list_holds_the_current_version_of_every_key(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    one_type = await client.get(
        "/v1/templates", params={"event_type": "nomination.returned"}, headers=auth("admin")
    )
    assert one_type.status_code == 200, one_type.text
    page = one_type.json()
    assert [item["key"] for item in page["items"]] == [
        "nomination.returned.email.en",
        "nomination.returned.email.vi",
        "nomination.returned.inbox.en",
        "nomination.returned.inbox.vi",
    ]
    assert page["next_cursor"] is None

    keys: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"channel": "inbox", "language": "vi", "limit": 5}
        if cursor is not None:
            params["cursor"] = cursor
        response = (await client.get("/v1/templates", params=params, headers=auth("secretariat"))).json()
        keys += [item["key"] for item in response["items"]]
        if (cursor := response["next_cursor"]) is None:
            break
    assert keys == sorted(f"{name}.inbox.vi" for name in EVENT_TYPE_NAMES)


async def test_one_template_answers_with_its_version_as_etag(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    response = await client.get(URL, headers=auth("secretariat"))
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert (body["key"], body["version"], body["origin"], body["channel"]) == (KEY, 1, "seed", "email")
    assert body["html_body"].startswith("<p>Kính gửi")
    assert (await client.get(URL, params={"version": 1}, headers=auth("admin"))).json()["id"] == body["id"]
    assert_problem(
        await client.get(URL, params={"version": 9}, headers=auth("admin")), 404, "template-not-found"
    )


@pytest.mark.parametrize(
    "key",
    [
        "nomination.nothing.email.vi",  # no such event type
        "nomination.returned.webhook.vi",  # a channel without templates
        "nomination.returned.email.fr",  # a language without templates
        "returned",
        "nomination.returned.email",
    ],
)
async def test_an_unknown_key_is_404(client: httpx.AsyncClient, auth: AuthHeaders, key: str) -> None:
    admin = auth("admin")
    assert_problem(await client.get(f"/v1/templates/{key}", headers=admin), 404, "template-not-found")
    put = await client.put(f"/v1/templates/{key}", json=BODY, headers=admin | {"If-Match": '"1"'})
    assert_problem(put, 404, "template-not-found")
    assert_problem(
        await client.get(f"/v1/templates/{key}/versions", headers=admin), 404, "template-not-found"
    )
    assert_problem(
        await client.post(f"/v1/templates/{key}/preview", json={}, headers=admin), 404, "template-not-found"
    )


async def test_a_save_adds_a_version_and_needs_the_current_etag(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    assert_problem(
        await client.put(URL, json=BODY, headers=auth("secretariat")), 428, "precondition-required"
    )
    stale = await _save(client, auth, BODY, '"7"')
    assert_problem(stale, 412, "version-mismatch")
    assert stale.headers["ETag"] == '"1"'

    saved = await _save(client, auth, BODY, '"1"')
    assert saved.status_code == 200, saved.text
    assert saved.headers["ETag"] == '"2"'
    body = saved.json()
    assert (body["version"], body["origin"], body["subject"]) == (2, "api", BODY["subject"])
    assert body["created_by"]

    # The same body again is not a new version; the old ETag is stale now.
    again = await _save(client, auth, BODY, '"2"')
    assert (again.status_code, again.headers["ETag"], again.json()["id"]) == (200, '"2"', body["id"])
    assert_problem(await _save(client, auth, BODY | {"subject": "Khác"}, '"1"'), 412, "version-mismatch")

    history = (await client.get(f"{URL}/versions", headers=auth("admin"))).json()
    assert [(item["version"], item["origin"]) for item in history["items"]] == [(2, "api"), (1, "seed")]
    first_page = (await client.get(f"{URL}/versions", params={"limit": 1}, headers=auth("admin"))).json()
    rest = await client.get(
        f"{URL}/versions", params={"cursor": first_page["next_cursor"]}, headers=auth("admin")
    )
    assert [item["version"] for item in rest.json()["items"]] == [1]
    assert (await client.get(URL, headers=auth("admin"))).json()["version"] == 2


async def test_the_first_version_of_a_key_is_created_without_if_match(
    client: httpx.AsyncClient, auth: AuthHeaders, db_session: AsyncSession
) -> None:
    await db_session.execute(
        text("DELETE FROM notifications.template_versions WHERE event_type = 'report.due'")
    )
    await db_session.commit()
    url = "/v1/templates/report.due.inbox.en"
    assert_problem(await client.get(url, headers=auth("admin")), 404, "template-not-found")
    inbox = {
        "subject": "Report due: {{ data.indicator_name }}",
        "text_body": "Due {{ data.due_on | date_en }}.",
    }
    assert_problem(
        await client.put(url, json=inbox, headers=auth("admin") | {"If-Match": '"1"'}),
        412,
        "version-mismatch",
    )
    created = await client.put(url, json=inbox, headers=auth("admin"))
    assert created.status_code == 201, created.text
    assert (created.headers["ETag"], created.headers["Location"]) == ('"1"', f"/api{url}")


@pytest.mark.parametrize(
    ("change", "location", "says"),
    [
        ({"text_body": "Kính gửi {{ nguoi_nhan }}"}, "body.text_body", "line 1: 'nguoi_nhan' is undefined"),
        ({"html_body": "<p>\n{% if data.note %}{{ data.note }}</p>"}, "body.html_body", "line 2:"),
        ({"subject": "Hồ sơ {{ data.no_such_field }}"}, "body.subject", "data.no_such_field is undefined"),
        ({"text_body": "{{ ''.__class__.__mro__ }}"}, "body.text_body", "unsafe"),
        (
            {"text_body": "{{ data.nominee_name | money_vi }}"},
            "body.text_body",
            "money_vi takes a whole number",
        ),
        ({"html_body": None}, "body.html_body", "HTML body"),
    ],
)
async def test_a_template_that_could_fail_is_refused_at_save_time(
    client: httpx.AsyncClient, auth: AuthHeaders, change: dict[str, Any], location: str, says: str
) -> None:
    problem = assert_problem(await _save(client, auth, BODY | change, '"1"'), 422, "template-invalid")
    assert says in problem["detail"], problem
    assert problem["errors"][0]["location"] == location
    assert (await client.get(URL, headers=auth("admin"))).json()["version"] == 1


async def test_an_inbox_item_has_no_html(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    url = "/v1/templates/nomination.returned.inbox.vi"
    response = await client.put(url, json=BODY, headers=auth("admin") | {"If-Match": '"1"'})
    assert assert_problem(response, 422, "template-invalid")["errors"][0]["location"] == "body.html_body"


async def test_a_queued_message_keeps_the_version_it_was_rendered_with(
    client: httpx.AsyncClient, auth: AuthHeaders, db_session: AsyncSession
) -> None:
    queued = await service.current(db_session, "nomination.returned", "email", "vi")
    assert queued is not None
    context = sample_context(latest("nomination.returned"), "vi")
    before = render(service.source(queued), context)
    assert (await _save(client, auth, BODY, '"1"')).status_code == 200

    db_session.expunge_all()
    old = await service.get_version(db_session, queued.id)
    assert render(service.source(old), context) == before
    assert before.text.startswith("Kính gửi Nguyễn Thị Lan,\n\nBan Thi đua")
    new = await service.current(db_session, "nomination.returned", "email", "vi")
    assert new is not None
    assert (new.version, new.id != queued.id) == (2, True)
    assert render(service.source(new), context).text.startswith(
        "Kính gửi Nguyễn Thị Lan,\n\nLý do: Thiếu báo cáo"
    )


async def test_a_language_without_a_template_falls_back_to_vietnamese(db_session: AsyncSession) -> None:
    await db_session.execute(
        text(
            "DELETE FROM notifications.template_versions WHERE event_type = 'report.due' AND language = 'en'"
        )
    )
    fallback = await service.current(db_session, "report.due", "email", "en")
    assert fallback is not None
    assert (fallback.language, fallback.channel) == ("vi", "email")
    await db_session.execute(
        text("DELETE FROM notifications.template_versions WHERE event_type = 'report.due'")
    )
    assert await service.current(db_session, "report.due", "email", "en") is None


async def test_preview_renders_the_stored_version_or_a_draft(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    stored = await client.post(f"{URL}/preview", json={}, headers=auth("secretariat"))
    assert stored.status_code == 200, stored.text
    body = stored.json()
    assert body["template_version"] == 1
    assert body["subject"] == "Hồ sơ đề nghị khen thưởng bị trả lại: Trần Thị Hương Giang (hồ sơ số 42)"
    assert "Thiếu báo cáo thành tích" in body["text"]
    assert body["html"].startswith("<p>Kính gửi Nguyễn Thị Lan,</p>")

    data = latest("nomination.returned").sample | {"nominee_name": "<script>alert(1)</script>", "note": None}
    draft = await client.post(f"{URL}/preview", json={"template": BODY, "data": data}, headers=auth("admin"))
    assert draft.status_code == 200, draft.text
    assert draft.json() == {
        "subject": "Hồ sơ số 42 bị trả lại",
        "text": "Kính gửi Nguyễn Thị Lan,\n\nLý do:",
        "html": "<p>Kính gửi Nguyễn Thị Lan,</p><p>Lý do: </p>",
        "template_version": None,
    }
    escaped = await client.post(
        f"{URL}/preview",
        json={"template": BODY | {"html_body": "<b>{{ data.nominee_name }}</b>"}, "data": data},
        headers=auth("admin"),
    )
    assert escaped.json()["html"] == "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>"


async def test_preview_refuses_a_bad_draft_and_data_that_is_not_the_events(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    bad = await client.post(
        f"{URL}/preview", json={"template": BODY | {"subject": "{{ data.nope }}"}}, headers=auth("admin")
    )
    assert_problem(bad, 422, "template-invalid")
    data = {
        key: value for key, value in latest("nomination.returned").sample.items() if key != "nominee_name"
    }
    problem = assert_problem(
        await client.post(f"{URL}/preview", json={"data": data}, headers=auth("admin")),
        422,
        "validation-error",
    )
    assert problem["errors"][0]["location"] == "body.data.nominee_name"


async def test_only_the_secretariat_and_admins_read_or_edit_templates(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    calls = [
        ("GET", "/v1/templates", None),
        ("GET", URL, None),
        ("GET", f"{URL}/versions", None),
        ("PUT", URL, BODY),
        ("POST", f"{URL}/preview", {}),
    ]
    for method, url, body in calls:
        for role in ("viewer", "unit_officer", "council_member", "reporter", "authority"):
            response = await client.request(method, url, json=body, headers=auth(role) | {"If-Match": '"1"'})
            assert_problem(response, 403, "missing-role")
        assert_problem(await client.request(method, url, json=body), 401, "missing-token")
