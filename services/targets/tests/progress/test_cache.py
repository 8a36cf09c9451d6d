import asyncio

import pytest

from targets.progress.service import CachedReport, ProgressCache

KEY = (1, 7, "HT-2021-2025", "HT", "2026-03-10")
UNDER_NEWER_DATA = (1, 8, "HT-2021-2025", "HT", "2026-03-10")


async def test_askers_of_one_question_at_once_share_one_computation() -> None:
    cache = ProgressCache()
    computed = 0
    release = asyncio.Event()

    async def compute() -> CachedReport:
        nonlocal computed
        computed += 1
        await release.wait()
        return CachedReport.of(b"{}")

    askers = [asyncio.create_task(cache.once(KEY, compute)) for _ in range(20)]
    await asyncio.sleep(0)
    release.set()
    reports = await asyncio.gather(*askers)
    assert computed == 1
    assert all(report is reports[0] for report in reports)
    assert cache.get(KEY) is reports[0]


async def test_a_failed_computation_fails_its_askers_and_the_next_one_tries_again() -> None:
    cache = ProgressCache()
    release = asyncio.Event()

    async def failing() -> CachedReport:
        await release.wait()
        raise RuntimeError("database gone")

    askers = [asyncio.create_task(cache.once(KEY, failing)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    outcomes = await asyncio.gather(*askers, return_exceptions=True)
    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
    assert cache.get(KEY) is None

    async def working() -> CachedReport:
        return CachedReport.of(b"[]")

    assert (await cache.once(KEY, working)).body == b"[]"


@pytest.mark.parametrize(("seconds_later", "served"), [(0.0, True), (5.0, True), (5.01, False)])
def test_a_recent_report_answers_for_newer_data_within_the_staleness_allowed(
    seconds_later: float, served: bool
) -> None:
    moment = [100.0]
    cache = ProgressCache(now=lambda: moment[0])
    report = CachedReport.of(b"{}")
    cache.put(KEY, report)
    moment[0] += seconds_later
    assert cache.get(UNDER_NEWER_DATA) is None
    assert (cache.recent(UNDER_NEWER_DATA, 5.0) is report) is served
    assert cache.recent(UNDER_NEWER_DATA, 0.0) is None  # never, when none is allowed
