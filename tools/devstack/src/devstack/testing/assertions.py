"""Assertions every test tree uses the same way."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem of the platform's type ``urn:thidua:problem:<slug>``; its body."""
    assert response.status_code == status, response.text  # noqa: S101
    assert response.headers["content-type"] == PROBLEM  # noqa: S101
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:thidua:problem:{slug}"  # noqa: S101
    assert body["status"] == status  # noqa: S101
    return body
