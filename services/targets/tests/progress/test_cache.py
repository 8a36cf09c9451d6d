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


def test_a_report_of_older_data_finishing_last_does_not_replace_the_newer_one() -> None:
    moment = [100.0]
    cache = ProgressCache(now=lambda: moment[0])
    newer, older = CachedReport.of(b"[8]"), CachedReport.of(b"[7]")
    cache.put(UNDER_NEWER_DATA, newer, started=100.0)
    moment[0] = 101.0
    cache.put(KEY, older, started=99.0)  # read before, finished after
    assert cache.recent(KEY, 5.0) is newer


def test_staleness_counts_from_when_the_data_were_read_not_when_the_report_was_done() -> None:
    moment = [100.0]
    cache = ProgressCache(now=lambda: moment[0])
    report = CachedReport.of(b"{}")
    cache.put(KEY, report, started=97.0)  # three seconds of computing
    moment[0] = 101.9
    assert cache.recent(UNDER_NEWER_DATA, 5.0) is report
    moment[0] = 102.1  # 2.1 s after it was done, 5.1 s after its data were read
    assert cache.recent(UNDER_NEWER_DATA, 5.0) is None


async def test_when_the_asker_computing_is_cancelled_the_others_compute_it_themselves() -> None:
    cache = ProgressCache()
    release = asyncio.Event()

    async def slow() -> CachedReport:
        await release.wait()
        return CachedReport.of(b"slow")

    async def quick() -> CachedReport:
        return CachedReport.of(b"quick")

    leader = asyncio.create_task(cache.once(KEY, slow))
    await asyncio.sleep(0)
    follower = asyncio.create_task(cache.once(KEY, quick))
    await asyncio.sleep(0)
    leader.cancel()  # its client went away
    assert (await follower).body == b"quick"
    with pytest.raises(asyncio.CancelledError):
        await leader
