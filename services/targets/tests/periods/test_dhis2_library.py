"""The platform's periods against DHIS2's own: `@dhis2/multi-calendar-dates`, the library DHIS2's apps use.

For 2019-2030 and every period type the platform has, the library generates each period with its
identifier, first and last day (``dhis2/periods.cjs``, run with Node from the versions pinned in
``dhis2/package-lock.json``, installed here with ``npm ci`` on first use). The platform must read each
identifier as the same days, write the same identifier from those days, and walk from one period to the
next as the library lists them.

One difference is known and kept on purpose: DHIS2's server (dhis2-core's `FinancialNovemberPeriodType`
writes ``start year + 1`` and `DateUnitPeriodTypeParser` reads ``yyyyNov`` from November of the year
before) names a November financial year after the year it ends in; the library names it after the year it
starts in. District systems post to us what their server exports, so the platform follows the server; the
test checks that the two differ by exactly that year, so that it fails if either side changes.

A second: in an ISO year of 53 weeks the platform's bi-weeks run on to a 27th (`2020BiW27`, which
dhis2-core's parser reads and the platform therefore reads too); neither DHIS2 generator lists it. The walk
below steps over it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from devstack.testing.npm import installed, tool
from targets.periods import Period, PeriodType, parse_period

HERE = Path(__file__).parent / "dhis2"
FIRST_YEAR, LAST_YEAR = 2019, 2030
# The library's name of each period type the platform has.
TYPES = {
    "DAILY": PeriodType.DAILY,
    "WEEKLY": PeriodType.WEEKLY,
    "BIWEEKLY": PeriodType.BI_WEEKLY,
    "MONTHLY": PeriodType.MONTHLY,
    "BIMONTHLY": PeriodType.BI_MONTHLY,
    "QUARTERLY": PeriodType.QUARTERLY,
    "SIXMONTHLY": PeriodType.SIX_MONTHLY,
    "SIXMONTHLYAPR": PeriodType.SIX_MONTHLY_APRIL,
    "YEARLY": PeriodType.YEARLY,
    "FYAPR": PeriodType.FINANCIAL_APRIL,
    "FYJUL": PeriodType.FINANCIAL_JULY,
    "FYOCT": PeriodType.FINANCIAL_OCT,
    "FYNOV": PeriodType.FINANCIAL_NOV,
}
NAMED_BY_THE_YEAR_IT_ENDS = {"FYNOV"}  # on the server; see the module's docstring

Json = dict[str, Any]


WHY = "DHIS2's own period library"


def _write_atomically(path: Path, content: bytes) -> None:
    """A reader sees the old file or the whole new one, never half of it (and a crash leaves no stub)."""
    path.parent.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as temporary:
        temporary.write(content)
    os.replace(temporary.name, path)


@pytest.fixture(scope="module")
def dhis2_periods() -> list[Json]:
    """The library's periods, generated once per installed library and script (cached in node_modules)."""
    arguments = [str(FIRST_YEAR), str(LAST_YEAR), *TYPES]
    script = HERE / "periods.cjs"
    key = hashlib.sha256(
        script.read_bytes() + (HERE / "package-lock.json").read_bytes() + " ".join(arguments).encode()
    ).hexdigest()[:16]
    cached = HERE / "node_modules" / ".cache" / f"periods-{key}.json"
    with installed(HERE, WHY):
        if not cached.exists():
            result = subprocess.run(
                [tool("node", WHY), str(script), *arguments],
                cwd=HERE,
                check=True,
                capture_output=True,
                timeout=180,
            )
            _write_atomically(cached, result.stdout)
    document: Json = json.loads(cached.read_bytes())
    assert document["library"] == "2.1.2", "the lock file pins the library this test was written against"
    periods: list[Json] = document["periods"]
    return periods


def _dates(period: Json) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(period["startDate"]), dt.date.fromisoformat(period["endDate"])


def test_every_type_and_year_is_compared(dhis2_periods: list[Json]) -> None:
    assert set(TYPES.values()) == set(PeriodType), "a platform period type is missing from the comparison"
    seen = {(period["periodType"], period["year"]) for period in dhis2_periods}
    assert seen == {(name, year) for name in TYPES for year in range(FIRST_YEAR, LAST_YEAR + 1)}
    assert len(dhis2_periods) > 5000  # 12 years of days alone are 4,383


def test_the_library_reads_its_own_identifiers_back(dhis2_periods: list[Json]) -> None:
    read_back = [period for period in dhis2_periods if period["readBack"]]
    assert read_back
    for period in read_back:
        expected = {name: period[name] for name in ("periodType", "id", "startDate", "endDate")}
        assert period["readBack"] == expected


def test_the_platform_reads_each_dhis2_identifier_as_the_same_days(dhis2_periods: list[Json]) -> None:
    mismatches = []
    for period in dhis2_periods:
        if period["periodType"] in NAMED_BY_THE_YEAR_IT_ENDS:
            continue
        type_, (start, end) = TYPES[period["periodType"]], _dates(period)
        parsed = parse_period(period["id"])
        if (parsed.type, parsed.start, parsed.end) != (type_, start, end):
            mismatches.append((period["id"], f"{parsed.type} {parsed.start}..{parsed.end}", start, end))
    assert mismatches == []


def test_the_platform_writes_dhis2s_identifier_for_the_same_days(dhis2_periods: list[Json]) -> None:
    for period in dhis2_periods:
        if period["periodType"] in NAMED_BY_THE_YEAR_IT_ENDS:
            continue
        start, end = _dates(period)
        written = Period(TYPES[period["periodType"]], start, end)
        assert written.id == str(written) == parse_period(period["id"]).id == period["id"]
        assert Period.from_date(written.type, start) == written


def test_the_platform_walks_from_period_to_period_as_the_library_lists_them(
    dhis2_periods: list[Json],
) -> None:
    by_type: dict[str, dict[str, Json]] = defaultdict(dict)
    for period in dhis2_periods:
        by_type[period["periodType"]][period["id"]] = period  # a period listed under two years counts once
    for name, periods in by_type.items():
        ordered = sorted(periods.values(), key=_dates)
        platform = [Period(TYPES[name], *_dates(period)) for period in ordered]
        for current, following in itertools.pairwise(platform):
            step = current.next()
            if step != following and _is_bi_week_27(step):
                # The bi-week of a 53rd ISO week: dhis2-core's parser reads `2020BiW27` (week 2*27-1
                # exists), but neither its generator nor the library's lists it (weeksInYear / 2 = 26).
                assert step.id not in periods
                step = step.next()
            assert step == following, (name, current.id)
            assert following.previous() in (current, current.next()), (name, following.id)


def _is_bi_week_27(period: Period) -> bool:
    return period.type is PeriodType.BI_WEEKLY and period.start.isocalendar().week == 53


def test_a_november_financial_year_is_named_by_the_year_it_ends_as_dhis2s_server_names_it(
    dhis2_periods: list[Json],
) -> None:
    november = [period for period in dhis2_periods if period["periodType"] == "FYNOV"]
    assert len(november) == LAST_YEAR - FIRST_YEAR + 1
    for period in november:
        start, end = _dates(period)
        year = int(period["id"].removesuffix("Nov"))
        # The library: `2024Nov` is November 2024 to October 2025. The server, and the platform: 2025Nov.
        assert (start, end) == (dt.date(year, 11, 1), dt.date(year + 1, 10, 31)), "the library changed"
        assert Period(PeriodType.FINANCIAL_NOV, start, end).id == f"{year + 1}Nov"
        assert parse_period(period["id"]) == Period(
            PeriodType.FINANCIAL_NOV, dt.date(year - 1, 11, 1), dt.date(year, 10, 31)
        )
