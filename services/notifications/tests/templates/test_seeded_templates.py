"""Every seeded template, rendered against its event type's sample in both languages, says what the event
carries: each expected value below comes from one field of the sample, so a template that dropped the field
(from the text or from the HTML) fails here."""

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.events.schemas import EVENT_TYPE_NAMES, latest
from notifications.templates import service
from notifications.templates.rendering import SAMPLE_APP_URL, render, sample_context
from notifications.templates.schemas import Language, Origin, TemplateChannel
from notifications.templates.seed import seeded_templates


@dataclass(frozen=True)
class Expected:
    """What the sample must show: in every part (``common``, plus the language's), in the subject, and
    the web app's page it links to (email only)."""

    subject: tuple[str, ...]  # the email's
    common: tuple[str, ...]
    vi: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    link: str | None = None
    inbox: tuple[str, ...] = ()  # what the inbox item's title and body show (default: the subject's values)

    def of(self, language: Language) -> tuple[str, ...]:
        return self.common + (self.vi if language is Language.VI else self.en)


NOMINEE = "Trần Thị Hương Giang"
RETURN_NOTE = "Thiếu báo cáo thành tích có xác nhận của thủ trưởng đơn vị."

EXPECTED: dict[str, Expected] = {
    "nomination.submitted": Expected(
        subject=(NOMINEE, "HT-THA"),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO", "42"),
        vi=("đã gửi hồ sơ đề nghị khen thưởng số 42",),
        en=("has submitted nomination no. 42",),
        link="/nominations/42",
        inbox=(NOMINEE, "HT-THA", "CSTD_CO_SO", "42"),
    ),
    "nomination.returned": Expected(
        subject=(NOMINEE, "42"),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO", RETURN_NOTE),
        link="/nominations/42",
        inbox=(NOMINEE, RETURN_NOTE, "42"),
    ),
    "nomination.screened": Expected(
        subject=(NOMINEE,),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO"),
        vi=("đáp ứng đầy đủ các tiêu chuẩn, điều kiện",),
        en=("meets every criterion",),
        link="/nominations/42/eligibility",
        inbox=("42",),
    ),
    "nomination.sent_to_council": Expected(
        subject=(NOMINEE,),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO"),
        link="/nominations/42",
        inbox=("HT-THA", "42"),
    ),
    "nomination.forwarded": Expected(
        subject=(NOMINEE,),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO"),
        vi=("Thủ tướng Chính phủ",),
        en=("the Prime Minister",),
        link="/nominations/42",
        inbox=("42",),
    ),
    "nomination.withdrawn": Expected(
        subject=(NOMINEE,),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO"),
        vi=("đợt xét khen thưởng số 7",),
        en=("award round no. 7",),
        link="/nominations/42",
        inbox=("HT-THA", "42"),
    ),
    "nomination.decided": Expected(
        subject=(NOMINEE,),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO"),
        vi=("Kết quả: được khen thưởng|<strong>được khen thưởng</strong>",),
        en=("Outcome: awarded|<strong>awarded</strong>",),
        link="/nominations/42",
        inbox=("42",),
    ),
    "disclosure.opened": Expected(
        subject=(NOMINEE,),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO"),
        vi=("03/12/2026", "17/12/2026", "sau khi Hội đồng Thi đua - Khen thưởng tỉnh đã xét"),
        en=("3 December 2026", "17 December 2026", "after the provincial Emulation and Commendation Council"),
        link="/public/disclosures",
        inbox=("HT-THA",),
    ),
    "objection.filed": Expected(
        subject=(NOMINEE,),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO"),
        vi=("ý kiến phản ánh (số 3)",),
        en=("objection (no. 3)",),
        link="/nominations/42/objections",
        inbox=("42",),
    ),
    "objection.resolved": Expected(
        subject=(NOMINEE,),
        common=(NOMINEE, "HT-THA", "CSTD_CO_SO", "Nội dung phản ánh không có căn cứ."),
        vi=("ý kiến phản ánh số 3", "hồ sơ tiếp tục được xét"),
        en=("objection no. 3", "dismissed"),
        link="/nominations/42",
        inbox=("42",),
    ),
    "council_session.opened": Expected(
        subject=("Phiên họp xét khen thưởng năm 2026",),
        common=("Phiên họp xét khen thưởng năm 2026", "Nguyễn Văn An, Lê Thị Bình", "12"),
        vi=("10/12/2026",),
        en=("10 December 2026",),
        link="/council-sessions/5",
        inbox=("Phiên họp xét khen thưởng năm 2026", "12"),
    ),
    "council_session.closed": Expected(
        subject=("Phiên họp xét khen thưởng năm 2026",),
        common=("Phiên họp xét khen thưởng năm 2026", "9/2", "10</strong>|10", "2"),
        vi=("10/12/2026",),
        en=("10 December 2026",),
        link="/council-sessions/5",
    ),
    "award.granted": Expected(
        subject=("2150/QĐ-UBND", NOMINEE),
        common=("2150/QĐ-UBND", NOMINEE, "HT-THA", "CSTD_CO_SO"),
        vi=("28/12/2026", "2.340.000 đồng", "số: 42|số:</td><td>42"),
        en=("28 December 2026", "VND 2,340,000", "no.: 42|no.:</td><td>42"),
        link="/awards/901",
        inbox=("2150/QĐ-UBND", NOMINEE, "CSTD_CO_SO"),
    ),
    "results.imported": Expected(
        subject=("HT-HSO", "2026Q3"),
        common=("HT-HSO", "2026Q3", "12", "3", "1"),
        vi=("tiếp nhận một phần",),
        en=("partly received",),
        link="/data-imports/3f1c2a9e-8b7d-4c55-9a0e-1d2f3a4b5c6d",
        inbox=("12", "3", "1"),
    ),
    "report.due": Expected(
        subject=("Tốc độ tăng trưởng GRDP", "2026Q4"),
        common=("Tốc độ tăng trưởng GRDP", "GRDP_GROWTH", "2026Q4", "HT-HSO"),
        vi=("11/01/2027", "3 ngày làm việc"),
        en=("11 January 2027", "3 working days"),
        link="/data-values?indicator=GRDP_GROWTH",
    ),
    "report.overdue": Expected(
        subject=("Tốc độ tăng trưởng GRDP", "2026Q3"),
        common=("Tốc độ tăng trưởng GRDP", "GRDP_GROWTH", "2026Q3", "HT-HSO"),
        vi=("12/10/2026", "2 ngày làm việc"),
        en=("12 October 2026", "2 working days"),
        link="/data-values?indicator=GRDP_GROWTH",
    ),
    "round.deadline_approaching": Expected(
        subject=("Khen thưởng tổng kết năm 2026",),
        common=("Khen thưởng tổng kết năm 2026",),
        vi=("15/12/2026", "nộp hồ sơ đề nghị khen thưởng", "3 ngày làm việc"),
        en=("15 December 2026", "submitting nominations", "3 working days"),
        link="/rounds/7",
    ),
    "digest.daily": Expected(
        subject=("1",),
        common=("Hồ sơ đã được thẩm định",),
        vi=("02/12/2026", "10:15 02/12/2026"),
        en=("2 December 2026", "10:15, 2 December 2026"),
        link="/inbox",
    ),
}

GREETING = {Language.VI: "Kính gửi Nguyễn Thị Lan,", Language.EN: "Dear Nguyen Thi Lan,"}
SIGNATURE = {
    Language.VI: "Ban Thi đua - Khen thưởng tỉnh Hà Tĩnh",
    Language.EN: "The Emulation and Commendation Board of Hà Tĩnh Province",
}


def _shows(part: str, wanted: str) -> bool:
    """``a|b``: either form (a value set in bold in the HTML, plain in the text)."""
    return any(option in part for option in wanted.split("|"))


def test_every_event_type_has_its_expectations() -> None:
    assert set(EXPECTED) == EVENT_TYPE_NAMES


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("channel", list(TemplateChannel))
@pytest.mark.parametrize("event_type", sorted(EVENT_TYPE_NAMES))
async def test_a_seeded_template_renders_its_sample(
    db_session: AsyncSession, event_type: str, channel: TemplateChannel, language: Language
) -> None:
    version = await service.current(db_session, event_type, channel.value, language.value)
    assert version is not None
    assert (version.language, version.origin) == (language.value, Origin.SEED.value)
    rendered = render(service.source(version), sample_context(latest(event_type), language.value))
    expected = EXPECTED[event_type]

    assert rendered.subject
    assert "\n" not in rendered.subject
    parts = [rendered.subject, rendered.text] + ([rendered.html] if rendered.html is not None else [])
    for part in parts:
        for leftover in ("None", "{{", "{%"):
            assert leftover not in part, part

    if channel is TemplateChannel.INBOX:
        assert rendered.html is None
        item = f"{rendered.subject}\n{rendered.text}"
        for wanted in expected.inbox or expected.subject:
            assert _shows(item, wanted), (wanted, item)
        return

    for wanted in expected.subject:
        assert wanted in rendered.subject, (wanted, rendered.subject)

    assert rendered.html is not None
    for part in (rendered.text, rendered.html):
        assert part.startswith(GREETING[language]) or part.startswith(f"<p>{GREETING[language]}</p>"), part
        assert SIGNATURE[language] in part
        for wanted in expected.of(language):
            assert _shows(part, wanted), (wanted, part)
    assert expected.link is not None
    assert f"{SAMPLE_APP_URL}{expected.link}" in rendered.text
    assert f'href="{SAMPLE_APP_URL}{expected.link}' in rendered.html


def test_the_vietnamese_letters_are_written_formally_with_their_diacritics() -> None:
    for template in seeded_templates():
        if template.key.language is not Language.VI:
            continue
        text = template.body.text_body
        assert "bạn" not in text.lower(), template.key  # the province writes to officials, not to friends
        if template.key.channel is TemplateChannel.EMAIL:
            assert text.lstrip().startswith(("Kính gửi", "{% set")), template.key
            assert "Trân trọng," in text, template.key
