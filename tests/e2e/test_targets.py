"""Results from district systems through the real gateway, to the real targets process and PostgreSQL."""

import socket
import time
import uuid
from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.conftest import log_lines_with

pytestmark = pytest.mark.e2e


def token(stack: Stack, role: str, org_unit: str) -> dict[str, str]:
    assert stack.keys is not None
    minted = stack.keys.mint(roles=[role], org_unit=org_unit, subject=f"{role}-{org_unit}")
    return {"Authorization": f"Bearer {minted}"}


def stored(gateway: httpx.Client, stack: Stack, indicator: str, org_unit: str) -> list[dict[str, Any]]:
    response = gateway.get(
        "/api/v1/data-values",
        params={"indicator": indicator, "org_unit": org_unit},
        headers=token(stack, "viewer", "HT"),
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_district_system_posts_json_and_the_public_sees_the_province_progress(
    stack: Stack, gateway: httpx.Client
) -> None:
    payload = {
        "dataSet": "HT-PLAN",
        "period": "2023",
        "orgUnit": "HT-HSO",
        "dataValues": [
            {"dataElement": "ECO_NEW_ENTERPRISES", "value": "120"},
            {"dataElement": "SOC_NEW_JOBS", "value": "1800", "comment": "Báo cáo của UBND huyện Hương Sơn"},
            {"dataElement": "ECO_NEW_ENTERPRISES", "orgUnit": "HT-HKH", "value": "90"},
        ],
    }
    response = gateway.post(
        "/api/v1/data-value-sets",
        json=payload,
        params={"atomicMode": "NONE"},
        headers=token(stack, "reporter", "HT-HSO"),
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["status"] == "WARNING"
    assert summary["importCount"] == {"imported": 2, "updated": 0, "ignored": 1, "deleted": 0}
    assert summary["conflicts"] == [
        {
            "object": "HT-HKH",
            "value": "Organisation unit: `HT-HKH` not in hierarchy of current user: `HT-HSO` on 2023-01-01",
            "errorCode": "E7617",
            "property": "orgUnit",
            "indexes": [2],
        }
    ]
    again = gateway.post(
        "/api/v1/data-value-sets",
        json=payload,
        params={"atomicMode": "NONE"},
        headers=token(stack, "reporter", "HT-HSO"),
    )
    assert again.json()["importCount"] == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}

    public = gateway.get("/api/v1/public/progress", params={"at": "2024-01-01"})
    assert public.status_code == 200
    rows = {row["indicator"]["code"]: row for row in public.json()["items"] if row["kind"] != "relative"}
    assert rows["ECO_NEW_ENTERPRISES"]["series"] == [
        {"period": "2023", "value": 120.0, "source": "aggregated"}
    ]
    assert rows["ECO_NEW_ENTERPRISES"]["coverage"] == {"reported": 1, "expected": 13}


def test_csv_with_a_bom_and_quoted_comments_goes_through_the_gateway(
    stack: Stack, gateway: httpx.Client
) -> None:
    body = (
        "\ufeffdataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupd,comment\r\n"
        'ENV_FOREST_COVER,2022,HT,,,"52,0",,,"che phủ ""ước tính"", chưa chính thức"\r\n'
        "ENV_FOREST_COVER,2021,HT,,,51.8,,,\r\n"
    ).encode()
    response = gateway.post(
        "/api/v1/data-value-sets",
        content=body,
        headers={**token(stack, "secretariat", "HT"), "Content-Type": "text/csv; charset=utf-8"},
        params={"atomicMode": "NONE"},
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    # "52,0" is not a number (a decimal comma): DHIS2 rejects it too; the other row is stored.
    assert summary["importCount"]["imported"] == 1
    assert [conflict["errorCode"] for conflict in summary["conflicts"]] == ["E7619"]
    assert [(item["period"], item["value"]) for item in stored(gateway, stack, "ENV_FOREST_COVER", "HT")] == [
        ("2021", "51.8")
    ]


def test_payloads_over_the_ingestion_limit_are_refused_by_the_gateway(
    stack: Stack, gateway: httpx.Client
) -> None:
    too_big = b"x" * (51 * 1024 * 1024)
    response = gateway.post(
        "/api/v1/data-value-sets",
        content=too_big,
        headers={**token(stack, "admin", "HT"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_wrong_content_type_is_415(stack: Stack, gateway: httpx.Client) -> None:
    response = gateway.post(
        "/api/v1/data-value-sets",
        content=b"<dataValueSet/>",
        headers={**token(stack, "admin", "HT"), "Content-Type": "application/xml"},
    )
    assert response.status_code == 415
    assert response.json()["type"] == "urn:thidua:problem:unsupported-media-type"


@pytest.mark.parametrize("through", ["gateway", "service"])
def test_a_payload_cut_off_mid_stream_stores_nothing(
    stack: Stack, gateway: httpx.Client, through: str
) -> None:
    """A CSV cut just after a complete line would parse: only the disconnect can stop it being stored."""
    request_id = f"cut-{uuid.uuid4().hex}"
    lines = [f"SOC_NEW_JOBS,{year},HT-VQU,,,{1000 + year}\n" for year in range(2021, 2025)]
    body = "".join(lines).encode()
    sent = "".join(lines[:2]).encode()  # two whole lines of four
    host, port = (
        "127.0.0.1",
        stack.options.gateway_port if through == "gateway" else stack.options.port_of("targets"),
    )
    path = "/api/v1/data-value-sets" if through == "gateway" else "/v1/data-value-sets"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/csv\r\n"
        f"Authorization: {token(stack, 'admin', 'HT')['Authorization']}\r\n"
        f"X-Request-ID: {request_id}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(head + sent)
        time.sleep(0.3)
    time.sleep(0.5)
    assert stored(gateway, stack, "SOC_NEW_JOBS", "HT-VQU") == []
    lines_seen = log_lines_with(stack.log_file("targets"), request_id)
    if through == "gateway":
        # nginx waits for the whole body first: the service never even sees the request.
        assert lines_seen == []
    else:
        # The service saw the request start and gave up on it when the client went away.
        assert lines_seen
