import json
import logging
import logging.config

import httpx
import pytest
from fastapi import FastAPI

from shared.logs import logging_config
from shared.request_context import RequestContextMiddleware, bound_request_id, current_request_id

app = FastAPI()
seen: list[str | None] = []


@app.get("/work")
async def work() -> dict[str, str | None]:
    seen.append(current_request_id())
    logging.getLogger("example").info("doing the work")
    return {"request_id": current_request_id()}


app.add_middleware(RequestContextMiddleware)


@pytest.fixture
def http() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_a_valid_incoming_id_is_kept(http: httpx.AsyncClient) -> None:
    response = await http.get("/work", headers={"X-Request-ID": "gw-1234.abc"})
    assert response.headers["x-request-id"] == "gw-1234.abc"
    assert response.json() == {"request_id": "gw-1234.abc"}


@pytest.mark.parametrize("bad", ["", "has space", "x" * 129, "new\nline", 'quote"'])
async def test_an_unsafe_incoming_id_is_replaced(http: httpx.AsyncClient, bad: str) -> None:
    response = await http.get("/work", headers=[(b"x-request-id", bad.encode())])
    generated = response.headers["x-request-id"]
    assert generated != bad
    assert len(generated) == 32


async def test_every_log_line_of_the_request_carries_the_id(
    http: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    logging.config.dictConfig(logging_config("example-service"))
    try:
        await http.get("/work", headers={"X-Request-ID": "trace-42"})
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == "trace-42"]
    assert {line["logger"] for line in mine} >= {"example", "shared.access"}
    assert all(line["service"] == "example-service" for line in mine)
    access = next(line for line in mine if line["logger"] == "shared.access")
    assert access["http_status"] == 200
    assert access["http_path"] == "/work"


def test_work_outside_a_request_can_have_an_id_of_its_own() -> None:
    assert current_request_id() is None
    with bound_request_id("relay-batch-1"):
        assert current_request_id() == "relay-batch-1"
    assert current_request_id() is None
