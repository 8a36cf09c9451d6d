import asyncio
import signal

import httpx

from devstack.stack import free_port
from shared.probes import Heartbeat, probe_app, probes_served


def client_of(heartbeat: Heartbeat, stale_after: float = 60.0) -> httpx.AsyncClient:
    app = probe_app(heartbeat, stale_after=stale_after)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe")


async def test_alive_while_the_loop_goes_round_stuck_once_it_has_not_for_too_long() -> None:
    moment = [0.0]
    heartbeat = Heartbeat(now=lambda: moment[0])
    async with client_of(heartbeat) as client:
        moment[0] = 59.0
        assert (await client.get("/healthz")).status_code == 200
        moment[0] = 61.0
        stuck = await client.get("/healthz")
        assert stuck.status_code == 503
        assert stuck.headers["content-type"] == "application/problem+json"
        assert "61 s ago" in stuck.json()["detail"]
        heartbeat.beat()
        assert (await client.get("/healthz")).status_code == 200


async def test_ready_once_the_work_has_started() -> None:
    heartbeat = Heartbeat()
    async with client_of(heartbeat) as client:
        assert (await client.get("/readyz")).status_code == 503
        heartbeat.ready = True
        assert (await client.get("/readyz")).status_code == 200
        metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "text/plain" in metrics.headers["content-type"]


async def test_served_on_its_port_without_taking_the_process_signals() -> None:
    before = signal.getsignal(signal.SIGTERM)
    port = free_port()
    async with probes_served(Heartbeat(), host="127.0.0.1", port=port, stale_after=60.0):
        async with httpx.AsyncClient() as client:
            for _ in range(50):  # the server starts in a task of its own
                try:
                    answer = await client.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
        assert answer.status_code == 200
        # The relay's own SIGTERM handler stays the one that stops it.
        assert signal.getsignal(signal.SIGTERM) is before


async def test_nothing_listens_without_a_port() -> None:
    async with probes_served(Heartbeat(), host="127.0.0.1", port=None, stale_after=60.0):
        pass
