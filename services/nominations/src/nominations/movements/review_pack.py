"""A movement's review pack (hồ sơ sơ kết, tổng kết): its targets' progress on the review's day (read from the
targets service), its exemplars, its awards and the units' reports, as one Excel workbook or one printable
HTML page (Kế hoạch thi đua 2021-2025, V.1: sơ kết 11/6/2023, tổng kết with the 8th Patriotic Emulation
Congress)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

import jinja2
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.exemplars import service as exemplars
from nominations.movements import service as movements
from nominations.movements.models import Milestone, Movement
from nominations.nominations import service as nominations
from nominations.org_scope import ScopeCheck
from nominations.registry import service as registry
from nominations.rounds import service as rounds
from shared import clock
from shared.spreadsheets import Column, Workbook, build_workbook, number_format

STAGE_LABELS = {
    "detected": "Phát hiện",
    "nurtured": "Bồi dưỡng",
    "summarised": "Tổng kết",
    "replicated": "Nhân rộng",
}
STATUS_LABELS = {
    "achieved": "Đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ không đạt",
    "off_track": "Chậm tiến độ",
    "no_data": "Chưa có số liệu",
}
MILESTONE_LABELS = {"mid_term": "Sơ kết", "final": "Tổng kết"}


@dataclass
class ReviewPack:
    movement: Movement
    milestone: Milestone
    made_at: dt.datetime
    targets: list[dict[str, Any]] = field(default_factory=list)
    exemplars: list[dict[str, Any]] = field(default_factory=list)
    awards: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    registered_units: int = 0

    @property
    def title(self) -> str:
        return f"{MILESTONE_LABELS[self.milestone.kind]} phong trào “{self.movement.name}”"

    @property
    def filename(self) -> str:
        kind = MILESTONE_LABELS[self.milestone.kind]
        return f"{kind} {self.movement.code} {self.milestone.review_on:%Y-%m-%d}"


async def _targets(
    scope: ScopeCheck, session: AsyncSession, movement: Movement, day: dt.date
) -> list[dict[str, Any]]:
    await movements.resolve_links(session, scope.targets, scope.token, [movement])
    links = await movements.link_rows(session, movement)
    by_unit: dict[tuple[str, str], set[int]] = defaultdict(set)
    for link in links:
        if link.target_id is not None:
            by_unit[(link.plan, link.org_unit)].add(link.target_id)
    rows: list[dict[str, Any]] = []
    for (plan, org_unit), ids in sorted(by_unit.items()):
        for item in await scope.targets.progress_rows(scope.token, org_unit=org_unit, at=day, plan=plan):
            if item["target_id"] in ids:
                rows.append(
                    {
                        "target_id": item["target_id"],
                        "indicator": item["indicator"]["name"],
                        "unit": item["indicator"]["unit"],
                        "org_unit": org_unit,
                        "target": item["source_text"],
                        "target_value": item["target_value"],
                        "latest_value": item["latest_value"],
                        "latest_period": item["latest_period"],
                        "percent": item["percent"],
                        "status": STATUS_LABELS.get(item["status"], item["status"]),
                    }
                )
    return rows


async def build(session: AsyncSession, scope: ScopeCheck, movement: Movement, kind: str) -> ReviewPack:
    milestone = await movements.milestone_of(session, movement, kind)
    day = milestone.review_on
    pack = ReviewPack(movement, milestone, clock.now())
    pack.targets = await _targets(scope, session, movement, day)
    visible = await scope.visible_units(day)
    nominated: list[int] = []
    for exemplar, places, nomination_ids in await exemplars.of_movement(session, movement.id):
        if exemplar.detected_on > day or (visible is not None and exemplar.org_unit not in visible):
            continue
        nominated.extend(nomination_ids)
        pack.exemplars.append(
            {
                "name": exemplar.name,
                "kind": exemplar.kind,
                "org_unit": exemplar.org_unit_name,
                "stage": STAGE_LABELS[exemplar.stage],
                "detected_on": exemplar.detected_on,
                "replicated_in": ", ".join(
                    place.org_unit_name for place in places if place.replicated_on <= day
                ),
                "nominations": len(nomination_ids),
            }
        )
    round_ids = [round_.id for round_ in await rounds.of_movement(session, movement.code, day)]
    awarded = set(await nominations.awarded_ids(session, round_ids)) | set(nominated)
    for award in await registry.awards_of_nominations(session, sorted(awarded)):
        if award.decision_date <= day:
            pack.awards.append(
                {
                    "recipient": award.recipient_name,
                    "org_unit": award.org_unit_name,
                    "award": award.award_name,
                    "decision": f"{award.decision_number} ngày {award.decision_date:%d/%m/%Y}",
                    "decision_date": award.decision_date,
                }
            )
    pack.reports = [
        {"org_unit": report.org_unit, "year": report.year, "summary": report.summary}
        for report in await movements.reports_until(session, movement, day.year)
    ]
    pack.registered_units = await movements.registered_count(session, movement)
    return pack


def _fill(pack: ReviewPack, book: Workbook) -> None:
    subtitle = f"Ngày {pack.milestone.review_on:%d/%m/%Y} — {pack.milestone.name}"
    overview = book.sheet(
        "Tổng quan", [Column("Nội dung", 34), Column("Thông tin", 90)], titles=[pack.title, subtitle]
    )
    movement = pack.movement
    for label, value in [
        ("Phong trào", movement.name),
        ("Chủ đề", movement.theme),
        ("Cơ quan phát động", movement.launched_by),
        ("Văn bản phát động", movement.launch_source or movement.verification or ""),
        ("Thời gian", f"{movement.starts_on:%d/%m/%Y} - {movement.ends_on:%d/%m/%Y}"),
        ("Mục của Kế hoạch", movement.plan_section),
        ("Số đơn vị đăng ký", str(pack.registered_units)),
        ("Số chỉ tiêu gắn với phong trào", str(len(pack.targets))),
        ("Số điển hình tiên tiến", str(len(pack.exemplars))),
        ("Số khen thưởng", str(len(pack.awards))),
    ]:
        overview.row([label, value])
    targets = book.sheet(
        "Chỉ tiêu",
        [
            Column("Chỉ tiêu", 44),
            Column("Đơn vị", 10),
            Column("Mục tiêu", 50),
            Column("Giá trị mục tiêu", 14, number_format(2)),
            Column("Giá trị mới nhất", 14, number_format(2)),
            Column("Kỳ", 10),
            Column("Tỷ lệ đạt (%)", 12, number_format(1)),
            Column("Tình trạng", 22),
        ],
        titles=[f"Tiến độ các chỉ tiêu đến ngày {pack.milestone.review_on:%d/%m/%Y}", movement.name],
        frozen_columns=1,
    )
    for row in pack.targets:
        targets.row(
            [
                row["indicator"],
                row["org_unit"],
                row["target"],
                row["target_value"],
                row["latest_value"],
                row["latest_period"],
                row["percent"],
                row["status"],
            ]
        )
    models = book.sheet(
        "Điển hình tiên tiến",
        [
            Column("Điển hình", 50),
            Column("Đơn vị", 30),
            Column("Giai đoạn", 14),
            Column("Ngày phát hiện", 14),
            Column("Nhân rộng tại", 40),
            Column("Số đề nghị khen thưởng", 12, number_format(0)),
        ],
        titles=["Điển hình tiên tiến", movement.name],
        frozen_columns=1,
    )
    for row in pack.exemplars:
        models.row(
            [
                row["name"],
                row["org_unit"],
                row["stage"],
                row["detected_on"],
                row["replicated_in"],
                row["nominations"],
            ]
        )
    awards = book.sheet(
        "Khen thưởng",
        [
            Column("Tập thể, cá nhân", 40),
            Column("Đơn vị", 30),
            Column("Hình thức", 36),
            Column("Quyết định", 40),
        ],
        titles=["Khen thưởng trong phong trào", movement.name],
        frozen_columns=1,
    )
    for row in pack.awards:
        awards.row([row["recipient"], row["org_unit"], row["award"], row["decision"]])
    reports = book.sheet(
        "Báo cáo của đơn vị",
        [Column("Đơn vị", 16), Column("Năm", 8, number_format(0)), Column("Kết quả", 100)],
        titles=["Báo cáo kết quả của các đơn vị", movement.name],
    )
    for row in pack.reports:
        reports.row([row["org_unit"], row["year"], row["summary"]])


def workbook(pack: ReviewPack) -> IO[bytes]:
    return build_workbook(lambda book: _fill(pack, book), created=pack.made_at, title=pack.title)


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("nominations.movements", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def html(pack: ReviewPack) -> str:
    return _TEMPLATES.get_template("review_pack.html").render(pack=pack)
