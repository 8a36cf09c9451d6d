"""``make bench-awards``: the nominations service measured through the real gateway on a realistic database.

1. Start the whole stack (embedded PostgreSQL in a fresh directory, or ``BENCH_DATABASE_URL``).
2. Fill the database directly (this is set-up, not what is measured): 1,000,000 rows of award history for
   200,000 people over 2015-2024 (names built from common Vietnamese family, middle and given names, their
   search words then computed by the service's own ``reindex-awards`` command), and 100,000 nominations
   over five rounds, the
   13 districts, five award types and every state.
3. Measure, through the gateway:
   * listing and filtering nominations (secretariat; a district's officer, scoped) under ``hey``;
   * the eligibility of one nomination (one client, sequential requests: the time a screener waits);
   * closing a council session over 1,000 nominations after 9 members have voted on all of them;
   * the public registry search by name, year, type and area. ``/api/v1/public/`` is rate-limited per
     address by the gateway (20 r/s), so the load is applied to the service's own port with ``hey`` and
     the gateway is measured one request at a time within its limit.
4. Peak resident memory of every process over the whole run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from devstack.bench import DISTRICTS, _hey, measure_on_stack
from devstack.keys import DevKeys
from devstack.postgres import libpq_url
from devstack.stack import SERVICES, Stack
from shared import clock

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Hồng"]
GIVEN = [
    "An", "Bình", "Châu", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương",
    "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quang", "Sơn", "Tâm", "Thảo",
    "Thắng", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Yến", "Đông", "Ánh", "Lộc", "Thủy", "Nhung",
]  # fmt: skip
AWARD_TYPES = [
    ("LDTT", "Lao động tiên tiến", "unit_head", 0.3),
    ("CSTD_CO_SO", "Chiến sĩ thi đua cơ sở", "unit_head", 1.0),
    ("GIAY_KHEN", "Giấy khen", "unit_head", 0.3),
    ("BANG_KHEN_CT_TINH", "Bằng khen của Chủ tịch UBND tỉnh", "provincial_chair", 1.0),
    ("CSTD_CAP_TINH", "Chiến sĩ thi đua cấp tỉnh", "provincial_chair", 3.0),
]
STATES = [
    "draft",
    "submitted",
    "screening",
    "public_comment",
    "council",
    "disclosure",
    "approved",
    "decided",
    "returned",
    "withdrawn",
]
PEOPLE = 200_000


@dataclass
class Options:
    awards: int = 1_000_000
    nominations: int = 100_000
    council_items: int = 1_000
    council_members: int = 9
    # Staff at work, not a crowd: the province's secretariat and the units' officers (32 in the targets bench
    # is the public's load on a cached report).
    clients: int = 8
    duration_s: int = 10
    eligibility_samples: int = 200
    sequential_samples: int = 100


def _person(index: int) -> str:
    return f"{FAMILY[index % 13]} {MIDDLE[(index // 13) % 10]} {GIVEN[(index // 130) % len(GIVEN)]}"


async def _fill_awards(connection: asyncpg.Connection, count: int, names: dict[str, str]) -> None:
    """The rows without their search words: the service computes those (``python -m nominations
    reindex-awards``), so the benchmark searches exactly what the service would have stored."""
    rng = random.Random(42)  # noqa: S311 - reproducible test data, not a secret
    records: list[tuple[Any, ...]] = []
    for row in range(count):
        person = row % PEOPLE
        name = _person(person)
        district = DISTRICTS[person % len(DISTRICTS)]
        code, award_name, authority, _ = AWARD_TYPES[rng.randrange(len(AWARD_TYPES))]
        year = 2015 + (row // PEOPLE) * 2 + rng.randrange(2)
        decision = f"{1000 + row % 9000}/QĐ-{'UBND' if authority == 'provincial_chair' else 'DV'}"
        records.append(
            (
                "import",
                "individual",
                f"BK-{person:06d}",
                name,
                district,
                names[district],
                [district, "HT"],
                code,
                award_name,
                year,
                "annual",
                dt.date(year, 12, 20),
                decision,
                authority,
                [],
                "bench",
            )
        )
    await connection.copy_records_to_table(
        "awards",
        schema_name="nominations",
        columns=[
            "source",
            "recipient_kind",
            "recipient_key",
            "recipient_name",
            "org_unit",
            "org_unit_name",
            "org_unit_path",
            "award_type_code",
            "award_name",
            "year",
            "occasion",
            "decision_date",
            "decision_number",
            "decision_authority",
            "search_tokens",
            "created_by",
        ],
        records=records,
    )


async def _reindex(stack: Stack) -> None:
    """The service's own command computes the search words of the rows just loaded."""
    spec = next(spec for spec in SERVICES if spec.name == "nominations")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nominations", "reindex-awards", env=stack.service_env(spec)
    )
    if await process.wait() != 0:
        raise RuntimeError("python -m nominations reindex-awards failed")


FILL_NOMINATIONS = """
INSERT INTO nominations.nominations (
    round_id, catalogue_date, award_type_code, award_name, open_objections, occasion, nominee_kind,
    nominee_name, nominee_key, nominee_org_unit,
    nominating_org_unit, nominating_org_unit_name, achievements, achievement_keys, initiatives,
    open_discipline, status, outcome, overrides, created_by, version, first_submitted_at, submitted_at,
    decided_at)
SELECT
    ($1::int[])[1 + i % cardinality($1::int[])],
    (SELECT reference_date FROM nominations.rounds WHERE id = ($1::int[])[1 + i % cardinality($1::int[])]),
    ($2::text[])[1 + (i / 7) % cardinality($2::text[])],
    ($8::text[])[1 + (i / 7) % cardinality($8::text[])], 0,
    'annual', 'individual', 'Người đề nghị ' || i, 'BK-' || lpad((i % $5)::text, 6, '0'),
    ($3::text[])[1 + i % cardinality($3::text[])], ($3::text[])[1 + i % cardinality($3::text[])],
    ($4::text[])[1 + i % cardinality($4::text[])],
    'Hoàn thành xuất sắc nhiệm vụ', '{}', '[{"title": "Sáng kiến", "scope": "provincial", "year": 2024}]',
    false, s.state, CASE WHEN s.state = 'decided' THEN 'awarded' END, '[]', 'bench', 1,
    CASE WHEN s.state NOT IN ('draft') THEN now() - interval '30 days' END,
    CASE WHEN s.state NOT IN ('draft') THEN now() - interval '30 days' END,
    CASE WHEN s.state = 'decided' THEN now() END
FROM generate_series(1, $6) AS i
CROSS JOIN LATERAL (SELECT ($7::text[])[1 + (i / 3) % cardinality($7::text[])] AS state) AS s
"""


async def _fill(stack: Stack, client: httpx.AsyncClient, options: Options) -> dict[str, Any]:
    rounds = []
    for year in range(2021, 2026):  # the catalogue starts on 2021-01-01
        response = await client.post(
            "/api/v1/rounds",
            json={
                "code": f"BENCH-{year}",
                "name": f"Khen thưởng năm {year}",
                "kind": "annual",
                "year": year,
                "reference_date": f"{year}-12-31",
                "opens_on": clock.today().isoformat(),
                "submission_working_days": 20,
                "screening_working_days": 10,
                "council_working_days": 10,
                "decision_working_days": 10,
            },
        )
        response.raise_for_status()
        rounds.append(response.json()["id"])
    council_round = rounds[-1]
    units = (await client.get("/api/v1/org-units", params={"at": "2024-12-31", "limit": 500})).json()["items"]
    names = {unit["code"]: unit["name"] for unit in units}
    connection = await asyncpg.connect(libpq_url(stack.database_url))
    try:
        started = time.perf_counter()
        await _fill_awards(connection, options.awards, names)
        await _reindex(stack)
        awards_s = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute(
            FILL_NOMINATIONS,
            rounds[:-1],
            [code for code, *_ in AWARD_TYPES],
            DISTRICTS,
            [names[code] for code in DISTRICTS],
            PEOPLE,
            options.nominations,
            STATES,
            [name for _, name, *_ in AWARD_TYPES],
        )
        # The council's agenda: nominations of the last round, waiting in `council`.
        await connection.execute(
            FILL_NOMINATIONS,
            [council_round],
            ["BANG_KHEN_CT_TINH"],
            DISTRICTS,
            [names[code] for code in DISTRICTS],
            PEOPLE,
            options.council_items,
            ["council"],
            ["Bằng khen của Chủ tịch UBND tỉnh"],
        )
        nominations_s = time.perf_counter() - started
        # The words were written by an UPDATE of every award row: rewrite the table and its indexes so that
        # the searches meet a table as a normal import leaves it, not one twice its size.
        await connection.execute("VACUUM (FULL, ANALYZE) nominations.awards")
        await connection.execute("VACUUM (ANALYZE) nominations.nominations")
        agenda = [
            row["id"]
            for row in await connection.fetch(
                "SELECT id FROM nominations.nominations WHERE round_id = $1 ORDER BY id", council_round
            )
        ]
        sample = await connection.fetchval(
            "SELECT n.id FROM nominations.nominations n WHERE n.award_type_code = 'CSTD_CAP_TINH'"
            " AND n.status = 'screening' ORDER BY n.id LIMIT 1"
        )
        history = await connection.fetchval(
            "SELECT count(*) FROM nominations.awards a JOIN nominations.nominations n"
            " ON a.recipient_key = n.nominee_key WHERE n.id = $1",
            sample,
        )
    finally:
        await connection.close()
    return {
        "rounds": rounds,
        "council_round": council_round,
        "agenda": agenda,
        "eligibility_nomination": sample,
        "eligibility_history_rows": history,
        "fill_awards_s": round(awards_s, 1),
        "fill_nominations_s": round(nominations_s, 1),
    }


async def _timed(
    client: httpx.AsyncClient, url: str, samples: int, headers: dict[str, str]
) -> dict[str, float]:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    timings.sort()
    return {
        "samples": samples,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
    }


async def _council(
    client: httpx.AsyncClient, keys: DevKeys, round_id: int, agenda: list[int], members: int
) -> dict[str, Any]:
    subjects = [f"bench-member-{index}" for index in range(1, members + 1)]
    response = await client.post(
        "/api/v1/council-sessions",
        json={
            "round_id": round_id,
            "name": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh",
            "held_on": clock.today().isoformat(),
            "members": [{"subject": subject, "name": f"Ủy viên {subject}"} for subject in subjects],
            "nomination_ids": agenda,
        },
    )
    if response.status_code != 201:
        raise RuntimeError(f"council session: {response.status_code} {response.text[:500]}")
    session_id = response.json()["id"]
    ballots_s = []
    for index, subject in enumerate(subjects):
        choice = "approve" if index < members - 1 else "abstain"
        token = keys.mint(roles=["council_member"], org_unit="HT", subject=subject)
        started = time.perf_counter()
        ballot = await client.post(
            f"/api/v1/council-sessions/{session_id}/ballots",
            json={"choices": {str(nomination): choice for nomination in agenda}},
            headers={"Authorization": f"Bearer {token}"},
        )
        ballots_s.append(time.perf_counter() - started)
        if ballot.status_code != 201:
            raise RuntimeError(f"ballot: {ballot.status_code} {ballot.text[:500]}")
    version = (await client.get(f"/api/v1/council-sessions/{session_id}")).headers["ETag"]
    started = time.perf_counter()
    closed = await client.post(
        f"/api/v1/council-sessions/{session_id}/actions/close", headers={"If-Match": version}
    )
    close_s = time.perf_counter() - started
    if closed.status_code != 200:
        raise RuntimeError(f"close: {closed.status_code} {closed.text[:500]}")
    return {
        "nominations": len(agenda),
        "members": members,
        "ballot_s_median": round(statistics.median(ballots_s), 3),
        "close_s": round(close_s, 3),
    }


async def _run(stack: Stack, keys: DevKeys, options: Options) -> dict[str, Any]:
    results: dict[str, Any] = {}
    admin = keys.mint(roles=["admin"], org_unit="HT", subject="bench-admin")
    secretariat = keys.mint(roles=["secretariat"], org_unit="HT-SNV", subject="bench-secretariat")
    officer = keys.mint(roles=["unit_officer"], org_unit="HT-THA", subject="bench-officer")
    async with httpx.AsyncClient(
        base_url=stack.gateway_url, timeout=600, headers={"Authorization": f"Bearer {admin}"}
    ) as client:
        fill = await _fill(stack, client, options)
        results["data"] = {
            key: fill[key] for key in ("fill_awards_s", "fill_nominations_s", "eligibility_history_rows")
        } | {"awards": options.awards, "nominations": options.nominations + options.council_items}
        first_round = fill["rounds"][0]
        gateway = stack.gateway_url
        nominations = f"{gateway}/api/v1/nominations?limit=50"
        lists = {
            "all, newest first": nominations,
            "round + status": f"{nominations}&round_id={first_round}&status=submitted",
            "unit + award type": f"{nominations}&org_unit=HT-THA&award_type=CSTD_CO_SO",
        }
        lists["district officer (scoped)"] = nominations
        results["list_nominations_sequential"] = {}
        results[f"list_nominations_{options.clients}_clients"] = {}
        for label, url in lists.items():
            token = officer if "officer" in label else secretariat
            results["list_nominations_sequential"][label] = await _timed(
                client,
                url.removeprefix(gateway),
                options.sequential_samples,
                {"Authorization": f"Bearer {token}"},
            )
            results[f"list_nominations_{options.clients}_clients"][label] = await asyncio.to_thread(
                _hey, url, token, options.clients, options.duration_s
            )
        results["eligibility"] = await _timed(
            client,
            f"/api/v1/nominations/{fill['eligibility_nomination']}/eligibility",
            options.eligibility_samples,
            {"Authorization": f"Bearer {secretariat}"},
        )
        results["council_close"] = await _council(
            client, keys, fill["council_round"], fill["agenda"], options.council_members
        )
        searches = {
            "name": "q=nguyen+van+hung",
            "name + year": "q=tran+thi+lan&year=2021",
            "area + type": "org_unit=HT-THA&award_type=CSTD_CO_SO",
            "name + area + year": "q=hoang+minh&org_unit=HT-CLO&year=2019",
        }
        service = stack.service_url("nominations")
        results[f"registry_search_service_port_{options.clients}_clients"] = {}
        results["registry_search_gateway_sequential"] = {}
        for label, query in searches.items():
            results[f"registry_search_service_port_{options.clients}_clients"][
                label
            ] = await asyncio.to_thread(
                _hey, f"{service}/v1/public/awards?{query}", admin, options.clients, options.duration_s
            )
            results["registry_search_gateway_sequential"][label] = await _timed(
                client, f"/api/v1/public/awards?{query}", 30, {}
            )
            await asyncio.sleep(2.0)  # let the gateway's per-address bucket refill (20 r/s, burst 40)
    return results


def run_bench_awards(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack bench-awards", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    options = Options()

    async def run(stack: Stack, keys: DevKeys) -> dict[str, Any]:
        return await _run(stack, keys, options)

    measure_on_stack("bench-awards-", run, args.output)
    return 0
