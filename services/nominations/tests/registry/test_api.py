"""The registry over HTTP: the public search shows public fields only; the import asks the real targets app
(in-process, see conftest.py) for the hierarchy of each decision's date."""

from typing import Any

import httpx
import pytest

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth

PUBLIC_FIELDS = {
    "id",
    "recipient_name",
    "recipient_kind",
    "recipient_position",
    "org_unit",
    "org_unit_name",
    "award_type_code",
    "award_name",
    "year",
    "occasion",
    "decision_number",
    "decision_date",
    "decision_authority",
}
HEADER = (
    "recipient_kind,recipient_key,recipient_name,recipient_position,org_unit,award_type_code,year,occasion,"
    "achievement_key,decision_number,decision_date,decision_authority,bonus_vnd"
)
HA = (
    "individual,P-001,Nguyễn Thị Hà,Giáo viên,HT-HSO-SL,LDTT,2023,annual,,"
    "12/QĐ-UBND,2024-03-15,commune_chair,702000"
)
HAI = (
    "individual,P-002,Nguyễn Thị Hải,,HT-DTH,CSTD_CO_SO,2023,annual,ak-7,"
    "45/QĐ-UBND,2024-03-15,district_chair,"
)
CSV = {"Content-Type": "text/csv; charset=utf-8"}


def csv_file(*rows: str) -> bytes:
    return "\n".join((HEADER, *rows)).encode()


@pytest.fixture
async def commune(targets: httpx.AsyncClient, auth: Auth) -> None:
    """A commune under Hương Sơn, added through the targets API (and rolled back with the test)."""
    response = await targets.post(
        "/v1/org-units",
        json={
            "code": "HT-HSO-SL",
            "name": "Xã Sơn Long",
            "type": "commune",
            "valid_from": "2021-01-01",
            "parent": "HT-HSO",
        },
        headers=auth("admin"),
    )
    assert response.status_code == 201, response.text


async def import_file(
    client: httpx.AsyncClient, auth: Auth, data: bytes, role: str = "secretariat"
) -> httpx.Response:
    headers = {**auth(role, subject="secretary-1"), **CSV}
    return await client.post("/v1/awards/import", content=data, headers=headers)


async def public(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/public/awards", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.usefixtures("commune")
async def test_imported_awards_are_found_without_diacritics_showing_public_fields_only(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await import_file(client, auth, csv_file(HA, HAI))
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 2, "ignored": 0}

    found = await public(client, q="nguyen thi ha")
    assert [item["recipient_name"] for item in found] == ["Nguyễn Thị Hà"]
    assert set(found[0]) == PUBLIC_FIELDS
    assert found[0] | {"id": 0} == {
        "id": 0,
        "recipient_name": "Nguyễn Thị Hà",
        "recipient_kind": "individual",
        "recipient_position": "Giáo viên",
        "org_unit": "HT-HSO-SL",
        "org_unit_name": "Xã Sơn Long",
        "award_type_code": "LDTT",
        "award_name": "Lao động tiên tiến",
        "year": 2023,
        "occasion": "annual",
        "decision_number": "12/QĐ-UBND",
        "decision_date": "2024-03-15",
        "decision_authority": "commune_chair",
    }
    assert [item["recipient_name"] for item in await public(client, q="nguyen thi hai")] == ["Nguyễn Thị Hải"]
    # The commune's award is in its district's area, and the province's; not in another district's.
    assert [item["recipient_name"] for item in await public(client, org_unit="HT-HSO")] == ["Nguyễn Thị Hà"]
    assert len(await public(client, org_unit="HT")) == 2
    assert await public(client, org_unit="HT-DTH", q="ha") == []

    again = await import_file(client, auth, csv_file(HAI, HA))
    assert again.json() == {"imported": 0, "ignored": 2}


@pytest.mark.usefixtures("commune")
async def test_staff_read_the_full_history_rows(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await import_file(client, auth, csv_file(HA, HAI))).status_code == 200
    response = await client.get("/v1/awards", params={"recipient_key": "P-001"}, headers=auth("authority"))
    assert response.status_code == 200, response.text
    [row] = response.json()["items"]
    assert (row["recipient_key"], row["bonus_vnd"], row["source"], row["created_by"]) == (
        "P-001",
        702000,
        "import",
        "secretary-1",
    )
    assert row["org_unit_path"] == ["HT-HSO-SL", "HT-HSO", "HT"]
    # A unit officer sees the awards of their own area only.
    officer = await client.get("/v1/awards", headers=auth("unit_officer", org_unit="HT-DTH"))
    assert [row["recipient_key"] for row in officer.json()["items"]] == ["P-002"]
    assert (await client.get("/v1/awards", headers=auth("viewer"))).status_code == 403
    assert (await client.get("/v1/awards")).status_code == 401


@pytest.mark.usefixtures("commune")
async def test_a_bad_row_refuses_the_file_and_nothing_is_stored(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    data = csv_file(HA, HAI.replace(",2023,", ",20x3,"), HA.replace("HT-HSO-SL", "HT-NOWHERE"))
    body = assert_problem(await import_file(client, auth, data), 422, "invalid-awards-file")
    assert body["row_errors"] == [
        {"row": 3, "column": "year", "message": "a year from 1945 to 2100"},
        {"row": 4, "column": "org_unit", "message": "no such org unit on 2024-03-15"},
    ]
    assert "2 of 3 rows" in body["detail"]
    stored = await client.get("/v1/awards", headers=auth("secretariat"))
    assert stored.json()["items"] == []
    assert await public(client, q="nguyen") == []


async def test_only_csv_is_imported(client: httpx.AsyncClient, auth: Auth) -> None:
    for content_type in ("application/json", "text/plain", "text/csv; charset=windows-1258"):
        response = await client.post(
            "/v1/awards/import", content=b"{}", headers={**auth("secretariat"), "Content-Type": content_type}
        )
        assert_problem(response, 415, "unsupported-media-type")


@pytest.mark.parametrize("role", ["unit_officer", "authority", "viewer", "council_member"])
async def test_only_the_secretariat_and_admins_import(
    client: httpx.AsyncClient, auth: Auth, role: str
) -> None:
    response = await import_file(client, auth, csv_file(HA), role=role)
    assert response.status_code == 403
    assert (await client.post("/v1/awards/import", content=csv_file(HA), headers=CSV)).status_code == 401


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "x" * 201}, 422),
        ({"year": 1900}, 422),
        ({"org_unit": "x" * 51}, 422),
        ({"limit": 501}, 422),
        ({"cursor": "not-a-cursor"}, 400),
        ({"recipient_key": "P-001"}, 400),  # not a public parameter
    ],
)
async def test_public_query_parameters_are_bounded(
    client: httpx.AsyncClient, params: dict[str, Any], status: int
) -> None:
    response = await client.get("/v1/public/awards", params=params)
    assert response.status_code == status, response.text


THACH_LINH = (
    "HT-18094-20241231"  # Phường Thạch Linh, TP Hà Tĩnh, until 2024-12-31 (Nghị quyết 1283/NQ-UBTVQH15)
)
LINH = (
    f"individual,P-009,Trần Văn Linh,Công chức,{THACH_LINH},LDTT,2023,annual,,"
    "31/QĐ-UBND,2024-03-15,commune_chair,702000"
)


async def test_an_award_keeps_the_name_and_area_of_a_unit_that_merged_since(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    """Phường Thạch Linh (seeded from the official lists) ended on 31/12/2024; its 2024 award is found under
    its own name and in TP Hà Tĩnh's area, as they stood on the decision's date."""
    response = await import_file(client, auth, csv_file(LINH))
    assert response.status_code == 200, response.text
    [found] = await public(client, q="thach linh")
    assert (found["org_unit"], found["org_unit_name"]) == (THACH_LINH, "Phường Thạch Linh")
    assert [item["recipient_name"] for item in await public(client, org_unit="HT-HTI")] == ["Trần Văn Linh"]
    assert [item["recipient_name"] for item in await public(client, org_unit="HT", year=2023)] == [
        "Trần Văn Linh"
    ]
    # A decision signed after the unit ended cannot name it: the unit did not exist on that date.
    late = LINH.replace("2024-03-15", "2025-03-15").replace("31/QĐ", "32/QĐ")
    refused = await import_file(client, auth, csv_file(late))
    assert [
        error["column"] for error in assert_problem(refused, 422, "invalid-awards-file")["row_errors"]
    ] == ["org_unit"]
