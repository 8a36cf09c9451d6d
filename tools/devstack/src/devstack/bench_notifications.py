"""``make bench-notifications``: the notifications service measured on a real stack (issue 10's figures).

1. Start the whole stack on free ports (embedded PostgreSQL in a fresh directory, or ``BENCH_DATABASE_URL``;
   the three services, the two relays, the notifications worker(s), the mail catcher, nginx), and beside it
   the benchmark's own receivers (:mod:`devstack.sinks`: an SMTP server and a webhook receiver that count).
2. Intake: events posted to ``POST /internal/v1/events`` with the ``targets`` service token, one event per
   request (several clients at once over kept-alive connections) and in batches of 500; every one is then
   looked up in ``notifications.events``. The events reach nobody (no recipient, no endpoint yet), so the
   worker's fan-outs that follow are cheap; the time until they are all done is reported too.
3. Relay lag: rows written into ``targets.outbox`` at a steady rate (100/s), one producer transaction each,
   as the targets service writes them; the lag is ``events.received_at`` (intake's transaction) minus the
   moment the producer's COMMIT returned, both on this machine's clock. p50 / p95 / p99.
4. Webhooks: endpoints registered for 10 districts (through the API), pointing at the receiver; events
   naming the 10 districts posted to intake; deliveries/s from the first post until the receiver has them
   all (and the service has recorded them all sent). A sample is verified with ``standardwebhooks``.
5. Fan-out: 10,000 recipients imported as CSV (``POST /v1/recipients/import``) with the ``secretariat`` role,
   which ``objection.filed`` reaches by inbox and email; one such event posted; the time until the 10,000
   inbox items exist and until the SMTP server has accepted the 10,000 messages (``--mail-sink counting``,
   the default, or the stack's mail catcher, which writes and syncs one ``.eml`` file per message:
   ``--mail-sink catcher``).
6. Memory (RSS, psutil, with children) of every process at rest, after the runs, and at its peak.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from devstack.bench import DISTRICTS, MemoryWatch, write_results
from devstack.keys import DevKeys
from devstack.postgres import libpq_url
from devstack.stack import Stack, StackOptions, free_port, memory_mib
from shared import clock

INTAKE = "/internal/v1/events"
MAIL_SINKS = ("counting", "catcher")
PHASES = ("intake", "relay", "webhooks", "fan-out")


@dataclass
class Options:
    single_events: int = 1_500
    single_clients: int = 8
    batched_events: int = 6_000
    batch_size: int = 500
    batch_clients: int = 2
    relay_rate: float = 100.0
    relay_seconds: float = 15.0
    webhook_units: int = 10
    endpoints_per_unit: int = 2
    webhook_events: int = 100
    recipients: int = 10_000
    mail_sink: str = "counting"
    # One worker process per core of the two-core machine the targets are set for (a worker is one asyncio
    # loop: one core at most); --workers 1 measures one.
    workers: int = 2
    timeout_s: float = 180.0
    worker_concurrency: int = 8
    phases: tuple[str, ...] = PHASES


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def _results_imported(reporter: str, org_units: Sequence[str]) -> dict[str, Any]:
    """A ``results.imported`` event (producer targets); with no org units it reaches nobody."""
    import_id = str(uuid.uuid4())
    return {
        "id": str(uuid.uuid4()),
        "type": "results.imported",
        "version": 1,
        "occurred_at": clock.wall_now().isoformat(),
        "subject": f"import/{import_id}",
        "producer": "targets",
        "data": {
            "import_id": import_id,
            "reporter": reporter,
            "org_units": list(org_units),
            "periods": ["202410"],
            "status": "SUCCESS",
            "imported": 10,
            "updated": 0,
            "ignored": 0,
            "deleted": 0,
            "conflicts": 0,
        },
    }


class RawClient:
    """HTTP/1.1 over one kept-alive connection, requests prepared as bytes: the load generator must cost
    little CPU, since it shares the two cores with what it measures (httpx costs about as much per request
    as the service does)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    @staticmethod
    def request(host: str, path: str, token: str, body: bytes) -> bytes:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None  # noqa: S101 - opened above
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


async def _post_all(
    port: int, token: str, bodies: Sequence[bytes], clients: int
) -> tuple[float, list[tuple[int, bytes]]]:
    """Every body posted to intake by ``clients`` connections at once; the seconds and the answers."""
    requests = [RawClient.request("127.0.0.1", INTAKE, token, body) for body in bodies]
    answers: list[tuple[int, bytes]] = [(0, b"")] * len(requests)
    next_index = iter(range(len(requests)))

    async def worker() -> None:
        client = RawClient("127.0.0.1", port)
        try:
            for index in next_index:
                answers[index] = await client.send(requests[index])
        finally:
            await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return time.perf_counter() - started, answers


async def _wait_for(
    check: Any, wanted: int, timeout_s: float, every_s: float = 0.1, since: float | None = None
) -> tuple[float | None, int]:
    """Poll ``check()`` until it reaches ``wanted``: (seconds since ``since``, a ``perf_counter()``, by
    default the call; or None on timeout; the last count). Every 0.1 s: the polls' own CPU (an HTTP
    request to the sinks or a count in PostgreSQL) comes out of the two cores being measured."""
    started = time.perf_counter() if since is None else since
    last = 0
    while time.perf_counter() - started < timeout_s:
        last = int(await check())
        if last >= wanted:
            return time.perf_counter() - started, last
        await asyncio.sleep(every_s)
    return None, last


async def _fanned_out(db: asyncpg.Pool) -> None:
    """Wait until the worker has fanned out every event received so far."""
    await _wait_for(
        lambda: db.fetchval("SELECT count(*) = 0 FROM notifications.events WHERE fanned_out_at IS NULL"),
        1,
        300,
        0.1,
    )


async def _intake(stack: Stack, keys: DevKeys, db: asyncpg.Pool, options: Options) -> dict[str, Any]:
    port = stack.options.port_of("notifications")
    token = keys.mint_service("targets")
    results: dict[str, Any] = {}
    # Warm-up: the service's first requests pay for imports, the token's verification, statement caches.
    warm = [json.dumps(_results_imported("bench-warm", [])).encode() for _ in range(200)]
    await _post_all(port, token, warm, options.single_clients)
    await _fanned_out(db)

    single = [_results_imported("bench-single", []) for _ in range(options.single_events)]
    elapsed, answers = await _post_all(
        port, token, [json.dumps(event).encode() for event in single], options.single_clients
    )
    statuses = [status for status, _ in answers]
    started = time.perf_counter()
    await _fanned_out(db)
    results["single"] = {
        "events": len(single),
        "clients": options.single_clients,
        "seconds": round(elapsed, 2),
        "events_per_s": round(len(single) / elapsed),
        "non_202": sum(1 for status in statuses if status != 202),
        "persisted": await db.fetchval(
            "SELECT count(*) FROM notifications.events WHERE id = ANY($1::uuid[])",
            [event["id"] for event in single],
        ),
        "fan_outs_drained_after_s": round(time.perf_counter() - started, 2),
    }

    batched = [_results_imported("bench-batched", []) for _ in range(options.batched_events)]
    bodies = [
        json.dumps(batched[start : start + options.batch_size]).encode()
        for start in range(0, len(batched), options.batch_size)
    ]
    elapsed, answers = await _post_all(port, token, bodies, options.batch_clients)
    accepted = sum(
        1
        for status, body in answers
        if status == 200
        for result in json.loads(body)["results"]
        if result["status"] == "accepted"
    )
    started = time.perf_counter()
    await _fanned_out(db)
    results["batched"] = {
        "events": len(batched),
        "batch_size": options.batch_size,
        "clients": options.batch_clients,
        "seconds": round(elapsed, 2),
        "events_per_s": round(len(batched) / elapsed),
        "accepted": accepted,
        "persisted": await db.fetchval(
            "SELECT count(*) FROM notifications.events WHERE id = ANY($1::uuid[])",
            [event["id"] for event in batched],
        ),
        "fan_outs_drained_after_s": round(time.perf_counter() - started, 2),
    }
    return results


async def _relay_lag(db: asyncpg.Pool, options: Options) -> dict[str, Any]:
    """Producer transactions at a steady rate into targets' outbox; the relay delivers them to intake."""
    count = int(options.relay_rate * options.relay_seconds)
    committed: dict[uuid.UUID, float] = {}
    interval = 1.0 / options.relay_rate
    late = 0
    async with db.acquire() as connection:
        started = time.perf_counter()
        for index in range(count):
            due = started + index * interval
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                late += 1
            event = _results_imported("bench-relay", [])
            event_id = uuid.UUID(event["id"])
            async with connection.transaction():
                await connection.execute(
                    "INSERT INTO targets.outbox (id, event_type, version, subject, payload)"
                    " VALUES ($1, $2, 1, $3, $4::jsonb)",
                    event_id,
                    event["type"],
                    event["subject"],
                    json.dumps(event["data"]),
                )
            committed[event_id] = clock.wall_seconds()
        rate = count / (time.perf_counter() - started)
    ids = list(committed)
    seconds, received = await _wait_for(
        lambda: db.fetchval("SELECT count(*) FROM notifications.events WHERE id = ANY($1::uuid[])", ids),
        count,
        options.timeout_s,
    )
    rows = await db.fetch(
        "SELECT id, extract(epoch FROM received_at)::float8 AS at FROM notifications.events"
        " WHERE id = ANY($1::uuid[])",
        ids,
    )
    lags = [(row["at"] - committed[row["id"]]) * 1000 for row in rows]
    await _fanned_out(db)
    return {
        "events": count,
        "rate_per_s": round(rate, 1),
        "ticks_late": late,
        "received": received,
        "all_received_after_last_commit_s": None if seconds is None else round(seconds, 2),
        "lag_ms": {
            "p50": round(statistics.median(lags), 1),
            "p95": round(_percentile(lags, 0.95), 1),
            "p99": round(_percentile(lags, 0.99), 1),
            "max": round(max(lags), 1),
            "min": round(min(lags), 1),
        },
    }


async def _sink_counts(client: httpx.AsyncClient) -> dict[str, int]:
    response = await client.get("/count")
    response.raise_for_status()
    counts: dict[str, int] = response.json()
    return counts


async def _webhooks(
    stack: Stack,
    keys: DevKeys,
    api: httpx.AsyncClient,
    sink: httpx.AsyncClient,
    db: asyncpg.Pool,
    options: Options,
) -> dict[str, Any]:
    units = DISTRICTS[: options.webhook_units]
    secrets: dict[str, str] = {}
    receiver = str(sink.base_url).rstrip("/")
    number = 0
    for unit in units:
        for _ in range(options.endpoints_per_unit):
            number += 1
            response = await api.post(
                "/v1/webhook-endpoints",
                json={"org_unit": unit, "url": f"{receiver}/hooks/{number}", "description": "bench"},
            )
            if response.status_code != 201:
                raise RuntimeError(f"webhook endpoint: {response.status_code} {response.text[:500]}")
            secrets[str(number)] = response.json()["secret"]
    (await sink.put("/secrets", json=secrets)).raise_for_status()
    before = (await _sink_counts(sink))["webhooks"]
    events = [_results_imported("bench-webhooks", units) for _ in range(options.webhook_events)]
    wanted = len(events) * number
    token = keys.mint_service("targets")
    port = stack.options.port_of("notifications")
    started = time.perf_counter()
    _, answers = await _post_all(port, token, [json.dumps(events).encode()], 1)
    if answers[0][0] != 200:
        raise RuntimeError(f"intake: {answers[0][0]} {answers[0][1][:500]!r}")
    ids = [event["id"] for event in events]
    received_s, received = await _wait_for(
        lambda: _received(sink, before), wanted, options.timeout_s, since=started
    )
    recorded_s, recorded = await _wait_for(
        lambda: db.fetchval(
            "SELECT count(*) FROM notifications.deliveries WHERE event_id = ANY($1::uuid[])"
            " AND channel = 'webhook' AND status = 'sent'",
            ids,
        ),
        wanted,
        options.timeout_s,
    )
    total_s = time.perf_counter() - started
    rows = await db.fetch(
        "SELECT status, count(*) FROM notifications.deliveries WHERE event_id = ANY($1::uuid[])"
        " GROUP BY status",
        ids,
    )
    statuses = {row[0]: row[1] for row in rows}
    counts = await _sink_counts(sink)
    return {
        "endpoints": number,
        "events": len(events),
        "deliveries": wanted,
        "received": received,
        "received_s": None if received_s is None else round(received_s, 2),
        "all_recorded_sent_s": round(total_s, 2) if recorded_s is not None else None,
        "deliveries_per_s": round(wanted / received_s) if received_s else None,
        "recorded_per_s": round(recorded / total_s),
        "statuses": statuses,
        "receiver": counts,
    }


async def _received(sink: httpx.AsyncClient, before: int) -> int:
    return (await _sink_counts(sink))["webhooks"] - before


def _recipients_csv(count: int) -> str:
    lines = ["sub,display_name,email,language,org_unit,roles,subscriptions"]
    for index in range(count):
        language = "en" if index % 10 == 0 else "vi"
        unit = DISTRICTS[index % len(DISTRICTS)]
        lines.append(
            f"bench-{index:05d},Cán bộ {index:05d},can.bo.{index:05d}@thidua.hatinh.gov.vn,"
            f"{language},{unit},secretariat,"
        )
    return "\n".join(lines) + "\n"


def _mail_count(stack: Stack, sink: httpx.AsyncClient, mail_sink: str) -> Any:
    directory = stack.options.state / "mail"

    async def count() -> int:
        if mail_sink == "catcher":
            return sum(1 for entry in os.scandir(directory) if entry.name.endswith(".eml"))
        return (await _sink_counts(sink))["smtp_messages"]

    return count


async def _fan_out(
    stack: Stack,
    keys: DevKeys,
    api: httpx.AsyncClient,
    sink: httpx.AsyncClient,
    db: asyncpg.Pool,
    options: Options,
) -> dict[str, Any]:
    started = time.perf_counter()
    response = await api.post(
        "/v1/recipients/import",
        content=_recipients_csv(options.recipients).encode(),
        headers={"Content-Type": "text/csv"},
    )
    if response.status_code != 200:
        raise RuntimeError(f"recipients import: {response.status_code} {response.text[:500]}")
    import_s = time.perf_counter() - started
    count_mail = _mail_count(stack, sink, options.mail_sink)
    mail_before = await count_mail()
    event: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "type": "objection.filed",
        "version": 1,
        "occurred_at": clock.wall_now().isoformat(),
        "subject": "objection/1",
        "producer": "nominations",
        "data": {
            "objection_id": 1,
            "nomination_id": 42,
            "round_id": 1,
            "award_type": "CSTD_CO_SO",
            "nominee_name": "Nguyễn Thị Hương",
            "nominating_org_unit": "HT-THA",
        },
    }
    token = keys.mint_service("nominations")
    port = stack.options.port_of("notifications")
    started = time.perf_counter()
    _, answers = await _post_all(port, token, [json.dumps(event).encode()], 1)
    if answers[0][0] != 202:
        raise RuntimeError(f"intake: {answers[0][0]} {answers[0][1][:500]!r}")
    event_id = uuid.UUID(event["id"])
    inbox_s, inbox = await _wait_for(
        lambda: db.fetchval("SELECT count(*) FROM notifications.inbox_items WHERE event_id = $1", event_id),
        options.recipients,
        options.timeout_s,
    )
    mail_s, mail = await _wait_for(
        lambda: _minus(count_mail, mail_before), options.recipients, options.timeout_s, since=started
    )
    recorded_s, recorded = await _wait_for(
        lambda: db.fetchval(
            "SELECT count(*) FROM notifications.deliveries WHERE event_id = $1 AND channel = 'email'"
            " AND status = 'sent'",
            event_id,
        ),
        options.recipients,
        options.timeout_s,
        since=started,
    )
    total_s = time.perf_counter() - started
    fanned = await db.fetchrow(
        "SELECT extract(epoch FROM fanned_out_at - received_at)::float8 AS fan_out_s, recipients"
        " FROM notifications.events WHERE id = $1",
        event_id,
    )
    return {
        "recipients": options.recipients,
        "recipients_import_s": round(import_s, 2),
        "mail_sink": options.mail_sink,
        "inbox_items": inbox,
        "inbox_done_s": None if inbox_s is None else round(inbox_s, 2),
        "fan_out_transaction_s": round(fanned["fan_out_s"], 2) if fanned else None,
        "deliveries_made": fanned["recipients"] if fanned else None,
        "emails_accepted": mail,
        "emails_accepted_s": None if mail_s is None else round(mail_s, 2),
        "emails_recorded_sent": recorded,
        "all_done_s": round(total_s, 2) if recorded_s is not None else None,
    }


async def _minus(count: Any, before: int) -> int:
    return int(await count()) - before


async def _run(
    stack: Stack, keys: DevKeys, sink_url: str, options: Options, memory: dict[str, Any]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    admin = keys.mint(roles=["admin"], org_unit="HT", subject="bench-admin")
    pool = await asyncpg.create_pool(libpq_url(stack.database_url), min_size=1, max_size=3)
    assert pool is not None  # noqa: S101
    try:
        async with (
            httpx.AsyncClient(
                base_url=stack.service_url("notifications"),
                timeout=600,
                headers={"Authorization": f"Bearer {admin}"},
            ) as api,
            httpx.AsyncClient(base_url=sink_url, timeout=30) as sink,
        ):
            pids = memory["cpu_pids"]
            if "intake" in options.phases:
                with _cpu_of(pids) as cpu:
                    results["intake"] = await _intake(stack, keys, pool, options)
                results["intake"]["cpu_s"] = cpu
            if "relay" in options.phases:
                with _cpu_of(pids) as cpu:
                    results["relay_lag"] = await _relay_lag(pool, options)
                results["relay_lag"]["cpu_s"] = cpu
            if "webhooks" in options.phases:
                with _cpu_of(pids) as cpu:
                    results["webhooks"] = await _webhooks(stack, keys, api, sink, pool, options)
                results["webhooks"]["cpu_s"] = cpu
            if "fan-out" in options.phases:
                with _cpu_of(pids) as cpu:
                    results["fan_out"] = await _fan_out(stack, keys, api, sink, pool, options)
                results["fan_out"]["cpu_s"] = cpu
    finally:
        await pool.close()
    memory["after_mib"] = memory_mib(memory["pids"])
    return results


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, those running and those it has waited for;
    this process's own only (the stack's processes are its children)."""
    try:
        process = psutil.Process(pid)
        own = process.cpu_times()
        if pid == os.getpid():
            return own.user + own.system
        total = own.user + own.system + own.children_user + own.children_system
        for child in process.children(True):
            with contextlib.suppress(psutil.Error):
                times = child.cpu_times()
                total += times.user + times.system
    except psutil.Error:
        return 0.0
    return total


@contextlib.contextmanager
def _cpu_of(pids: dict[str, int]) -> Iterator[dict[str, float]]:
    """The CPU seconds each process spent in the block (filled in when it ends): where a phase's time went,
    on two cores shared by the worker, the service, PostgreSQL, the receivers and this load generator."""
    spent: dict[str, float] = {}
    before = {name: _cpu_seconds(pid) for name, pid in pids.items()}
    started = time.perf_counter()
    try:
        yield spent
    finally:
        for name, pid in pids.items():
            spent[name] = round(_cpu_seconds(pid) - before[name], 2)
        spent["wall"] = round(time.perf_counter() - started, 2)


def _machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def measure(options: Options, output: Path | None) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    state.chmod(0o755)
    smtp_port, http_port = free_port(), free_port()
    machine = _machine()
    sink_log = (state / "sinks.log").open("wb")
    sink_process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack.sinks",
            "--smtp-port",
            str(smtp_port),
            "--http-port",
            str(http_port),
        ],
        stdout=sink_log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    stack = Stack(
        StackOptions(
            state=state,
            database_url=os.environ.get("BENCH_DATABASE_URL") or None,
            gateway_port=free_port(),
            service_ports={},
            echo=False,
            workers=options.workers,
            extra_env={"NOTIFICATIONS_WORKER_CONCURRENCY": str(options.worker_concurrency)},
            smtp_port=smtp_port if options.mail_sink == "counting" else 0,
        )
    )
    try:
        stack.start(timeout=600)
        assert stack.keys is not None  # noqa: S101
        pids = {name: process.pid for name, process in stack.processes.items()}
        pids["sinks (benchmark's SMTP and webhook receiver)"] = sink_process.pid
        cpu_pids = {**pids, "benchmark (load generator)": os.getpid()}
        memory: dict[str, Any] = {"pids": pids, "cpu_pids": cpu_pids}
        postmaster = state / "pgdata" / "postmaster.pid"
        if postmaster.exists():  # the embedded server (its backends are its children)
            cpu_pids["postgresql"] = int(postmaster.read_text().split()[0])
        time.sleep(2.0)  # let the processes settle: at rest
        memory["at_rest_mib"] = memory_mib(pids)
        with MemoryWatch(pids, every_s=0.5) as watch:
            results = asyncio.run(_run(stack, stack.keys, f"http://127.0.0.1:{http_port}", options, memory))
        results["memory_mib"] = {
            "at_rest": memory["at_rest_mib"],
            "after_runs": memory["after_mib"],
            "peak": watch.peak_mib,
        }
        results["machine"] = {
            **machine,
            "database": stack.database_kind,
            "workers": options.workers,
            "worker_concurrency": options.worker_concurrency,
            "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        }
    finally:
        stack.stop()
        sink_process.terminate()
        try:
            sink_process.wait(10)
        except subprocess.TimeoutExpired:
            sink_process.kill()
        sink_log.close()
        shutil.rmtree(state, ignore_errors=True)
    return write_results(results, output)


def parser() -> argparse.ArgumentParser:
    defaults = Options()
    parser = argparse.ArgumentParser(prog="devstack bench-notifications", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument(
        "--mail-sink",
        choices=MAIL_SINKS,
        default=defaults.mail_sink,
        help="counting: an SMTP server that only counts (default); catcher: the stack's mail catcher, which"
        " writes and syncs one file per message",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help="notifications worker processes (default 2, one per core)",
    )
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        default=defaults.worker_concurrency,
        help="jobs each worker runs at once (NOTIFICATIONS_WORKER_CONCURRENCY, default 8)",
    )
    parser.add_argument("--recipients", type=int, default=defaults.recipients, help="fan-out recipients")
    parser.add_argument("--relay-seconds", type=float, default=defaults.relay_seconds)
    parser.add_argument(
        "--phases",
        type=lambda value: tuple(part.strip() for part in value.split(",") if part.strip()),
        default=defaults.phases,
        help=f"the phases to run, comma-separated, in their order (default: {','.join(PHASES)})",
    )
    return parser


def run_bench_notifications(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Stopped from outside (timeout, kill): still stop the stack, its processes live in sessions of their own.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    options = Options(
        mail_sink=args.mail_sink,
        workers=args.workers,
        worker_concurrency=args.worker_concurrency,
        recipients=args.recipients,
        relay_seconds=args.relay_seconds,
        phases=args.phases,
    )
    unknown = set(options.phases) - set(PHASES)
    if unknown:
        parser().error(f"unknown phases: {', '.join(sorted(unknown))} (known: {', '.join(PHASES)})")
    measure(options, args.output)
    return 0
