"""The worker refuses to start with a lease that a group's sends could outlast, and answers its probes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import httpx
import pytest

from devstack.stack import free_port
from notifications.config import Settings
from notifications.main import MIGRATIONS, create_app
from notifications.worker.run import check_lease, group_sends_seconds, run_worker
from shared import cli
from shared.cli import run_service_cli
from shared.settings import ConfigurationError

DEFAULTS = {"delivery_lease_seconds": 180, "smtp_timeout_seconds": 30.0, "webhook_timeout_seconds": 10.0}


def test_the_default_lease_covers_a_groups_sends(settings: Settings) -> None:
    defaults = settings.model_copy(update=DEFAULTS)
    assert group_sends_seconds(defaults) == 120.0  # four emails in a row on a connection, 30 s each
    check_lease(defaults)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"delivery_lease_seconds": 120}, "NOTIFICATIONS_DELIVERY_LEASE_SECONDS=120"),
        ({"smtp_timeout_seconds": 60.0}, "NOTIFICATIONS_SMTP_TIMEOUT_SECONDS=60"),
        (
            {"delivery_lease_seconds": 100, "webhook_timeout_seconds": 120.0, "smtp_timeout_seconds": 1.0},
            "WEBHOOK_TIMEOUT_SECONDS=120",
        ),
    ],
)
def test_a_lease_a_group_could_outlast_is_refused(
    settings: Settings, changes: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        check_lease(settings.model_copy(update=DEFAULTS | changes))


def test_the_worker_command_stops_at_once_naming_the_lease(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the command line, as an operator meets it: exit status 2 and the settings named, nothing
    started."""
    for name, value in {
        "NOTIFICATIONS_ENVIRONMENT": "test",
        "NOTIFICATIONS_DATABASE_URL": settings.database_url.get_secret_value(),
        "NOTIFICATIONS_JWKS_FILE": str(settings.jwks_file),
        "NOTIFICATIONS_DELIVERY_LEASE_SECONDS": "60",
    }.items():
        monkeypatch.setenv(name, value)
    # The process's logging stays the suite's (the command would set it up for a process of its own).
    monkeypatch.setattr(cli, "configure_logging", lambda *_: None)
    status = run_service_cli(
        Settings, create_app, MIGRATIONS, ["worker"], commands_of_service={"worker": ("worker", run_worker)}
    )
    assert status == 2
    error = capsys.readouterr().err
    assert "notifications worker: NOTIFICATIONS_DELIVERY_LEASE_SECONDS=60 must be longer" in error


async def test_the_worker_process_answers_its_probes_and_stops_on_sigterm(settings: Settings) -> None:
    """As Kubernetes meets it: /healthz and /readyz on NOTIFICATIONS_PROBE_PORT, exit 0 on SIGTERM."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("NOTIFICATIONS_")} | {
        "NOTIFICATIONS_ENVIRONMENT": "test",
        "NOTIFICATIONS_DATABASE_URL": settings.database_url.get_secret_value(),
        "NOTIFICATIONS_JWKS_FILE": str(settings.jwks_file),
        "NOTIFICATIONS_PROBE_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "notifications", "worker", env=env, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
            ready = None
            for _ in range(300):  # the process imports for a few seconds first
                try:
                    ready = await probe.get("/readyz")
                    if ready.status_code == 200:
                        break
                except httpx.ConnectError:
                    pass
                await asyncio.sleep(0.1)
            assert ready is not None
            assert ready.status_code == 200
            alive = await probe.get("/healthz")
            assert alive.status_code == 200
            assert alive.json()["heartbeat_age_s"] < 5
    finally:
        process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), 30)
    assert status == 0
