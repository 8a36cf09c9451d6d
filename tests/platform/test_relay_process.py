"""``python -m targets relay`` and ``python -m nominations relay`` as the processes they are: configured only
by the environment, they deliver what their service's outbox holds to the intake with the service's token,
log JSON, answer their probes and count what they sent (``<S>_PROBE_PORT``), and stop cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER, DevKeys
from devstack.stack import free_port
from devstack.testing.intake import FakeIntake, serving
from shared.database import to_async_url

PRODUCERS = ["targets", "nominations"]


def environment(service: str, database_url: str, jwks_file: Path, **extra: str) -> dict[str, str]:
    prefix = f"{service.upper()}_"
    env = {name: value for name, value in os.environ.items() if not name.startswith(prefix)}
    settings = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "JWKS_FILE": str(jwks_file),
        "JWT_ISSUER": DEV_ISSUER,
        "JWT_AUDIENCE": DEV_AUDIENCE,
        "RELAY_POLL_SECONDS": "30",
    }
    return env | {f"{prefix}{name}": value for name, value in (settings | extra).items()}


@pytest.mark.parametrize("service", PRODUCERS)
async def test_the_relay_refuses_to_start_without_its_intake_and_credentials(
    service: str, database_url: str, jwks_file: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        service,
        "relay",
        env=environment(service, database_url, jwks_file),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert f"{service.upper()}_NOTIFICATIONS_URL" in err.decode()


@pytest.mark.parametrize("service", PRODUCERS)
async def test_the_relay_process_delivers_its_services_outbox_and_stops_on_sigterm(
    service: str, database_url: str, jwks_file: Path, dev_keys: DevKeys
) -> None:
    intake = FakeIntake()
    engine = create_async_engine(to_async_url(database_url))
    event_id = uuid.uuid4()
    try:
        async with serving(intake) as url:
            token = dev_keys.mint_service(service)
            probes = free_port()
            env = environment(
                service,
                database_url,
                jwks_file,
                NOTIFICATIONS_URL=url,
                SERVICE_TOKEN=token,
                PROBE_PORT=str(probes),
            )
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                service,
                "relay",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                assert process.stdout is not None
                started = json.loads(await asyncio.wait_for(process.stdout.readline(), 60))
                assert (started["message"], started["service"]) == ("relay started", service)
                await asyncio.sleep(0.5)  # listening by now: the event below is announced, not polled for
                async with engine.begin() as connection:
                    await connection.execute(
                        text(
                            f"INSERT INTO {service}.outbox (id, event_type, subject, payload)"  # noqa: S608
                            " VALUES (:id, 'test.event', 'test/1', '{\"n\": 1}')"
                        ),
                        {"id": event_id},
                    )
                deadline = time.monotonic() + 5
                while str(event_id) not in intake.ids() and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                assert str(event_id) in intake.ids()
                [sent] = [event for event in intake.received[-1] if event["id"] == str(event_id)]
                assert (sent["producer"], sent["type"], sent["data"]) == (service, "test.event", {"n": 1})
                assert intake.authorizations[-1] == f"Bearer {token}"
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{probes}") as probe:
                    assert (await probe.get("/healthz")).status_code == 200
                    assert (await probe.get("/readyz")).status_code == 200
                    metrics = (await probe.get("/metrics")).text
                published_line = f'relay_events_total{{outcome="published",producer="{service}"}} 1.0'
                assert published_line in metrics.splitlines()
            finally:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.communicate(), 15)
            assert process.returncode == 0
        async with engine.connect() as connection:
            published = await connection.scalar(
                text(f"SELECT published_at IS NOT NULL FROM {service}.outbox WHERE id = :id"),  # noqa: S608
                {"id": event_id},
            )
        assert published is True
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f"DELETE FROM {service}.outbox WHERE id = :id"), {"id": event_id})  # noqa: S608
        await engine.dispose()
