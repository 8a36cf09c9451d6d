"""``make bench-load``: the platform under a mixed load through the gateway, with locust.

1. Start the whole stack (embedded PostgreSQL in a fresh directory, or ``BENCH_DATABASE_URL``), its gateway
   trusting the load generator's address as it would an Ingress (each simulated user has an address of its
   own in ``X-Forwarded-For``, so the per-address limits of ``/api/v1/public/`` apply to each).
2. Load the demonstration (results 2021-2024, the 2024 round decided, the registry, inboxes) and open a round
   for submissions today.
3. Run ``devstack/locustfile.py`` headless: public progress, registry searches, inbox reads, result imports,
   nominations created and submitted, a district's list; and the same public reads sent to the services' own
   ports. The users are spawned first (not measured), then measured for the run's duration.
4. Every request's time and outcome is recorded by the locustfile (not locust's rounded percentiles): the
   rate, errors, p50/p95/p99 overall and per request type, and the gateway's overhead, the same read through
   the gateway against directly, in the same run. Peak memory of every process, and the CPU the load
   generator itself took.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from devstack.bench import DISTRICTS, measure_on_stack
from devstack.demo import load_demo
from devstack.flows import AwardsFlow
from devstack.keys import DevKeys
from devstack.stack import Stack

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# The locustfile's names of a nomination's creation and submission (not imported from it: gevent patches).
CREATE, SUBMIT = "POST /api/v1/nominations", "POST /api/v1/nominations/{id}/actions/submit"
# The two public reads measured both ways: (through the gateway, directly).
COMPARED = {
    "public progress": ("GET /api/v1/public/progress", "direct GET /v1/public/progress"),
    "registry search": ("GET /api/v1/public/awards", "direct GET /v1/public/awards"),
    "inbox": ("GET /api/v1/inbox", "direct GET /v1/inbox"),
}


@dataclass(frozen=True)
class LoadOptions:
    rate: float = 200.0  # requests per second, all users together
    users: int = 100
    duration_s: int = 600
    spawn_s: int = 10
    seed: int = 20261204
    # The nominations service takes four requests in ten and the most CPU per request; one process is one
    # core at most, and its queue was the p95 (215 ms over ten minutes, 131 ms with two: docs/benchmarks.md).
    # Two workers on this machine are what a second replica would be on Kubernetes.
    nominations_workers: int = 2
    # Where to keep every request's record (name, ms, status, seconds since the start) for a closer look.
    records: Path | None = None
    # Instead of the load: each kind of request sent this many times alone, its CPU per process (--cost).
    cost_requests: int = 0


def _plan(stack: Stack, keys: DevKeys, round_id: int, options: LoadOptions) -> dict[str, Any]:
    ttl = options.duration_s + 3600

    def tokens(role: str) -> dict[str, str]:
        return {
            unit: keys.mint(roles=[role], org_unit=unit, subject=f"{role}-load-{unit}", ttl_seconds=ttl)
            for unit in DISTRICTS
        }

    return {
        "seed": options.seed,
        "districts": DISTRICTS,
        "progress_units": ["HT", *DISTRICTS],
        "round_id": round_id,
        "requests_per_second": options.rate,
        "users": options.users,
        "tokens": {"officer": tokens("unit_officer"), "reporter": tokens("reporter")},
        "direct": {name: stack.service_url(name) for name in ("targets", "nominations", "notifications")},
    }


async def _open_round(stack: Stack, keys: DevKeys) -> int:
    def auth(role: str, *, org_unit: str | None, subject: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys.mint(roles=[role], org_unit=org_unit, subject=subject)}"}

    async with httpx.AsyncClient(base_url=stack.gateway_url + "/api", timeout=60) as client:
        created = await AwardsFlow(client, auth).create_round(name="Đợt khen thưởng đo tải")
    return int(created["id"])


def percentile(times: Sequence[float], q: int) -> float:
    """The ``q``-th percentile of ``times`` (ms, rounded to 0.1), the inclusive method."""
    if len(times) < 2:
        return round(times[0], 1) if times else 0.0
    return round(statistics.quantiles(times, n=100, method="inclusive")[q - 1], 1)


def summarise(records: Sequence[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Rates, errors and percentiles from the locustfile's records (name, ms, status, error)."""
    by_name: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    for record in records:
        by_name[record["name"]].append(record["ms"])
        if record["error"]:
            errors[f"{record['name']}: {record['status']} {record['error'][:120]}"] += 1
    every = [record["ms"] for record in records]
    through_gateway = [r["ms"] for r in records if not r["name"].startswith("direct ")]
    result: dict[str, Any] = {
        "requests": len(records),
        "seconds": round(seconds, 1),
        "requests_per_s": round(len(records) / seconds, 1),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(10)),
        "p50_ms": percentile(every, 50),
        "p95_ms": percentile(every, 95),
        "p99_ms": percentile(every, 99),
        "through_gateway_p95_ms": percentile(through_gateway, 95),
        "by_request": {
            name: {
                "count": len(times),
                "p50_ms": percentile(times, 50),
                "p95_ms": percentile(times, 95),
                "p99_ms": percentile(times, 99),
            }
            for name, times in sorted(by_name.items())
        },
    }
    overhead: dict[str, Any] = {}
    for what, (gateway_name, direct_name) in COMPARED.items():
        gateway, direct = by_name.get(gateway_name, []), by_name.get(direct_name, [])
        if not gateway or not direct:
            continue
        gateway_p50, direct_p50 = statistics.median(gateway), statistics.median(direct)
        overhead[what] = {
            "gateway_p50_ms": round(gateway_p50, 2),
            "direct_p50_ms": round(direct_p50, 2),
            "overhead_p50_ms": round(gateway_p50 - direct_p50, 2),
            "overhead_p50_percent": round(100 * (gateway_p50 - direct_p50) / direct_p50, 1),
            "overhead_mean_percent": round(
                100 * (statistics.fmean(gateway) - statistics.fmean(direct)) / statistics.fmean(direct), 1
            ),
        }
    result["gateway_overhead"] = overhead
    return result


def cpu_seconds(stack: Stack, extra: dict[str, int]) -> dict[str, float]:
    """CPU time so far of each process of the stack (with its children), of ``extra``'s, and of PostgreSQL's
    server processes on this machine (a local database: the embedded one, or the suite's)."""
    pids = {name: process.pid for name, process in stack.processes.items()} | extra
    spent: dict[str, float] = {}
    for name, pid in pids.items():
        try:
            parent = psutil.Process(pid)
            times = [parent.cpu_times(), *(child.cpu_times() for child in parent.children(recursive=True))]
        except psutil.Error:
            continue
        spent[name] = sum(t.user + t.system for t in times)
    spent["postgresql"] = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in {"postgres", "postmaster"}:
            with contextlib.suppress(psutil.Error):
                cpu = process.cpu_times()
                spent["postgresql"] += cpu.user + cpu.system
    return spent


def run_load(stack: Stack, plan: dict[str, Any], options: LoadOptions, work: Path) -> dict[str, Any]:
    """Run the locustfile against ``stack`` with ``plan``; its summary (see :func:`summarise`)."""
    work.mkdir(parents=True, exist_ok=True)
    plan_file, records_file = work / "load-plan.json", work / "load-records.jsonl"
    plan_file.write_text(json.dumps(plan))
    records_file.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        stack.gateway_url,
        "--users",
        str(options.users),
        "--spawn-rate",
        str(max(1, options.users // max(1, options.spawn_s))),
        "--run-time",
        f"{options.duration_s + options.spawn_s}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "LOAD_PLAN": str(plan_file),
        "LOAD_RECORDS": str(records_file),
        "LOAD_MEASURE_AFTER_S": str(options.spawn_s),
    }
    started = time.monotonic()
    # locust's own output to a file: a pipe nobody reads until the end would stop it once full.
    output_file = work / "locust.log"
    with output_file.open("w") as output_sink:
        process = subprocess.Popen(command, env=env, stdout=output_sink, stderr=subprocess.STDOUT)
    # CPU over the measured part: from the end of the spawning to the end of the run, read at both ends only
    # (each reading walks every process of the machine: read every second, it took a tenth of a core).
    time.sleep(options.spawn_s)
    before, measured_from = cpu_seconds(stack, {"load generator": process.pid}), time.monotonic()
    after: dict[str, float] | None = None
    window = 0.0
    try:
        while process.poll() is None:
            # A second before locust's end, while its process is still there to be read.
            if after is None and time.monotonic() - measured_from >= options.duration_s - 1:
                after = cpu_seconds(stack, {"load generator": process.pid})
                window = time.monotonic() - measured_from
            time.sleep(0.5)
        process.wait(timeout=options.duration_s + 120)
    finally:
        if process.poll() is None:
            process.kill()
    if after is None:  # locust stopped early: what the stack spent until then
        after = cpu_seconds(stack, {"load generator": process.pid})
        window = time.monotonic() - measured_from
    elapsed = time.monotonic() - started
    if not records_file.exists():
        raise RuntimeError(
            f"locust recorded nothing (exit {process.returncode}):\n{output_file.read_text()[-3000:]}"
        )
    if options.records is not None:
        shutil.copyfile(records_file, options.records)
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    measured = [record for record in records if record["measured"]]
    summary = summarise(measured, float(options.duration_s))
    # Percent of one core, per process: 200 would be both of this machine's cores.
    summary["cpu_percent_of_a_core"] = {
        name: round(100 * (after[name] - before[name]) / max(window, 1.0), 1)
        for name in sorted(after, key=lambda name: before.get(name, 0.0) - after[name])
        if name in before
    }
    summary["wall_s"] = round(elapsed, 1)
    summary["spawn_excluded_requests"] = len(records) - len(measured)
    summary["statuses"] = dict(sorted(Counter(record["status"] for record in records).items()))
    summary["acknowledged"] = {
        kind: [record["id"] for record in records if "id" in record and record["name"] == name]
        for kind, name in (("created", CREATE), ("submitted", SUBMIT))
    }
    return summary


Send = Callable[[httpx.Client, int], list[httpx.Response]]


def _cost_requests(plan: dict[str, Any]) -> dict[str, Send]:
    """The kinds of request of the mix, sent through the gateway as the locustfile sends them."""
    district = plan["districts"][0]
    officer = {"Authorization": f"Bearer {plan['tokens']['officer'][district]}"}
    reporter = {"Authorization": f"Bearer {plan['tokens']['reporter'][district]}"}
    searches = ("Nguyễn", "Trần Văn", "huyện", "2024")

    def nominate(client: httpx.Client, i: int) -> list[httpx.Response]:
        body = {
            "round_id": plan["round_id"],
            "award_type_code": "CSTD_CO_SO",
            "nominee": {
                "kind": "individual",
                "name": "Nguyễn Thị Hà",
                "key": f"COST-{i}-{time.monotonic_ns()}",
                "position": "Giáo viên",
                "org_unit": district,
            },
            "nominating_org_unit": district,
            "achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2024.",
            "achievement_keys": [],
            "initiatives": [{"title": "Sổ tay số hóa hồ sơ", "scope": "grassroots", "year": 2024}],
            "open_discipline": False,
        }
        created = client.post(
            "/api/v1/nominations",
            json=body,
            headers=officer | {"Idempotency-Key": f"c{i}-{body['nominee']['key']}"},
        )
        nomination = created.json()
        submitted = client.post(
            f"/api/v1/nominations/{nomination['id']}/actions/submit",
            json={},
            headers=officer | {"If-Match": f'"{nomination["version"]}"'},
        )
        return [created, submitted]

    def results(client: httpx.Client, i: int) -> list[httpx.Response]:
        values = [
            {"dataElement": code, "period": "2024", "value": str(1000 + i)}
            for code in ("ECO_NEW_ENTERPRISES", "SOC_NEW_JOBS")
        ]
        body = {"dataSet": "HT-PLAN", "orgUnit": district, "dataValues": values}
        return [client.post("/api/v1/data-value-sets", json=body, headers=reporter)]

    return {
        "public progress": lambda client, i: [client.get(f"/api/v1/public/progress?org_unit={district}")],
        "registry search": lambda client, i: [
            client.get(f"/api/v1/public/awards?q={searches[i % len(searches)]}&limit=20")
        ],
        "inbox": lambda client, i: [client.get("/api/v1/inbox?limit=20", headers=officer)],
        "a district's nominations": lambda client, i: [
            client.get(f"/api/v1/nominations?round_id={plan['round_id']}&limit=20", headers=officer)
        ],
        "result import (two values)": results,
        "nomination created and submitted": nominate,
    }


def request_costs(stack: Stack, plan: dict[str, Any], count: int) -> dict[str, Any]:
    """Each kind of request of the mix sent ``count`` times one after the other (after 10 not measured):
    the time each answer took and the CPU each process of the stack spent per request, in ms. What a
    request costs, which on two shared cores decides how much of the mix fits."""
    costs: dict[str, Any] = {}
    with httpx.Client(base_url=stack.gateway_url, timeout=60) as client:
        for kind, send in _cost_requests(plan).items():
            for i in range(10):
                send(client, -i)
            time.sleep(1)  # the relays and the worker done with the warm-up's events
            before, started = cpu_seconds(stack, {}), time.perf_counter()
            for i in range(count):
                for response in send(client, i):
                    response.raise_for_status()
            wall = time.perf_counter() - started
            time.sleep(1)  # the events of the last requests relayed and fanned out too
            after = cpu_seconds(stack, {})
            spent = {
                name: round(1000 * (after[name] - before[name]) / count, 2)
                for name in after
                if name in before
            }
            costs[kind] = {
                "wall_ms": round(1000 * wall / count, 2),
                "cpu_ms": {
                    name: ms for name, ms in sorted(spent.items(), key=lambda item: -item[1]) if ms >= 0.05
                },
            }
    return costs


async def _run(stack: Stack, keys: DevKeys, options: LoadOptions) -> dict[str, Any]:
    started = time.perf_counter()
    # The demonstration moves the nominations clock, which is each process's own: loaded with one worker,
    # then the service started again with the workers of the run.
    demo = await asyncio.to_thread(load_demo, stack)
    if options.nominations_workers > 1:
        workers = {"NOMINATIONS_WORKERS": str(options.nominations_workers)}
        await asyncio.to_thread(stack.restart_with, "nominations", workers)
    round_id = await _open_round(stack, keys)
    prepared = time.perf_counter() - started
    plan = _plan(stack, keys, round_id, options)
    if options.cost_requests:
        costs = await asyncio.to_thread(request_costs, stack, plan, options.cost_requests)
        return {
            "options": {"cost_requests": options.cost_requests},
            "prepared_s": round(prepared, 1),
            "costs": costs,
        }
    load = await asyncio.to_thread(run_load, stack, plan, options, stack.options.state / "load")
    acknowledged = load.pop("acknowledged")
    load["nominations"] = {kind: len(ids) for kind, ids in acknowledged.items()}
    return {
        "options": {
            "rate_per_s": options.rate,
            "users": options.users,
            "duration_s": options.duration_s,
            "spawn_s": options.spawn_s,
            "seed": options.seed,
            "nominations_workers": options.nominations_workers,
        },
        "prepared_s": round(prepared, 1),
        "demo": demo.loaded,
        "load": load,
    }


def run_bench_load(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack bench-load", description=__doc__)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--rate", type=float, default=LoadOptions.rate, help="requests/s in all")
    parser.add_argument("--users", type=int, default=LoadOptions.users)
    parser.add_argument("--duration", type=int, default=LoadOptions.duration_s, help="measured seconds")
    parser.add_argument(
        "--records", type=Path, default=None, help="keep every request's record there (JSON lines)"
    )
    parser.add_argument(
        "--cost", type=int, default=0, help="instead of the load: each kind of request N times"
    )
    args = parser.parse_args(argv)
    options = LoadOptions(
        rate=args.rate,
        users=args.users,
        duration_s=args.duration,
        records=args.records,
        cost_requests=args.cost,
        nominations_workers=int(os.environ.get("NOMINATIONS_WORKERS", LoadOptions.nominations_workers)),
    )

    async def run(stack: Stack, keys: DevKeys) -> dict[str, Any]:
        return await _run(stack, keys, options)

    # Memory looked at every 5 s: each look walks every process in /proc, CPU the load would compete for.
    results = measure_on_stack(
        "bench-load-", run, args.output, stack_options={"trusted_proxies": ("127.0.0.1",)}, memory_every_s=5.0
    )
    if "costs" in results:
        return 0
    load = results["load"]
    return 0 if load["errors"] == 0 else 1
