"""The demonstration data set that ``make run`` loads unless ``DEMO=0`` (docs/web.md, "Something to see").

Everything goes through the gateway's public API with development tokens, as a district system, a unit
officer, the secretariat, the council and the chair would send it; nothing writes a service's tables:

1. **Results 2021-2024 of the province (HT)** posted as DHIS2 data value sets: the published figures of
   ``docs/research/ht-results-2021-2024.json``, each with its source in the value's comment, and elsewhere the
   illustrative values of ``demo_illustrative.json``, each commented ``Số liệu minh họa``.
2. **The people** the demonstration signs in as, in the notifications directory (their inbox entries).
3. **2024, finished**, on the nominations service's clock moved into the past: the block of the economic
   departments (registered for the enterprise movement, pledges by the deadline, self-scores, the
   cross-checks, the adopted ranking), the annual round of 2024 with the block leader's Cờ thi đua and four
   nominations from the districts, screened, passed by the council, disclosed and decided by the chair.
4. **Today**: an ad-hoc round with a nomination returned to its unit (an inbox entry), two open for public
   comment (the objection form), and one before an open council session (the ballot).

Each part is skipped when what it makes last is there (the decision in the registry; an open disclosure of
today's round), so a second ``make run`` adds nothing, and one after today's disclosures have closed opens
new ones; a part an earlier loading left half-made is said (``DemoReport.cut``) and not loaded again. The
clock is given back as it was: the wall clock, or the moment it ran from plus the time the loading took.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from devstack.flows import AwardsFlow, FlowError, etag, expect
from devstack.paths import repo_root
from devstack.stack import Stack

PROVINCE = "HT"
RESEARCH = Path("docs") / "research" / "ht-results-2021-2024.json"
ILLUSTRATIVE = Path(__file__).with_name("demo_illustrative.json")
# Records kept out although published: another definition than the plan's (see the research notes).
OTHER_DEFINITION = {("ECO_URBANISATION", 2022)}
SECONDARY_PUBLISHERS = ("Wikipedia",)

PAST_ROUND = "DEMO-KT-2024"
DECISION = "DEMO-01/QĐ-UBND"
TODAY_PREFIX = "DEMO-DX-"
RECOVER = (
    "an earlier loading stopped half-way; to load the demonstration again, stop make run and remove its state"
    " (the .dev directory, or DEVSTACK_STATE_DIR), or start with DEMO=0 to keep what is there"
)
BLOCK = "DEMO-KHOI-KTTH"
MOVEMENT = "PT-DOANH-NGHIEP"
BLOCK_MEMBERS = ["HT-SKHDT", "HT-STC", "HT-SCT", "HT-SXD", "HT-SGTVT", "HT-SNNPTNT"]
# Self-scores of the hand-scored leaves (1.1 of 30, 1.2 of 30, 2.1 of 20, 2.2 of 20), chosen for a ranking
# with a tie broken by criterion 1 (HT-SCT and HT-SXD: 86 each).
SELF_SCORES = {
    "HT-SKHDT": (28, 27, 18, 19),
    "HT-STC": (29, 28, 19, 18),
    "HT-SCT": (27, 27, 16, 16),
    "HT-SXD": (26, 26, 17, 17),
    "HT-SGTVT": (25, 24, 16, 17),
    "HT-SNNPTNT": (27, 25, 17, 16),
}
# 10:00 in Vietnam on working days: the block's pledges, then the year's review and the round (a Monday).
PLEDGING = dt.datetime(2024, 2, 20, 3, 0, tzinfo=dt.UTC)
YEAR_OVER = dt.datetime(2025, 1, 6, 3, 0, tzinfo=dt.UTC)
COUNCIL = [
    ("member-0", "Nguyễn Văn Minh (minh họa)"),
    ("member-1", "Trần Thị Lan (minh họa)"),
    ("member-2", "Lê Quang Huy (minh họa)"),
]
# Nominations of 2024 from the districts of that year (abolished on 1/7/2025): unit, award, nominee, groups.
PAST_NOMINATIONS: list[tuple[str, str, str, str, list[str]]] = [
    ("HT-THA", "BANG_KHEN_CT_TINH", "Nguyễn Thị Thu Hà", "Nông dân xã Thạch Kênh", ["farmer", "woman"]),
    ("HT-CLO", "BANG_KHEN_CT_TINH", "Trần Văn Lộc", "Công nhân Nhà máy may Can Lộc", ["worker"]),
    ("HT-HSO", "BANG_KHEN_CT_TINH", "Hồ Thị Mai", "Giáo viên Trường Tiểu học Sơn Kim 1", ["remote_area"]),
    ("HT-THA", "CSTD_CAP_TINH", "Phan Đình Trung", "Bác sĩ Trung tâm Y tế huyện Thạch Hà", []),
]


@dataclass(frozen=True)
class ServiceClock:
    now: dt.datetime
    set: bool  # run from another moment than the wall clock's


@dataclass
class DemoReport:
    """What a loading did: the parts loaded now, the parts already there, those an earlier loading left
    half-made (not loaded again: see ``RECOVER``), the values posted."""

    loaded: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)
    published_values: int = 0
    illustrative_values: int = 0
    seconds: float = 0.0


class DemoError(RuntimeError):
    """The demonstration could not be loaded (what was answered)."""


def published_values(records: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """One published record per indicator and year: a final figure over an estimate, a primary source over
    a secondary one; figures of another definition than the plan's left out."""
    chosen: dict[tuple[str, int], dict[str, Any]] = {}
    for record in records:
        key = (record["indicator"], record["year"])
        if key in OTHER_DEFINITION:
            continue
        if key not in chosen or _preference(record) < _preference(chosen[key]):
            chosen[key] = record
    return chosen


def _preference(record: dict[str, Any]) -> tuple[bool, bool]:
    secondary = record["source"]["publisher"].startswith(SECONDARY_PUBLISHERS)
    return secondary, bool(record["estimate"])


def source_comment(record: dict[str, Any]) -> str:
    source = record["source"]
    dated = f", {source['date']}" if source.get("date") else ""
    estimate = " (số liệu ước tính)" if record["estimate"] else ""
    return f"Nguồn: {source['publisher']}, “{source['title']}”{dated}, {source['url']}{estimate}"


def yearly_values(root: Path) -> tuple[dict[int, list[dict[str, str]]], int, int]:
    """The data values to post per year (DHIS2 ``dataValues``), and how many are published / illustrative."""
    records = json.loads((root / RESEARCH).read_text(encoding="utf-8"))
    published = published_values(records)
    illustrative = json.loads(ILLUSTRATIVE.read_text(encoding="utf-8"))
    by_year: dict[int, list[dict[str, str]]] = {}
    for (indicator, year), record in sorted(published.items()):
        value = {"dataElement": indicator, "value": str(record["value"]), "comment": source_comment(record)}
        by_year.setdefault(year, []).append(value)
    count = 0
    for indicator, values in sorted(illustrative["values"].items()):
        for year_text, number in sorted(values.items()):
            year = int(year_text)
            if (indicator, year) in published:
                raise DemoError(f"{indicator} {year} is published; it has no illustrative value")
            value = {"dataElement": indicator, "value": str(number), "comment": illustrative["comment"]}
            by_year.setdefault(year, []).append(value)
            count += 1
    return by_year, len(published), count


class DemoLoader:
    def __init__(self, stack: Stack, client: httpx.AsyncClient, direct: httpx.AsyncClient) -> None:
        if stack.keys is None:
            raise DemoError("the stack has no signing keys (started?)")
        self.keys = stack.keys
        self.client = client
        self.direct = direct  # the nominations service's own port: its clock is not routed by the gateway
        self.steps = AwardsFlow(client, self.auth, prefix="/api")
        self.report = DemoReport()

    def auth(
        self, *roles: str, org_unit: str | None = PROVINCE, subject: str | None = None
    ) -> dict[str, str]:
        token = self.keys.mint(
            roles=list(roles), org_unit=org_unit, subject=subject or f"demo-{roles[0]}", ttl_seconds=3600
        )
        return {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, headers: dict[str, str], status: int = 200, **body: Any) -> Any:
        return expect(await self.client.post(f"/api{path}", json=body, headers=headers), status)

    async def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return expect(await self.client.get(f"/api{path}", params=params, headers=headers or {}))

    # The nominations service's clock.

    async def clock(self) -> ServiceClock:
        body = expect(await self.direct.get("/internal/v1/clock", headers=self.auth("admin")))
        return ServiceClock(now=dt.datetime.fromisoformat(body["now"]), set=body["set"])

    async def set_clock(self, at: dt.datetime | None) -> dt.date:
        """Run the clock from ``at``; None: the wall clock again. Today's date as the service then says."""
        answer = await self.direct.post(
            "/internal/v1/clock", json={"at": at.isoformat() if at else None}, headers=self.auth("admin")
        )
        return dt.date.fromisoformat(expect(answer)["today"])

    # 1. Results.

    async def results(self, root: Path) -> None:
        by_year, published, illustrative = yearly_values(root)
        reporter = self.auth("reporter", subject="demo-reporter-HT")
        changed = 0
        for year, values in sorted(by_year.items()):
            summary = await self.post(
                "/v1/data-value-sets", reporter, period=str(year), orgUnit=PROVINCE, dataValues=values
            )
            if summary["status"] != "SUCCESS" or summary["conflicts"]:
                raise DemoError(f"results of {year}: {summary}")
            # An unchanged value is ignored (DHIS2's import): a second loading changes nothing.
            changed += summary["importCount"]["imported"] + summary["importCount"]["updated"]
        self.report.published_values, self.report.illustrative_values = published, illustrative
        (self.report.loaded if changed else self.report.present).append("results")

    # 2. People.

    async def people(self) -> None:
        admin = self.auth("admin")
        officers = ["HT", "HT-STC", "HT-SKHDT", "HT-SYT", "HT-SGDDT", "HT-THA", "HT-CLO", "HT-HSO"]
        people = [
            ("secretariat-1", "Thường trực Hội đồng TĐKT tỉnh (minh họa)", "HT-SNV", ["secretariat"]),
            *[(sub, name, None, ["council_member"]) for sub, name in COUNCIL],
            *[
                (f"officer-{unit}", f"Cán bộ thi đua {unit} (minh họa)", unit, ["unit_officer"])
                for unit in officers
            ],
        ]
        for sub, name, unit, roles in people:
            answer = await self.client.post(
                "/api/v1/recipients",
                json={
                    "sub": sub,
                    "display_name": name,
                    "email": f"{sub}@thidua.hatinh.gov.vn",  # caught by the mail catcher in development
                    "language": "vi",
                    "org_unit": unit,
                    "roles": roles,
                },
                headers=admin,
            )
            if answer.status_code != 409:  # recipient-exists: registered by an earlier loading
                expect(answer, 201)

    # 3. 2024.

    async def rounds_of(self, year: int) -> list[dict[str, Any]]:
        rounds: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = await self.get(
                "/v1/rounds", self.steps.secretariat(), year=year, limit=100, **_cursor(cursor)
            )
            rounds.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return rounds

    async def round_exists(self, code: str, year: int) -> bool:
        return any(item["code"] == code for item in await self.rounds_of(year))

    async def block_exists(self) -> bool:
        page = await self.get("/v1/blocks", self.steps.secretariat(), year=2024, limit=100)
        return any(item["code"] == BLOCK for item in page["items"])

    async def block_of_2024(self) -> dict[str, Any]:
        """Registered for the movement, pledged by the deadline and self-scored (February 2024)."""
        await self.set_clock(PLEDGING)
        for unit in BLOCK_MEMBERS:
            answer = await self.client.post(
                f"/api/v1/movements/{MOVEMENT}/registrations",
                json={"commitments": "Đăng ký thi đua: cải thiện môi trường đầu tư, hỗ trợ doanh nghiệp."},
                headers=self.steps.officer(unit),
            )
            if answer.status_code != 409:  # registered by a loading cut before the block was recorded
                expect(answer, 201)
        block: dict[str, Any] = await self.post(
            "/v1/blocks",
            self.steps.secretariat(),
            201,
            code=BLOCK,
            year=2024,
            name="Khối các sở, ngành kinh tế tổng hợp",
            description=f"Khối thi đua thực hiện phong trào {MOVEMENT} năm 2024 (dữ liệu trình diễn).",
            members=BLOCK_MEMBERS,
            leader="HT-SKHDT",
            deputy="HT-STC",
            pledge_deadline="2024-03-31",
            criteria=[
                {"code": "1", "title": "Thực hiện nhiệm vụ chính trị được giao", "max_points": 60},
                {
                    "code": "1.1",
                    "parent": "1",
                    "title": "Hoàn thành các chỉ tiêu được giao",
                    "max_points": 30,
                },
                {
                    "code": "1.2",
                    "parent": "1",
                    "title": "Cải cách hành chính, chuyển đổi số",
                    "max_points": 30,
                },
                {"code": "2", "title": "Công tác thi đua, khen thưởng", "max_points": 40},
                {"code": "2.1", "parent": "2", "title": "Tổ chức phong trào thi đua", "max_points": 20},
                {"code": "2.2", "parent": "2", "title": "Phát hiện, nhân rộng điển hình", "max_points": 20},
            ],
            tie_breaks=["1", "1.1"],
        )
        base = f"/v1/blocks/{block['id']}"
        for unit, points in SELF_SCORES.items():
            officer = self.steps.officer(unit)
            await self.post(
                f"{base}/pledges",
                officer,
                201,
                commitments=[
                    {"text": "Hoàn thành 100% nhiệm vụ UBND tỉnh giao năm 2024"},
                    {"text": "Giải quyết 100% hồ sơ thủ tục hành chính đúng hạn"},
                ],
            )
            scores = [
                {"criterion": c, "points": p}
                for c, p in zip(("1.1", "1.2", "2.1", "2.2"), points, strict=True)
            ]
            await self.post(f"{base}/scores", officer, scores=scores)
        return block

    async def ranked(self, block: dict[str, Any]) -> None:
        """January 2025: the members' reports, the cross-checks and the adopted ranking."""
        base = f"/v1/blocks/{block['id']}"
        for unit in BLOCK_MEMBERS:
            await self.post(
                f"/v1/movements/{MOVEMENT}/reports",
                self.steps.officer(unit),
                201,
                year=2024,
                summary="Báo cáo kết quả thực hiện phong trào năm 2024 (dữ liệu trình diễn).",
            )
        checked = [{"criterion": "2.2", "points": 15, "note": "Trừ 1 điểm: chưa nhân rộng mô hình"}]
        await self.post(
            f"{base}/scores",
            self.steps.officer("HT-SKHDT"),
            org_unit="HT-SNNPTNT",
            stage="checked",
            scores=checked,
        )
        checked = [{"criterion": "1.2", "points": 26, "note": "Trừ 1 điểm: chậm báo cáo quý IV"}]
        await self.post(
            f"{base}/scores",
            self.steps.officer("HT-STC"),
            org_unit="HT-SKHDT",
            stage="checked",
            scores=checked,
        )
        await self.post(f"{base}/actions/adopt", self.steps.officer("HT-SKHDT"))

    async def round_of_2024(self, block: dict[str, Any]) -> None:
        """The annual round: the leading unit's flag and the districts' nominations, to the registry."""
        round_ = await self.steps.create_round(
            code=PAST_ROUND,
            name="Khen thưởng tổng kết năm 2024 (dữ liệu trình diễn)",
            opens_on=YEAR_OVER.date().isoformat(),
        )
        flags = await self.post(
            f"/v1/blocks/{block['id']}/actions/propose-flag",
            self.steps.officer(PROVINCE),
            201,
            round_id=round_["id"],
        )
        ids = [await self.to_council(flag, self.steps.officer(PROVINCE)) for flag in flags]
        for unit, award, name, position, groups in PAST_NOMINATIONS:
            nomination = await self.steps.nominate(
                round_["id"],
                unit,
                award_type_code=award,
                nominee={"name": name, "key": _key(), "position": position, "groups": groups},
                achievements=f"Hoàn thành xuất sắc nhiệm vụ năm 2024 (hồ sơ minh họa của {unit}).",
                initiatives=[
                    {"title": "Sáng kiến cải tiến quy trình (minh họa)", "scope": "provincial", "year": 2024}
                ],
            )
            ids.append(await self.to_council(nomination, self.steps.officer(unit)))
        await self.steps.council_passes(
            round_["id"], ids, members=len(COUNCIL), held_on=YEAR_OVER.date().isoformat()
        )
        disclosed = await self.get("/v1/public/disclosures", round_id=round_["id"], limit=100)
        until = max(dt.date.fromisoformat(item["disclosure_until"]) for item in disclosed["items"])
        # The chair decides once the last objection period is over (the service refuses before).
        signed_on = await self.set_clock(
            dt.datetime.combine(until + dt.timedelta(days=1), YEAR_OVER.timetz())
        )
        authority = self.auth("authority", subject="demo-authority")
        await self.post(
            "/v1/decisions",
            authority | {"Idempotency-Key": str(uuid.uuid4())},
            201,
            number=DECISION,
            signed_on=signed_on.isoformat(),
            signer="Chủ tịch UBND tỉnh (minh họa)",
            signer_title="Chủ tịch UBND tỉnh",
            authority="provincial_chair",
            nomination_ids=ids,
        )

    async def to_council(self, nomination: dict[str, Any], officer: dict[str, str]) -> int:
        """Submitted by its unit, screened (a failed rule overridden in writing), sent to the council."""
        nomination_id: int = nomination["id"]
        submitted = await self.steps.must(nomination_id, "submit", officer, if_match=etag(nomination))
        screened = await self.steps.screen(submitted, note="Hội đồng cơ sở đã xác minh (dữ liệu trình diễn)")
        await self.steps.must(
            nomination_id, "send_to_council", self.steps.secretariat(), if_match=etag(screened)
        )
        return nomination_id

    # 4. Today.

    async def today(self, today: dt.date) -> None:
        """An ad-hoc round of today: a nomination returned, two open for comment, one before the council."""
        round_ = await self.steps.create_round(
            code=_today_round(today),
            name=f"Khen thưởng đột xuất năm {today.year} (dữ liệu trình diễn)",
            kind="ad_hoc",
            year=today.year,
            reference_date=today.isoformat(),
            opens_on=today.isoformat(),
        )

        def nominee(name: str, position: str, unit: str, groups: list[str]) -> dict[str, Any]:
            return {"name": name, "key": _key(), "position": position, "org_unit": unit, "groups": groups}

        returned = await self.steps.nominate(
            round_["id"],
            "HT-STC",
            award_type_code="BANG_KHEN_CT_TINH",
            nominee=nominee("Đặng Thị Hoa", "Chuyên viên Sở Tài chính", "HT-STC", ["woman"]),
            achievements="Tham mưu hợp nhất Sở Kế hoạch và Đầu tư vào Sở Tài chính (hồ sơ minh họa).",
        )
        submitted = await self.steps.must(
            returned["id"], "submit", self.steps.officer("HT-STC"), if_match=etag(returned)
        )
        await self.steps.must(
            returned["id"],
            "return",
            self.steps.secretariat(),
            if_match=etag(submitted),
            note="Bổ sung văn bản xác nhận thành tích của Thủ trưởng đơn vị (dữ liệu trình diễn).",
        )
        disclosed = []
        for unit, name, position, groups in (
            (
                "HT-SYT",
                "Võ Văn Tâm",
                "Bác sĩ Trạm Y tế xã vùng biên giới",
                ["border_area", "direct_labourer"],
            ),
            (
                "HT-SGDDT",
                "Lữ Thị Thanh",
                "Giáo viên Trường Phổ thông dân tộc nội trú",
                ["ethnic_minority", "woman"],
            ),
        ):
            nomination = await self.steps.nominate(
                round_["id"],
                unit,
                award_type_code="BANG_KHEN_CT_TINH",
                nominee=nominee(name, position, unit, groups),
                achievements=f"Có thành tích đột xuất xuất sắc năm {today.year} (hồ sơ minh họa).",
            )
            disclosed.append(await self.to_council(nomination, self.steps.officer(unit)))
        await self.steps.council_passes(
            round_["id"], disclosed, members=len(COUNCIL), held_on=today.isoformat()
        )
        waiting = await self.steps.nominate(
            round_["id"],
            "HT-SCT",
            award_type_code="BANG_KHEN_CT_TINH",
            nominee=nominee("Phạm Minh Đức", "Trưởng phòng Sở Công Thương", "HT-SCT", []),
            achievements=f"Hoàn thành xuất sắc nhiệm vụ đột xuất năm {today.year} (hồ sơ minh họa).",
        )
        session_item = await self.to_council(waiting, self.steps.officer("HT-SCT"))
        await self.post(
            "/v1/council-sessions",
            self.steps.secretariat(),
            201,
            round_id=round_["id"],
            name="Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh (dữ liệu trình diễn)",
            held_on=today.isoformat(),
            members=[{"subject": sub, "name": name} for sub, name in COUNCIL],
            nomination_ids=[session_item],
        )

    async def registry_has_the_decision(self) -> bool:
        # The decision's flag: the province gives few, so one page holds them.
        found = await self.get("/v1/public/awards", year=2024, award_type="CO_THI_DUA_TINH", limit=100)
        return any(award["decision_number"] == DECISION for award in found["items"])

    async def open_disclosure_of_today(self, today: dt.date) -> bool:
        """Whether a demonstration round of this year still has a nomination open for comment."""
        rounds = await self.rounds_of(today.year)
        ours = {r["id"] for r in rounds if r["code"].startswith(TODAY_PREFIX)}
        if not ours:
            return False
        for round_id in ours:
            disclosed = await self.get("/v1/public/disclosures", round_id=round_id, limit=1)
            if disclosed["items"]:
                return True
        return False

    async def past(self) -> None:
        if await self.registry_has_the_decision():
            self.report.present.append("2024")
            return
        if await self.round_exists(PAST_ROUND, 2024) or await self.block_exists():
            self.report.cut.append(f"2024 (the round {PAST_ROUND} or the block {BLOCK} without the decision)")
            return
        block = await self.block_of_2024()
        await self.set_clock(YEAR_OVER)
        await self.ranked(block)
        await self.round_of_2024(block)
        self.report.loaded.append("2024")

    async def present(self, today: dt.date) -> None:
        if await self.open_disclosure_of_today(today):
            self.report.present.append("today")
            return
        if await self.round_exists(_today_round(today), today.year):
            self.report.cut.append(f"today (the round {_today_round(today)} without its open disclosures)")
            return
        await self.today(today)
        self.report.loaded.append("today")

    async def load(self) -> DemoReport:
        started = time.perf_counter()
        began = await self.clock()
        await self.results(repo_root())
        await self.people()
        try:
            await self.past()
            today = await self.set_clock(began.now + dt.timedelta(seconds=time.perf_counter() - started))
            await self.present(today)
        finally:
            # As it was: the wall clock (make run), or the moment it ran from plus the time this took (tests).
            if began.set:
                await self.set_clock(began.now + dt.timedelta(seconds=time.perf_counter() - started))
            else:
                await self.set_clock(None)
        self.report.seconds = time.perf_counter() - started
        return self.report


def _cursor(cursor: str | None) -> dict[str, str]:
    return {"cursor": cursor} if cursor else {}


def _key() -> str:
    return f"DEMO-{uuid.uuid4().hex[:12]}"


def _today_round(today: dt.date) -> str:
    # One a day at most: a later make run, once today's disclosures have closed, opens new ones.
    return f"{TODAY_PREFIX}{today:%Y%m%d}"


async def _load(stack: Stack) -> DemoReport:
    async with (
        httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as client,
        httpx.AsyncClient(base_url=stack.service_url("nominations"), timeout=60) as direct,
    ):
        return await DemoLoader(stack, client, direct).load()


def load_demo(stack: Stack) -> DemoReport:
    """Load the demonstration into a started stack (what is already there is kept); DemoError if refused."""
    try:
        return asyncio.run(_load(stack))
    except DemoError:
        raise
    except (FlowError, httpx.HTTPError) as exc:
        raise DemoError(str(exc)) from exc
    except Exception as exc:  # an answer of another shape than expected: said, and make run goes on
        raise DemoError(f"{type(exc).__name__}: {exc}") from exc


# The people the demonstration's data belongs to, as ``make token`` signs them in (printed by ``make run``).
SIGN_IN = [
    ("cán bộ thi đua Sở Tài chính (hộp thư, hồ sơ)", "ROLE=unit_officer ORG_UNIT=HT-STC SUB=officer-HT-STC"),
    ("ủy viên Hội đồng (phiếu bầu)", "ROLE=council_member SUB=member-0"),
    ("Thường trực Hội đồng (nhật ký gửi)", "ROLE=secretariat ORG_UNIT=HT-SNV SUB=secretariat-1"),
]
