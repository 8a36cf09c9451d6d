"""Results from district systems through the real gateway, to the real targets process and PostgreSQL."""

import io
import socket
import time
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import openpyxl
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
    # Headerless: told so, or DHIS2's rule would take the first line as the header.
    path = "/api/v1/data-value-sets" if through == "gateway" else "/v1/data-value-sets"
    path += "?firstRowIsHeader=false"
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


def test_a_dhis2_client_with_only_a_base_url_posts_unchanged(stack: Stack, gateway: httpx.Client) -> None:
    """DHIS2's own paths through the gateway: its envelope, its versions, its CSV header rule, its jobs."""
    hso = token(stack, "reporter", "HT-HSO")
    values = {
        "dataValues": [{"dataElement": "SOC_NEW_JOBS", "period": "2021", "orgUnit": "HT-HSO", "value": "7"}]
    }
    response = gateway.post("/api/dataValueSets", json=values, headers=hso)
    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in ("httpStatus", "httpStatusCode", "status", "message")} == {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
        "message": "Import was successful.",
    }
    assert response.json()["response"]["importCount"]["imported"] == 1

    # A versioned path with DHIS2's trailing slash; a conflict is its 409 WebMessage, WARNING by default as in
    # DHIS2 (the values without conflicts are stored), ERROR with atomicMode=ALL.
    conflicting = {**values, "dataValues": [{**values["dataValues"][0], "orgUnit": "HT-HKH"}]}
    warned = gateway.post("/api/40/dataValueSets/", json=conflicting, headers=hso)
    assert warned.status_code == 409
    assert (warned.json()["httpStatus"], warned.json()["status"]) == ("Conflict", "WARNING")
    assert warned.json()["response"]["conflicts"][0]["errorCode"] == "E7617"
    refused = gateway.post(
        "/api/40/dataValueSets/", json=conflicting, params={"atomicMode": "ALL"}, headers=hso
    )
    assert (refused.status_code, refused.json()["status"]) == (409, "ERROR")
    # Before version 38, DHIS2 answers the bare summary.
    legacy = gateway.post("/api/37/dataValueSets", json=conflicting, headers=hso)
    assert (legacy.status_code, legacy.json()["responseType"]) == (200, "ImportSummary")

    # CSV under DHIS2's own misspelt header, as its test files write it.
    header = '"dataelelement","period","orgunit","catoptcombo","attroptcombo","value"'
    csv = f"{header}\nSOC_NEW_JOBS,2022,HT-HSO,,,8\n"
    posted = gateway.post(
        "/api/41/dataValueSets", content=csv.encode(), headers={**hso, "Content-Type": "application/csv"}
    )
    assert posted.status_code == 200, posted.text
    kept = {(item["period"], item["value"]) for item in stored(gateway, stack, "SOC_NEW_JOBS", "HT-HSO")}
    assert {("2021", "7"), ("2022", "8")} <= kept

    # async=true: the job, and its summary where DHIS2's answer points.
    job = gateway.post("/api/dataValueSets", json=values, params={"async": "true"}, headers=hso)
    assert job.status_code == 200, job.text
    endpoint = job.json()["response"]["relativeNotifierEndpoint"]
    tasks = gateway.get(endpoint, headers=hso)
    assert tasks.status_code == 200, tasks.text
    assert tasks.json()[0]["completed"] is True
    job_id = job.json()["response"]["id"]
    summary = gateway.get(f"/api/39/system/taskSummaries/DATAVALUE_IMPORT/{job_id}", headers=hso)
    assert summary.status_code == 200, summary.text
    assert summary.json()["importCount"]["ignored"] == 1  # the same value again

    # The platform's problems, naming the path the client used; unknown DHIS2 parameters are still refused.
    problem = gateway.post("/api/dataValueSets", json=values, params={"idScheme": "UID"}, headers=hso)
    assert (problem.status_code, problem.json()["type"]) == (400, "urn:thidua:problem:unsupported-option")
    assert problem.json()["instance"] == "/api/dataValueSets"
    assert gateway.post("/api/dataValueSets", json=values).status_code == 401
    assert (
        gateway.post(
            "/api/dataValueSets", json=values, params={"atomicmode": "NONE"}, headers=hso
        ).status_code
        == 400
    )


def test_the_progress_workbook_and_a_target_chart_download_through_the_gateway(
    stack: Stack, gateway: httpx.Client
) -> None:
    viewer = token(stack, "viewer", "HT")
    posted = gateway.post(
        "/api/v1/data-value-sets",
        json={
            "dataValues": [
                {"dataElement": "ENV_FOREST_COVER", "period": "2023", "orgUnit": "HT-VQU", "value": "64"}
            ]
        },
        headers=token(stack, "reporter", "HT-VQU"),
    )
    assert posted.status_code == 200, posted.text
    report = gateway.get(
        "/api/v1/progress/report",
        params={"plan": "HT-2021-2025", "org_unit": "HT-VQU", "at": "2024-01-01", "format": "xlsx"},
        headers=viewer,
    )
    assert report.status_code == 200, report.text
    assert report.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "filename*=UTF-8''" in report.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(report.content))
    assert book.sheetnames == ["Kinh tế", "Văn hóa - Xã hội", "Môi trường", "Quốc phòng - An ninh"]
    forest = next(
        row
        for row in book["Môi trường"].iter_rows(min_row=7, values_only=True)
        if row[1] == "HT-VQU" and row[3] == "Tỷ lệ che phủ rừng"
    )
    assert forest[10] == 64.0

    targets = gateway.get(
        "/api/v1/targets", params={"indicator": "ENV_FOREST_COVER", "org_unit": "HT"}, headers=viewer
    ).json()["items"]
    chart = gateway.get(
        f"/api/v1/targets/{targets[0]['id']}/chart.svg",
        params={"org_unit": "HT-VQU", "at": "2024-01-01"},
        headers=viewer,
    )
    assert chart.status_code == 200, chart.text
    assert chart.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(chart.content)  # noqa: S314 - the service's own answer
    series = {
        g.get("data-series") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("data-series")
    }
    # One value, so the projection is flat from it: 64 in 2025.
    assert series == {"observed", "target", "projection"}
