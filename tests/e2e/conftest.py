"""The real processes: PostgreSQL, the three services (uvicorn) and nginx, as ``make run`` starts them."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.postgres import PostgresServer
from devstack.stack import Stack, StackOptions, free_port
from devstack.testing.dates import SUITE_NOW

ALLOWED_ORIGIN = "http://localhost:5173"
# Deliveries retried and swept on a test's scale: a killed worker's work is handed on in seconds, not minutes.
FAST_DELIVERIES = {
    # Longer than a group's sends may take (four emails in a row at a 5 s SMTP timeout; the worker refuses a
    # shorter one), so only a kill makes a lease run out.
    "NOTIFICATIONS_DELIVERY_LEASE_SECONDS": "25",
    "NOTIFICATIONS_SWEEP_INTERVAL_SECONDS": "1",
    "NOTIFICATIONS_SWEEP_GRACE_SECONDS": "3",
    "NOTIFICATIONS_DELIVERY_BACKOFF_BASE_SECONDS": "0.2",
    "NOTIFICATIONS_DELIVERY_BACKOFF_CAP_SECONDS": "2",
    "NOTIFICATIONS_SMTP_TIMEOUT_SECONDS": "5",
    "NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS": "5",
}


def bearer(stack: Stack, role: str, org_unit: str | None, subject: str) -> dict[str, str]:
    """The Authorization header of a development token for ``role`` at ``org_unit``, as ``subject``."""
    assert stack.keys is not None
    return {"Authorization": f"Bearer {stack.keys.mint(roles=[role], org_unit=org_unit, subject=subject)}"}


@contextmanager
def started_stack(
    postgres_server: PostgresServer, state: Path, prefix: str, **options: Any
) -> Iterator[Stack]:
    """A stack of its own on a new database of the suite's server, stopped and dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    stack = Stack(
        StackOptions(
            state=state, database_url=url, gateway_port=free_port(), echo=False, clock_at=SUITE_NOW, **options
        )
    )
    try:
        stack.start(timeout=180)  # a bound for a broken stack, generous for a loaded machine
        yield stack
    finally:
        stack.stop()
        postgres_server.drop_database(name)


TRUSTED_PROXY = "127.0.0.2"


@pytest.fixture(scope="session")
def stack(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with started_stack(
        postgres_server,
        tmp_path_factory.mktemp("stack"),
        "e2e",
        cors_origins=(ALLOWED_ORIGIN,),
        # As behind a Kubernetes Ingress: the tests' own address is the proxy whose X-Forwarded-For counts.
        trusted_proxies=(TRUSTED_PROXY,),
    ) as started:
        yield started


@pytest.fixture
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_url, timeout=10) as client:
        yield client


@pytest.fixture
def token(stack: Stack) -> str:
    assert stack.keys is not None
    return stack.keys.mint(roles=["admin"], org_unit="HT", subject="e2e-admin")


def log_lines_with(path: Path, request_id: str) -> list[str]:
    return [line for line in path.read_text().splitlines() if request_id in line]


def new_request_id() -> str:
    return f"e2e-{uuid.uuid4().hex}"
