"""A seeded chaos run: kill -9 and cut database connections during a mixed load, an ingestion and a
council close, with only ``make run``'s supervisor to bring things back.

The stack runs the load of ``make bench-load`` (its locustfile, on a test's scale). Meanwhile a seeded
schedule kills with SIGKILL each service, each relay, the notifications worker and the gateway, and ends
every database connection of the stack twice (``pg_terminate_backend``); at chosen moments it kills targets
in the middle of an import of about two thousand values and nominations in the middle of a council session's
close. Then, with nobody restarting anything but the supervisor:

* every process is ready again by itself;
* no answer was a 500 (a killed process is the gateway's 502, a cut connection a 503);
* every nomination whose creation was answered 201 exists, and every submission answered 200 is submitted;
* the killed import (about two thousand values, one transaction) is all there or not at all, and sent again it
  is whole;
* the council session is closed once, with one ``council_session.closed`` event;
* every event of the two outboxes reached notifications once, under its own id, and nothing else did.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from devstack.bench import DISTRICTS
from devstack.bench_load import LoadOptions, run_load
from devstack.bench_load import _plan as load_plan
from devstack.flows import AwardsFlow
from devstack.postgres import PostgresServer
from devstack.stack import Stack, free_port
from devstack.supervisor import Backoff, Supervisor
from shared.database import Database
from tests.e2e.conftest import FAST_DELIVERIES, bearer, started_stack

pytestmark = pytest.mark.e2e

SEED = 20261204
VICTIMS = (
    "targets",
    "nominations",
    "notifications",
    "targets-relay",
    "nominations-relay",
    "notifications-worker-1",
    "gateway",
)
LOAD = LoadOptions(rate=40, users=20, duration_s=45, spawn_s=2, seed=SEED)
IMPORT_MARKER = "Kiểm thử sự cố"
LOAD_INDICATORS = {"ECO_NEW_ENTERPRISES", "SOC_NEW_JOBS"}  # what the locustfile posts
DISTRICT = "HT-HSO"
COUNCIL_NOMINATIONS = 12
# Where each service's relay, or the notifications worker, answers its probes.
PROBES = {name: free_port() for name in ("targets", "nominations", "notifications")}
# The relays retry on the same scale as the deliveries.
FAST = FAST_DELIVERIES | {
    "TARGETS_RELAY_BACKOFF_BASE_SECONDS": "0.2",
    "TARGETS_RELAY_BACKOFF_CAP_SECONDS": "2",
    "NOMINATIONS_RELAY_BACKOFF_BASE_SECONDS": "0.2",
    "NOMINATIONS_RELAY_BACKOFF_CAP_SECONDS": "2",
}


class Supervising(threading.Thread):
    """``make run``'s supervisor, ticking as ``devstack run`` does, under the lock the killer takes too."""

    def __init__(self, stack: Stack, lock: threading.Lock) -> None:
        super().__init__(name="supervisor", daemon=True)
        self.lines: list[str] = []
        # Shorter waits than make run's (1 s … 30 s): a test's kills come seconds apart.
        self.supervisor = Supervisor(
            stack, self.lines.append, backoff=Backoff(first_seconds=0.2, cap_seconds=2.0)
        )
        self.lock = lock
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            with self.lock:
                self.supervisor.tick()


def kill(stack: Stack, lock: threading.Lock, name: str) -> None:
    """SIGKILL ``name`` and its children as a crash would; the supervisor notices and starts it again."""
    with lock:
        process = stack.processes.get(name)
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


async def cut_database_connections(database_url: str) -> int:
    """End every connection of the database but this one's, as a failover or a restarted proxy does."""
    database = Database(database_url, application_name="chaos-cutter")
    try:
        async with database.session() as session:
            ended = await session.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await database.dispose()
    return int(ended or 0)


async def query(database_url: str, sql: str, **params: Any) -> list[Any]:
    database = Database(database_url, application_name="chaos-check")
    try:
        async with database.session() as session:
            return list((await session.execute(text(sql), params)).all())
    finally:
        await database.dispose()


def until(check: Any, seconds: float, what: str) -> Any:
    """``check()``'s first truthy answer, retried through errors for ``seconds``."""
    deadline = time.monotonic() + seconds
    last: object = None
    while time.monotonic() < deadline:
        try:
            answer = check()
            if answer:
                return answer
            last = answer
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"{what} not within {seconds} s (last: {last!r})")


def candidate_values(stack: Stack) -> list[dict[str, str]]:
    """Every indicator of the plan for the province, two departments and the districts, in 2022-2025, but
    the two the load posts (its values would replace these, comment and all)."""
    with httpx.Client(base_url=stack.gateway_url, timeout=60) as client:
        viewer = bearer(stack, "viewer", "HT", "chaos-viewer")
        indicators = client.get("/api/v1/indicators", params={"limit": 200}, headers=viewer).json()["items"]
    codes = [indicator["code"] for indicator in indicators if indicator["code"] not in LOAD_INDICATORS]
    units = ["HT", "HT-STC", "HT-SYT", *DISTRICTS]
    return [
        {"dataElement": code, "period": period, "orgUnit": unit, "value": str(10 + n % 50)}
        for n, (code, period, unit) in enumerate(
            (code, period, unit)
            for code in codes
            for period in ("2022", "2023", "2024", "2025")
            for unit in units
        )
    ]


def accepted(stack: Stack, values: list[dict[str, str]]) -> list[dict[str, str]]:
    """``values`` without those the import would refuse (a dry run says which), marked with IMPORT_MARKER:
    the killed import must be one that, left alone, is taken whole."""
    with httpx.Client(base_url=stack.gateway_url, timeout=60) as client:
        dry = client.post(
            "/api/v1/data-value-sets",
            json={"dataValues": values},
            params={"dryRun": "true", "atomicMode": "NONE"},
            headers=bearer(stack, "reporter", "HT", "chaos"),
        )
    assert dry.status_code == 200, dry.text
    refused = {index for conflict in dry.json()["conflicts"] for index in conflict.get("indexes", [])}
    return [value | {"comment": IMPORT_MARKER} for n, value in enumerate(values) if n not in refused]


@pytest.fixture(scope="module")
def chaos_stack(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # The relays and the worker answer probes too (the APIs ignore <S>_PROBE_PORT): their readiness counts.
    env = FAST | {f"{name.upper()}_PROBE_PORT": str(port) for name, port in PROBES.items()}
    # As behind an Ingress: each simulated user's own address counts for the gateway's limits.
    with started_stack(
        postgres_server,
        Path(tmp_path_factory.mktemp("chaos")),
        "chaos",
        trusted_proxies=("127.0.0.1",),
        extra_env=env,
    ) as stack:
        yield stack


def test_kill_9_and_cut_connections_under_load_lose_nothing_and_the_stack_comes_back_by_itself(
    chaos_stack: Stack,
) -> None:
    stack = chaos_stack
    rng = random.Random(SEED)  # noqa: S311 - a seeded schedule, not a secret
    url = stack.database_url
    assert stack.keys is not None
    secretariat = bearer(stack, "secretariat", "HT-SNV", "secretariat-1")

    def auth(role: str, *, org_unit: str | None, subject: str) -> dict[str, str]:
        return bearer(stack, role, org_unit, subject)

    # Before the chaos: a round open for submissions (the load's), and a council session ready to close.
    async def prepare() -> tuple[int, int, list[int]]:
        async with httpx.AsyncClient(base_url=f"{stack.gateway_url}/api", timeout=60) as client:
            flow = AwardsFlow(client, auth)
            load_round = await flow.create_round(name="Đợt khen thưởng kiểm thử sự cố")
            council_round = await flow.create_round(name="Đợt có phiên họp Hội đồng")
            nominated = [
                (await flow.to_council(council_round["id"], DISTRICT))["id"]
                for _ in range(COUNCIL_NOMINATIONS)
            ]
            session_id = await flow.council_voted(council_round["id"], nominated, held_on="2026-03-10")
            return load_round["id"], session_id, nominated

    load_round, session_id, council_nominations = asyncio.run(prepare())
    body = {"dataValues": accepted(stack, candidate_values(stack))}
    assert len(body["dataValues"]) >= 1500, len(body["dataValues"])
    # The same values stored once before, under another comment, timed: the killed import then changes every
    # one of them in one transaction, and the kill is aimed within the time that takes.
    before = {"dataValues": [value | {"comment": "Trước sự cố"} for value in body["dataValues"]]}
    with httpx.Client(base_url=stack.service_url("targets"), timeout=60) as client:
        started = time.monotonic()
        stored = client.post(
            "/v1/data-value-sets", json=before, headers=bearer(stack, "reporter", "HT", "chaos")
        )
        import_seconds = time.monotonic() - started
    assert stored.status_code == 200, stored.text
    plan = load_plan(stack, stack.keys, load_round, LOAD)

    lock = threading.Lock()
    supervising = Supervising(stack, lock)
    supervising.start()
    loaded: dict[str, Any] = {}
    load = threading.Thread(
        target=lambda: loaded.update(run_load(stack, plan, LOAD, stack.options.state / "chaos-load")),
        daemon=True,
    )
    load.start()
    kills: list[str] = []
    cuts: list[int] = []
    outcome: dict[str, str] = {}
    gateway = httpx.Client(base_url=stack.gateway_url, timeout=60)
    direct = {
        name: httpx.Client(base_url=stack.service_url(name), timeout=60)
        for name in ("targets", "nominations")
    }
    try:
        # The schedule: every victim once in a seeded order, two connection cuts, the two aimed kills.
        schedule: list[str] = [*VICTIMS, "cut", "cut", "import", "council"]
        rng.shuffle(schedule)
        time.sleep(LOAD.spawn_s + 2)
        for step in schedule:
            time.sleep(rng.uniform(1.0, 3.0))
            if step == "cut":
                cuts.append(asyncio.run(cut_database_connections(url)))
            elif step == "import":
                # Straight to targets (the gateway may be the one down), killed in mid-flight.
                until(lambda: direct["targets"].get("/readyz").status_code == 200, 60, "targets ready")
                reporter = bearer(stack, "reporter", "HT", "chaos")
                kill_during(
                    stack,
                    lock,
                    "targets",
                    rng.uniform(0.2, 0.8) * import_seconds,  # inside it, the load slowing it further
                    direct["targets"],
                    "/v1/data-value-sets",
                    body,
                    reporter,
                )
                kills.append("targets (importing)")
            elif step == "council":
                ready = direct["nominations"]
                until(
                    lambda: direct["nominations"].get("/readyz").status_code == 200, 60, "nominations ready"
                )
                path = f"/v1/council-sessions/{session_id}"
                version = ready.get(path, headers=secretariat).headers["ETag"]
                clerk = secretariat | {"If-Match": version}
                kill_during(
                    stack,
                    lock,
                    "nominations",
                    rng.uniform(0.0, 0.04),
                    ready,
                    f"{path}/actions/close",
                    None,
                    clerk,
                )
                kills.append("nominations (closing a council session)")
            else:
                kill(stack, lock, step)
                kills.append(step)
        load.join(LOAD.duration_s + 180)
        assert not load.is_alive(), "the load did not end"

        # 1. Every process ready again, by the supervisor alone.
        def all_ready() -> bool:
            with lock:
                ready = [*stack.readiness.values()]
                running = set(stack.processes)
            ready += [f"http://127.0.0.1:{port}/readyz" for port in PROBES.values()]
            return set(VICTIMS) <= running and all(
                httpx.get(address, timeout=5).status_code == 200 for address in ready
            )

        until(all_ready, 90, f"every process ready again (supervisor: {supervising.lines[-10:]})")

        # 2. Never a 500: a process killed is the gateway's 502, a connection cut a 503.
        assert 500 not in loaded["statuses"], loaded["error_kinds"]

        # 3. What was acknowledged is there.
        created, submitted = loaded["acknowledged"]["created"], loaded["acknowledged"]["submitted"]
        assert created, "no nomination was created under the load"
        rows = dict(
            asyncio.run(
                query(url, "SELECT id, status FROM nominations.nominations WHERE round_id = :r", r=load_round)
            )
        )
        assert set(created) <= set(rows), sorted(set(created) - set(rows))
        assert all(rows[n] != "draft" for n in submitted), [n for n in submitted if rows[n] == "draft"]

        # 4. The killed import: all or nothing, and whole when sent again.
        def stored_import() -> int:
            [(count,)] = asyncio.run(
                query(url, "SELECT count(*) FROM targets.data_values WHERE comment = :c", c=IMPORT_MARKER)
            )
            return int(count)

        first = stored_import()
        outcome["import after the kill"] = (
            f"{first} of {len(body['dataValues'])} values ({import_seconds:.2f} s)"
        )
        assert first in (0, len(body["dataValues"])), first
        again = gateway.post(
            "/api/v1/data-value-sets", json=body, headers=bearer(stack, "reporter", "HT", "chaos")
        )
        assert again.status_code == 200, again.text
        assert stored_import() == len(body["dataValues"])

        # 5. The council session closed once: closed now (or closed again by its clerk), one event.
        def closed() -> bool:
            read = gateway.get(f"/api/v1/council-sessions/{session_id}", headers=secretariat)
            if read.json()["status"] != "closed":
                gateway.post(
                    f"/api/v1/council-sessions/{session_id}/actions/close",
                    headers=secretariat | {"If-Match": read.headers["ETag"]},
                )
                return False
            return True

        read = gateway.get(f"/api/v1/council-sessions/{session_id}", headers=secretariat)
        outcome["council session after the kill"] = read.json()["status"]
        until(closed, 60, "the council session closed")
        [(events,)] = asyncio.run(
            query(
                url,
                "SELECT count(*) FROM nominations.outbox WHERE event_type = 'council_session.closed'"
                " AND subject = :s",
                s=f"council_session/{session_id}",
            )
        )
        assert events == 1
        decided = dict(
            asyncio.run(
                query(
                    url,
                    "SELECT id, status FROM nominations.nominations WHERE id = ANY(:ids)",
                    ids=council_nominations,
                )
            )
        )
        # Every one past the council alike (all ballots approved), none left behind in it.
        assert len(set(decided.values())) == 1, decided
        assert set(decided.values()) <= {"disclosure", "approved"}, decided

        # 6. Every event reached notifications once, under its own id, and nothing else did.
        def relayed() -> bool:
            [(waiting,)] = asyncio.run(
                query(
                    url,
                    "SELECT (SELECT count(*) FROM targets.outbox WHERE published_at IS NULL)"
                    " + (SELECT count(*) FROM nominations.outbox WHERE published_at IS NULL)",
                )
            )
            return int(waiting) == 0

        until(relayed, 90, "every outbox event published")
        [(missing, extra)] = asyncio.run(
            query(
                url,
                "WITH produced AS (SELECT id FROM targets.outbox UNION ALL SELECT id FROM nominations.outbox)"
                " SELECT (SELECT count(*) FROM produced p WHERE NOT EXISTS"
                "   (SELECT 1 FROM notifications.events e WHERE e.id = p.id)),"
                " (SELECT count(*) FROM notifications.events e WHERE NOT EXISTS"
                "   (SELECT 1 FROM produced p WHERE p.id = e.id))",
            )
        )
        assert (missing, extra) == (0, 0)
    finally:
        supervising.done.set()
        supervising.join(10)
        gateway.close()
        for client in direct.values():
            client.close()
    # What happened, for the log of the run (pytest -s, or -rA) and the closing note's figures.
    print(  # noqa: T201
        f"chaos: kills {kills}; connections cut {cuts}; load {loaded.get('requests')} requests,"
        f" statuses {loaded.get('statuses')}; {outcome}; supervisor: {len(supervising.lines)} lines"
    )
    assert set(VICTIMS) <= {kill.split(" ")[0] for kill in kills}


def kill_during(
    stack: Stack,
    lock: threading.Lock,
    victim: str,
    after_seconds: float,
    client: httpx.Client,
    path: str,
    body: Any,
    headers: dict[str, str],
) -> None:
    """POST ``body`` to ``path`` and kill ``victim`` ``after_seconds`` into it; the answer may never come."""

    def send() -> None:
        with contextlib.suppress(httpx.HTTPError):
            client.post(path, json=body, headers=headers)

    sending = threading.Thread(target=send, daemon=True)
    sending.start()
    time.sleep(after_seconds)
    kill(stack, lock, victim)
    sending.join(60)
