"""The events this service accepts: an envelope, and per type and version the schema of its ``data``.

A producer that changes what an event carries publishes a new version; both are accepted while its relay
may still hold the old one. Schemas forbid unknown fields, so a producer drifting from the contract is a
422 at intake (and an alarm at its relay), never a template rendering half a message. The contract is
published in docs/events.md. Each type has a sample, used to check templates when they are saved and in
the tests of every seeded template.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Subject = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(max_length=5000)]


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventIn(BaseModel):
    """The envelope every producer sends (docs/events.md)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    type: Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$", max_length=100)]
    version: int = Field(ge=1, le=100)
    occurred_at: AwareDatetime
    subject: Subject
    producer: Code
    data: dict[str, Any]


class NominationData(EventData):
    nomination_id: int
    round_id: int
    award_type: Code
    nominee_name: Name
    nominating_org_unit: Code
    status: Code
    note: Note | None = None


class NominationSubmitted(NominationData):
    resubmitted: bool


class NominationScreened(NominationData):
    failed_rules: list[Code]


class NominationForwarded(NominationData):
    to_authority: Code | None = None


class NominationDecided(NominationData):
    outcome: Literal["awarded", "rejected"]


class DisclosureOpened(NominationData):
    stage: Literal["before_council", "after_council"]
    opens_on: dt.date
    closes_on: dt.date


class ObjectionFiled(EventData):
    # Never the objector: their name and contact stay with the secretariat in the nominations service.
    objection_id: int
    nomination_id: int
    round_id: int
    award_type: Code
    nominee_name: Name
    nominating_org_unit: Code


class ObjectionResolved(ObjectionFiled):
    resolution: Literal["dismissed", "upheld"]
    note: Note | None = None


class Member(EventData):
    subject: Subject
    name: Name


class CouncilSessionOpened(EventData):
    session_id: int
    round_id: int
    name: Name
    held_on: dt.date
    members: list[Member]
    agenda_size: int


class CouncilSessionClosed(EventData):
    # Tallies only: nothing about who voted how ever leaves the nominations service.
    session_id: int
    round_id: int
    name: Name
    held_on: dt.date
    members: list[Member]
    ballots_cast: int
    passed: int
    failed: int


class AwardGranted(EventData):
    award_id: int
    decision_id: int
    decision_number: Name
    decision_date: dt.date
    award_type: Code
    recipient_name: Name
    org_unit: Code
    nomination_id: int | None = None
    bonus_vnd: int


class ResultsImported(EventData):
    import_id: Subject
    reporter: Subject
    org_units: list[Code]
    periods: list[Code]
    status: Literal["SUCCESS", "WARNING", "ERROR"]
    imported: int
    updated: int
    ignored: int
    deleted: int
    conflicts: int


class ReportDue(EventData):
    org_unit: Code
    indicator: Code
    indicator_name: Name
    period: Code
    due_on: dt.date
    working_days_left: int


class ReportOverdue(EventData):
    org_unit: Code
    indicator: Code
    indicator_name: Name
    period: Code
    due_on: dt.date
    working_days_late: int


class DeadlineApproaching(EventData):
    round_id: int
    round_name: Name
    deadline: Literal["submission", "resubmission", "screening", "council", "decision"]
    due_on: dt.date
    working_days_left: int


class DigestItem(EventData):
    event_type: str
    subject: Subject
    title: str
    occurred_at: dt.datetime


class DailyDigest(EventData):
    """Written by this service itself: one per person and day, the non-critical events they chose to batch."""

    recipient: Subject
    day: dt.date
    items: list[DigestItem]


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    version: int
    schema: type[EventData]
    title_vi: str
    title_en: str
    sample: dict[str, Any]
    # A critical event reaches its recipients on every channel its routing names, whatever they prefer.
    critical: bool = False


def _nomination(**extra: Any) -> dict[str, Any]:
    return {
        "nomination_id": 42,
        "round_id": 7,
        "award_type": "CSTD_CO_SO",
        "nominee_name": "Trần Thị Hương Giang",
        "nominating_org_unit": "HT-THA",
        "status": "submitted",
        "note": None,
        **extra,
    }


_MEMBERS = [
    {"subject": "council-1", "name": "Nguyễn Văn An"},
    {"subject": "council-2", "name": "Lê Thị Bình"},
]

EVENT_TYPES: dict[tuple[str, int], EventType] = {
    (t.name, t.version): t
    for t in (
        EventType(
            "nomination.submitted",
            1,
            NominationSubmitted,
            "Hồ sơ đề nghị khen thưởng đã được gửi",
            "Nomination submitted",
            _nomination(resubmitted=False),
        ),
        EventType(
            "nomination.returned",
            1,
            NominationData,
            "Hồ sơ đề nghị khen thưởng bị trả lại",
            "Nomination returned",
            _nomination(
                status="returned", note="Thiếu báo cáo thành tích có xác nhận của thủ trưởng đơn vị."
            ),
            critical=True,
        ),
        EventType(
            "nomination.screened",
            1,
            NominationScreened,
            "Hồ sơ đã được thẩm định",
            "Nomination screened",
            _nomination(status="screening", failed_rules=[]),
        ),
        EventType(
            "nomination.sent_to_council",
            1,
            NominationData,
            "Hồ sơ đã được trình Hội đồng Thi đua - Khen thưởng",
            "Nomination sent to the council",
            _nomination(status="council"),
        ),
        EventType(
            "nomination.forwarded",
            1,
            NominationForwarded,
            "Hồ sơ đã được trình cấp trên",
            "Nomination forwarded",
            _nomination(status="forwarded", to_authority="prime_minister"),
        ),
        EventType(
            "nomination.withdrawn",
            1,
            NominationData,
            "Hồ sơ đề nghị khen thưởng đã được rút",
            "Nomination withdrawn",
            _nomination(status="withdrawn"),
        ),
        EventType(
            "nomination.decided",
            1,
            NominationDecided,
            "Đã có kết quả xét khen thưởng",
            "Nomination decided",
            _nomination(status="decided", outcome="awarded"),
            critical=True,
        ),
        EventType(
            "disclosure.opened",
            1,
            DisclosureOpened,
            "Công khai danh sách đề nghị khen thưởng",
            "Disclosure opened",
            _nomination(
                status="disclosure", stage="after_council", opens_on="2026-12-03", closes_on="2026-12-17"
            ),
        ),
        EventType(
            "objection.filed",
            1,
            ObjectionFiled,
            "Có ý kiến phản ánh về hồ sơ đang công khai",
            "Objection filed",
            {
                "objection_id": 3,
                "nomination_id": 42,
                "round_id": 7,
                "award_type": "CSTD_CO_SO",
                "nominee_name": "Trần Thị Hương Giang",
                "nominating_org_unit": "HT-THA",
            },
        ),
        EventType(
            "objection.resolved",
            1,
            ObjectionResolved,
            "Ý kiến phản ánh đã được xử lý",
            "Objection resolved",
            {
                "objection_id": 3,
                "nomination_id": 42,
                "round_id": 7,
                "award_type": "CSTD_CO_SO",
                "nominee_name": "Trần Thị Hương Giang",
                "nominating_org_unit": "HT-THA",
                "resolution": "dismissed",
                "note": "Nội dung phản ánh không có căn cứ.",
            },
        ),
        EventType(
            "council_session.opened",
            1,
            CouncilSessionOpened,
            "Mời họp Hội đồng Thi đua - Khen thưởng",
            "Council session opened",
            {
                "session_id": 5,
                "round_id": 7,
                "name": "Phiên họp xét khen thưởng năm 2026",
                "held_on": "2026-12-10",
                "members": _MEMBERS,
                "agenda_size": 12,
            },
            critical=True,
        ),
        EventType(
            "council_session.closed",
            1,
            CouncilSessionClosed,
            "Phiên họp Hội đồng Thi đua - Khen thưởng đã kết thúc",
            "Council session closed",
            {
                "session_id": 5,
                "round_id": 7,
                "name": "Phiên họp xét khen thưởng năm 2026",
                "held_on": "2026-12-10",
                "members": _MEMBERS,
                "ballots_cast": 9,
                "passed": 10,
                "failed": 2,
            },
        ),
        EventType(
            "award.granted",
            1,
            AwardGranted,
            "Quyết định khen thưởng",
            "Award granted",
            {
                "award_id": 901,
                "decision_id": 31,
                "decision_number": "2150/QĐ-UBND",
                "decision_date": "2026-12-28",
                "award_type": "CSTD_CO_SO",
                "recipient_name": "Trần Thị Hương Giang",
                "org_unit": "HT-THA",
                "nomination_id": 42,
                "bonus_vnd": 2_340_000,
            },
        ),
        EventType(
            "results.imported",
            1,
            ResultsImported,
            "Đã nhận số liệu báo cáo",
            "Results imported",
            {
                "import_id": "3f1c2a9e-8b7d-4c55-9a0e-1d2f3a4b5c6d",
                "reporter": "reporter-HT-HSO",
                "org_units": ["HT-HSO"],
                "periods": ["2026Q3"],
                "status": "WARNING",
                "imported": 12,
                "updated": 3,
                "ignored": 1,
                "deleted": 0,
                "conflicts": 1,
            },
        ),
        EventType(
            "report.due",
            1,
            ReportDue,
            "Sắp đến hạn gửi báo cáo số liệu",
            "Report due",
            {
                "org_unit": "HT-HSO",
                "indicator": "GRDP_GROWTH",
                "indicator_name": "Tốc độ tăng trưởng GRDP",
                "period": "2026Q4",
                "due_on": "2027-01-11",
                "working_days_left": 3,
            },
        ),
        EventType(
            "report.overdue",
            1,
            ReportOverdue,
            "Quá hạn gửi báo cáo số liệu",
            "Report overdue",
            {
                "org_unit": "HT-HSO",
                "indicator": "GRDP_GROWTH",
                "indicator_name": "Tốc độ tăng trưởng GRDP",
                "period": "2026Q3",
                "due_on": "2026-10-12",
                "working_days_late": 2,
            },
            critical=True,
        ),
        EventType(
            "round.deadline_approaching",
            1,
            DeadlineApproaching,
            "Sắp hết hạn của đợt xét khen thưởng",
            "Round deadline approaching",
            {
                "round_id": 7,
                "round_name": "Khen thưởng tổng kết năm 2026",
                "deadline": "submission",
                "due_on": "2026-12-15",
                "working_days_left": 3,
            },
        ),
        EventType(
            "digest.daily",
            1,
            DailyDigest,
            "Bản tin thi đua, khen thưởng trong ngày",
            "Daily digest",
            {
                "recipient": "officer-HT-THA",
                "day": "2026-12-02",
                "items": [
                    {
                        "event_type": "nomination.screened",
                        "subject": "nomination/42",
                        "title": "Hồ sơ đã được thẩm định",
                        "occurred_at": "2026-12-02T03:15:00+00:00",
                    }
                ],
            },
        ),
    )
}

# The types a person may receive (every type; the digest is this service's own).
EVENT_TYPE_NAMES = frozenset(name for name, _ in EVENT_TYPES)
# Written only by this service (reminders, digests): a producer sending them is refused.
OWN_EVENT_TYPES = frozenset({"report.due", "report.overdue", "round.deadline_approaching", "digest.daily"})


def latest(name: str) -> EventType:
    return max((t for (n, _), t in EVENT_TYPES.items() if n == name), key=lambda t: t.version)
