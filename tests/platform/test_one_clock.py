"""One clock for the platform: no code and no test reads the wall clock but :mod:`shared.clock`; every
service serves its clock at ``/internal/v1/clock`` and lets it be set only where it is adjustable."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from devstack.paths import repo_root
from devstack.testing.assertions import assert_problem
from devstack.testing.dates import SUITE_TODAY
from devstack.testing.plugin import AuthHeaders
from shared import clock
from tests.platform.conftest import build_app

# Calls that read the wall clock: (what the name is bound to, the attribute path after it).
WALL_CLOCK = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("datetime", "date", "today"),
    ("datetime", "datetime", "now"),
    ("datetime", "datetime", "utcnow"),
    ("datetime", "datetime", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("time", "strftime"),
    ("time", "ctime"),
}
# The only reader of the wall clock: the clock (its wall_now() serves token lifetimes and file times).
ALLOWED = {"shared/src/shared/clock.py"}
SCANNED = ("shared", "services", "tools/devstack", "tests")


def _sources() -> Iterator[Path]:
    root = repo_root()
    for top in SCANNED:
        for path in sorted((root / top).rglob("*.py")):
            if not {".venv", ".dev", "__pycache__"} & set(path.parts):
                yield path


def _aliases(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """Local names of the datetime and time modules and of their classes (``dt``, ``date``, …)."""
    names: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in {"datetime", "time"}:
                    names[alias.asname or alias.name] = (alias.name,)
        elif isinstance(node, ast.ImportFrom) and node.module in {"datetime", "time"}:
            for alias in node.names:
                names[alias.asname or alias.name] = (
                    (alias.name,) if node.module == "datetime" else ("time", alias.name)
                )
    return names


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *parts]
    return None


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    aliases = _aliases(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = _dotted(node.func)
        if dotted is None or dotted[0] not in aliases:
            continue
        resolved = (*aliases[dotted[0]], *dotted[1:])
        if resolved in WALL_CLOCK or resolved[-2:] in WALL_CLOCK:
            found.append((node.lineno, ".".join(dotted)))
    return found


def test_the_scanner_sees_every_way_of_reading_the_wall_clock() -> None:
    source = (
        "import datetime as dt\nimport time\nfrom datetime import date, datetime\n"
        "from time import time as t\ndt.date.today()\ndt.datetime.now(dt.UTC)\ndate.today()\n"
        "datetime.utcnow()\ntime.time()\nt()\n"
        "time.monotonic()\ndt.datetime.fromisoformat('2025-01-01')\n"
    )
    assert [line for line, _ in wall_clock_reads(source)] == [5, 6, 7, 8, 9, 10]


def test_nothing_reads_the_wall_clock_but_the_clock() -> None:
    root = repo_root()
    readers = {
        f"{path.relative_to(root)}:{line}": call
        for path in _sources()
        if str(path.relative_to(root)) not in ALLOWED
        for line, call in wall_clock_reads(path.read_text())
    }
    assert readers == {}, "read shared.clock.now() or shared.clock.today() instead"


@pytest.fixture
async def adjustable(service: str, base_settings: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = build_app(service, **base_settings, clock_adjustable=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_the_clock_is_served_and_set_only_where_adjustable(
    client: httpx.AsyncClient, adjustable: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    admin = auth("admin")
    before_tet = {"at": "2025-01-23T23:30:00+00:00"}  # 06:30 on Friday 24 January in Hà Tĩnh
    read = await client.get("/internal/v1/clock", headers=admin)
    assert read.status_code == 200, read.text
    assert read.json()["today"] == clock.today().isoformat() == SUITE_TODAY.isoformat()
    assert read.json()["adjustable"] is False
    fixed = await client.post("/internal/v1/clock", json=before_tet, headers=admin)
    assert_problem(fixed, 403, "clock-fixed")
    assert clock.today() == SUITE_TODAY

    assert (await adjustable.post("/internal/v1/clock", json=before_tet)).status_code == 401
    refused = await adjustable.post("/internal/v1/clock", json=before_tet, headers=auth("secretariat"))
    assert refused.status_code == 403
    naive = await adjustable.post("/internal/v1/clock", json={"at": "2025-01-24T06:30:00"}, headers=admin)
    assert naive.status_code == 422
    moved = await adjustable.post("/internal/v1/clock", json=before_tet, headers=admin)
    assert moved.status_code == 200, moved.text
    assert moved.json()["today"] == "2025-01-24"
    assert moved.json()["set"] is True
    assert dt.datetime.fromisoformat(moved.json()["now"]) >= dt.datetime.fromisoformat(before_tet["at"])
    # null gives the wall clock back (the demonstration loader, after its excursion into 2024).
    wall = await adjustable.post("/internal/v1/clock", json={"at": None}, headers=admin)
    assert wall.status_code == 200, wall.text
    assert wall.json()["set"] is False
    assert clock.is_set() is False
