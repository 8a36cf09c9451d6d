"""A request that needs the database while it is unreachable is a 503 problem, never a 500."""

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from devstack.stack import free_port
from devstack.testing.plugin import AuthHeaders
from shared.pagination import encode_cursor
from shared.settings import Environment
from targets.config import Settings
from targets.main import create_app


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:{port}/gone",  # nothing listening
        "postgresql://postgres@/gone?host=/nonexistent/socket/dir",  # no socket
    ],
)
async def test_api_answers_503_problem_while_the_database_is_unreachable(
    url: str, jwks_file: Path, auth: AuthHeaders
) -> None:
    settings = Settings(
        environment=Environment.TEST,
        database_url=SecretStr(url.format(port=free_port())),
        jwks_file=jwks_file,
        jwt_issuer=DEV_ISSUER,
        jwt_audience=DEV_AUDIENCE,
        change_feed=False,
        db_connect_timeout_seconds=1,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            listing = await client.get("/v1/org-units", headers=auth("viewer"))
            posting = await client.post(
                "/v1/data-value-sets",
                json={"dataValues": [{"dataElement": "X", "period": "2024", "orgUnit": "HT", "value": "1"}]},
                headers=auth("admin"),
            )
    for response in (listing, posting):
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert response.json()["type"] == "urn:thidua:problem:backend-unavailable"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/v1/targets/99999999999", 422),
        ("delete", "/v1/period-locks/99999999999", 422),
        ("get", "/v1/targets/0", 422),
        ("get", "/v1/progress?at=0001-01-01", 422),
        ("get", "/v1/org-units?at=9999-12-31", 422),
    ],
)
async def test_values_beyond_what_the_database_holds_are_422_not_500(
    client: httpx.AsyncClient, auth: AuthHeaders, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, headers=auth("admin"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_out_of_range_cursor_is_a_400(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    cursor = encode_cursor(99999999999)
    response = await client.get("/v1/targets", params={"cursor": cursor}, headers=auth("viewer"))
    assert response.status_code == 400
    assert response.json()["type"] == "urn:thidua:problem:invalid-cursor"
