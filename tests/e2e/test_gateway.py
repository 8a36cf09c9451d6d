"""Through the real nginx gateway to the real services."""

import json
import time

import httpx
import pytest

from devstack.stack import SERVICES, Stack
from tests.e2e.conftest import ALLOWED_ORIGIN, TRUSTED_PROXY, log_lines_with, new_request_id

pytestmark = pytest.mark.e2e

# An async=true import's job id has the shape of the service's: a UUID.
JOB_ID = "0b7e6f3c-2d5a-4c1e-9f8b-3a6d2e1c4b5f"

# One path per resource of the API contract, and the service that owns it.
ROUTES = {
    "/api/v1/whoami": "targets",
    "/api/v1/org-units": "targets",
    "/api/v1/indicators": "targets",
    "/api/v1/plans": "targets",
    "/api/v1/targets/1": "targets",
    "/api/v1/data-value-sets": "targets",
    "/api/dataValueSets": "targets",
    "/api/40/dataValueSets/": "targets",
    f"/api/system/tasks/DATAVALUE_IMPORT/{JOB_ID}": "targets",
    f"/api/40/system/taskSummaries/DATAVALUE_IMPORT/{JOB_ID}": "targets",
    "/api/v1/data-values/history": "targets",
    "/api/v1/period-locks": "targets",
    "/api/v1/progress": "targets",
    "/api/v1/progress/report": "targets",
    "/api/v1/targets/1/chart.svg": "targets",
    "/api/v1/targets/1/progress": "targets",
    "/api/v1/public/progress": "targets",
    "/api/v1/public/targets/1/chart.svg": "targets",
    "/api/v1/public/org-units": "targets",
    "/api/v1/award-types": "nominations",
    "/api/v1/movements": "nominations",
    "/api/v1/blocks/1/pledges": "nominations",
    "/api/v1/rounds": "nominations",
    "/api/v1/nominations/1/actions/submit": "nominations",
    "/api/v1/council-sessions": "nominations",
    "/api/v1/decisions": "nominations",
    "/api/v1/exemplars": "nominations",
    "/api/v1/reports/fairness": "nominations",
    "/api/v1/reports/timeliness": "nominations",
    "/api/v1/public/disclosures": "nominations",
    "/api/v1/public/awards": "nominations",
    "/api/v1/inbox": "notifications",
    "/api/v1/preferences": "notifications",
    "/api/v1/recipients": "notifications",
    "/api/v1/recipients/import": "notifications",
    "/api/v1/routing-rules/nomination.submitted": "notifications",
    "/api/v1/webhook-endpoints": "notifications",
    "/api/v1/deliveries": "notifications",
    "/api/v1/templates/nomination.submitted": "notifications",
}


@pytest.mark.parametrize("service", [spec.name for spec in SERVICES])
def test_health_of_each_service_is_its_readiness(gateway: httpx.Client, service: str) -> None:
    response = gateway.get(f"/health/{service}")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["service"] == service


def test_whoami_echoes_a_dev_token(gateway: httpx.Client, token: str) -> None:
    response = gateway.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["subject"] == "e2e-admin"
    assert response.json()["org_unit"] == "HT"


@pytest.mark.parametrize(("path", "owner"), ROUTES.items())
def test_each_resource_reaches_the_service_that_owns_it(
    stack: Stack, gateway: httpx.Client, path: str, owner: str
) -> None:
    request_id = new_request_id()
    gateway.get(path, headers={"X-Request-ID": request_id})
    time.sleep(0.05)  # the service writes its access line after the response
    for spec in SERVICES:
        lines = log_lines_with(stack.log_file(spec.name), request_id)
        assert bool(lines) == (spec.name == owner), f"{path}: {spec.name} saw {lines}"


def test_a_request_id_is_created_passed_on_logged_and_returned(stack: Stack, gateway: httpx.Client) -> None:
    response = gateway.get("/api/v1/whoami")
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    assert response.headers.get_list("x-request-id") == [request_id]
    time.sleep(0.05)
    service_line = json.loads(log_lines_with(stack.log_file("targets"), request_id)[0])
    gateway_line = json.loads(log_lines_with(stack.log_file("gateway"), request_id)[0])
    assert service_line["request_id"] == gateway_line["request_id"] == request_id
    assert service_line["http_status"] == gateway_line["http_status"] == 401


def test_a_callers_request_id_is_kept_and_an_unsafe_one_replaced(gateway: httpx.Client) -> None:
    kept = gateway.get("/api/v1/whoami", headers={"X-Request-ID": "caller-abc.123"})
    assert kept.headers["x-request-id"] == "caller-abc.123"
    replaced = gateway.get("/api/v1/whoami", headers={"X-Request-ID": 'evil id"}'})
    assert replaced.headers["x-request-id"] != 'evil id"}'


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/unknown-resource",
        "/api/v1/public/unknown",
        "/api/v2/org-units",
        "/api/dataValueSets.json",
        "/api/4/dataValueSets",
        "/api/dataValues",
        "/api/system/tasks/ANALYTICS_TABLE/1",
        "/api/system/tasks/DATAVALUE_IMPORT/1",
        # An encoded CR or LF after a job id or DHIS2's path is refused by the gateway, never passed on
        # un-rewritten (nor rewritten with PCRE's `$` matching before the final newline).
        f"/api/system/tasks/DATAVALUE_IMPORT/{JOB_ID}%0D%0A",
        f"/api/40/system/taskSummaries/DATAVALUE_IMPORT/{JOB_ID}%0A",
        f"/api/system/tasks/DATAVALUE_IMPORT/{JOB_ID}%0D",
        f"/api/system/tasks/DATAVALUE_IMPORT/%0D%0A{JOB_ID[2:]}",
        "/api/dataValueSets%0A",
        "/api/40/dataValueSets/%0D%0A",
        # Nor anywhere else under /api: a line feed stops a rewrite's `.` (issue 13).
        "/api/v1/whoami%0A",
        "/api/v1/targets/1%0D%0Ax",
        "/api/v1/public/awards%0D",
        "/api/v1/nominations/%0A/events",
        "/index.html",  # the web app is at / alone (tests/e2e/test_web_app.py)
        "/internal/v1/events",
        "/api/v1/whoami/../../../internal/v1/events",
        "/api/v1/targets/%2e%2e/%2e%2e/%2e%2e/internal/v1/events",
        "/metrics",
        "/readyz",
    ],
)
def test_unknown_and_internal_paths_are_gateway_404_problems(
    stack: Stack, gateway: httpx.Client, path: str
) -> None:
    request_id = new_request_id()
    response = gateway.get(path, headers={"X-Request-ID": request_id})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert response.json()["status"] == 404
    assert response.json()["request_id"] == request_id
    for spec in SERVICES:
        assert log_lines_with(stack.log_file(spec.name), request_id) == []


def test_a_services_own_problem_passes_through_unchanged(gateway: httpx.Client) -> None:
    response = gateway.get("/api/v1/whoami", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    body = response.json()
    assert body["type"] == "urn:thidua:problem:invalid-token"
    assert body["instance"] == "/api/v1/whoami"


def test_bodies_are_small_except_for_result_ingestion(stack: Stack, gateway: httpx.Client) -> None:
    two_megabytes = b"x" * (2 * 1024 * 1024)
    refused = gateway.post("/api/v1/indicators", content=two_megabytes)
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] == "Content Too Large"

    request_id = new_request_id()
    accepted = gateway.post(
        "/api/v1/data-value-sets", content=two_megabytes, headers={"X-Request-ID": request_id}
    )
    assert accepted.status_code != 413, accepted.text
    time.sleep(0.05)
    assert log_lines_with(stack.log_file("targets"), request_id)

    # Per route (issue 13): a nomination's JSON is small, its attachment and the registry's import are not.
    five_megabytes = b"x" * (5 * 1024 * 1024)
    for path in ("/api/v1/nominations", "/api/v1/nominations/1/events", "/api/v1/rounds"):
        refused = gateway.post(path, content=five_megabytes, headers={"Content-Type": "application/json"})
        assert refused.status_code == 413, path
        assert refused.headers["content-type"] == "application/problem+json"
    for path in ("/api/v1/nominations/1/attachments", "/api/v1/awards/import", "/api/v1/awards/import/"):
        request_id = new_request_id()
        passed = gateway.post(path, content=five_megabytes, headers={"X-Request-ID": request_id})
        # The service's answer: no token (or, with the trailing slash, its redirect to the path without it).
        assert passed.status_code in (401, 307), (path, passed.text)
        time.sleep(0.05)
        assert log_lines_with(stack.log_file("nominations"), request_id), path


def test_public_endpoints_are_rate_limited(gateway: httpx.Client) -> None:
    statuses = [gateway.get("/api/v1/public/awards").status_code for _ in range(80)]
    limited = [status for status in statuses if status == 429]
    assert limited, statuses
    response = gateway.get("/api/v1/public/awards")
    if response.status_code == 429:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == "Too Many Requests"
    time.sleep(2.5)  # let the bucket refill for the other tests


def gateway_log_entry(stack: Stack, request_id: str) -> dict[str, object]:
    """The gateway's access-log line of a request (it is written when the response has gone)."""
    deadline = time.monotonic() + 5
    while (
        not (lines := log_lines_with(stack.log_file("gateway"), request_id)) and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    [line] = lines
    entry: dict[str, object] = json.loads(line.split(" | ", 1)[-1])
    return entry


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_client(stack: Stack) -> None:
    # GATEWAY_TRUSTED_PROXIES (as behind a Kubernetes Ingress): each forwarded client has its own rate limit
    # and is the one logged; a client that is not a listed proxy cannot choose its address.
    transport = httpx.HTTPTransport(local_address=TRUSTED_PROXY)
    with httpx.Client(base_url=stack.gateway_url, timeout=10, transport=transport) as proxy:
        flooding = {"X-Forwarded-For": "203.0.113.7"}
        statuses = [proxy.get("/api/v1/public/awards", headers=flooding).status_code for _ in range(80)]
        assert 429 in statuses
        other = proxy.get("/api/v1/public/awards", headers={"X-Forwarded-For": "203.0.113.8"})
        assert other.status_code == 200
        request_id = new_request_id()
        proxy.get("/healthz", headers={"X-Forwarded-For": "198.51.100.1", "X-Request-ID": request_id})
        assert gateway_log_entry(stack, request_id)["client"] == "198.51.100.1"
    with httpx.Client(base_url=stack.gateway_url, timeout=10) as direct:
        request_id = new_request_id()
        direct.get("/healthz", headers={"X-Forwarded-For": "198.51.100.1", "X-Request-ID": request_id})
        assert gateway_log_entry(stack, request_id)["client"] == "127.0.0.1"
    time.sleep(2.5)  # let the bucket refill for the other tests


def test_cors_answers_only_configured_origins(gateway: httpx.Client) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = gateway.options("/api/v1/nominations", headers={"Origin": ALLOWED_ORIGIN, **preflight})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "Authorization" in allowed.headers["access-control-allow-headers"]
    assert "PATCH" in allowed.headers["access-control-allow-methods"]

    other = gateway.options("/api/v1/nominations", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in other.headers

    simple = gateway.get("/api/v1/whoami", headers={"Origin": ALLOWED_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "X-Request-ID" in simple.headers["access-control-expose-headers"]


def test_openapi_documents_are_published(gateway: httpx.Client) -> None:
    for spec in SERVICES:
        document = gateway.get(f"/api/openapi/{spec.name}.json")
        assert document.status_code == 200
        assert document.json()["servers"][0]["url"] == "/api"
    # And the platform's one document, every path as clients call it (issue 13).
    merged = gateway.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert merged.status_code == 200
    assert merged.headers["content-type"].startswith("application/json")
    assert merged.headers["x-content-type-options"] == "nosniff"
    paths = merged.json()["paths"]
    assert {"/api/v1/nominations", "/api/v1/inbox", "/api/v1/public/progress"} <= set(paths)
    assert not [path for path in paths if "/internal/" in path]


def test_the_same_fault_answers_the_same_way_through_the_gateway(gateway: httpx.Client, token: str) -> None:
    """docs/api-conventions.md, as a client meets it: pages, 415, the NUL character, If-Match."""
    admin = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/award-types", "/api/v1/plans", "/api/v1/rounds", "/api/v1/period-locks"):
        page = gateway.get(path, params={"limit": 500}, headers=admin)
        assert page.status_code == 200, page.text
        assert set(page.json()) == {"items", "next_cursor"}
    for path in ("/api/v1/rounds", "/api/v1/indicators"):
        refused = gateway.post(path, content=b"code=X", headers=admin | {"Content-Type": "text/plain"})
        assert (refused.status_code, refused.json()["type"]) == (
            415,
            "urn:thidua:problem:unsupported-media-type",
        )
    for path in ("/api/v1/public/awards?q=a%00b", "/api/v1/org-units?parent=a%00b"):
        nul = gateway.get(path, headers=admin)
        assert (nul.status_code, nul.json()["type"]) == (422, "urn:thidua:problem:unstorable-value")
        assert nul.headers["content-type"] == "application/problem+json"


def test_a_method_the_gateway_refuses_itself_says_which_are_allowed(gateway: httpx.Client) -> None:
    # nginx refuses TRACE before any location; the problem names the path's methods (RFC 9110, Allow).
    for path, allowed in (
        ("/api/v1/award-types", "GET, POST"),
        ("/api/v1/inbox/unread-count", "GET"),
        ("/api/v1/blocks/7/ranking", "GET"),
    ):
        response = gateway.request("TRACE", path)
        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["allow"] == allowed, path
    # A service's own 405 keeps its own Allow, once.
    response = gateway.request("DELETE", "/api/v1/public/awards")
    assert response.status_code == 405
    assert response.headers.get_list("allow") == ["GET"]


def test_a_header_too_large_is_a_problem_not_an_html_page(gateway: httpx.Client) -> None:
    # nginx answers it itself (its internal 494) before any location: a problem like every other.
    response = gateway.get("/api/v1/public/awards", headers={"X-Padding": "x" * 40_000})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["title"]) == (400, "Bad Request")
    assert "header" in body["detail"]


def test_the_access_log_keeps_the_method_sent_when_an_error_page_answers(
    stack: Stack, gateway: httpx.Client
) -> None:
    request_id = new_request_id()
    response = gateway.post("/api/v1/unknown-resource", json={}, headers={"X-Request-ID": request_id})
    assert response.status_code == 404
    entry = gateway_log_entry(stack, request_id)
    assert (entry["http_method"], entry["http_status"]) == ("POST", 404)
