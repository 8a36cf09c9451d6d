"""Registration where private targets are not allowed (production's default): refused, naming why."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders
from notifications.config import Settings
from notifications.main import create_app

PATH = "/v1/webhook-endpoints"


@pytest.fixture(scope="module")
def app(settings: Settings) -> FastAPI:
    return create_app(settings.model_copy(update={"webhook_allow_private_targets": False}))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:9000/hook", "resolves to 127.0.0.1 (loopback)"),
        ("http://localhost/hook", "(loopback)"),
        ("http://169.254.169.254/latest/meta-data/", "(link-local)"),
        ("http://[::ffff:10.0.0.8]/hook", "private (IPv4 10.0.0.8 inside IPv6)"),
    ],
)
async def test_a_private_target_is_refused_at_registration(
    client: httpx.AsyncClient, auth: AuthHeaders, url: str, says: str
) -> None:
    response = await client.post(PATH, json={"org_unit": "HT-THA", "url": url}, headers=auth("admin"))
    problem = assert_problem(response, 422, "webhook-target-refused")
    assert says in problem["detail"]
    assert (await client.get(PATH, headers=auth("admin"))).json()["items"] == []


async def test_a_public_address_is_registered(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    response = await client.post(
        PATH, json={"org_unit": "HT-THA", "url": "http://203.113.131.1/hook"}, headers=auth("admin")
    )
    assert response.status_code == 201, response.text
