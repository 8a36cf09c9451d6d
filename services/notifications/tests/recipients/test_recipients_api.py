"""The recipients directory: kept by admins, imported from a CSV export, read by the secretariat."""

from __future__ import annotations

import httpx
import pytest

from devstack.testing.plugin import AuthHeaders

PERSON = {
    "sub": "a1b2c3d4-officer-tha",
    "display_name": "Nguyễn Thị Lan",
    "email": "lan.nt@thachha.hatinh.gov.vn",
    "org_unit": "HT-THA",
    "roles": ["unit_officer"],
}


async def test_a_subject_beyond_latin_1_is_created_with_its_location_percent_encoded(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    # An identity provider's subject is the client's choice; a header cannot carry it raw (a 500 before).
    person = PERSON | {"sub": "người-dùng-😍", "email": "nguoidung@hatinh.gov.vn"}
    created = await client.post("/v1/recipients", json=person, headers=auth("admin"))
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/api/v1/recipients/ng%C6%B0%E1%BB%9Di-d%C3%B9ng-%F0%9F%98%8D"
    read = await client.get(created.headers["Location"].removeprefix("/api"), headers=auth("secretariat"))
    assert read.json()["sub"] == "người-dùng-😍"


async def test_an_admin_adds_reads_and_changes_a_person(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    created = await client.post("/v1/recipients", json=PERSON, headers=auth("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["language"] == "vi"
    assert created.json()["version"] == 1
    read = await client.get(f"/v1/recipients/{PERSON['sub']}", headers=auth("secretariat"))
    assert read.json()["display_name"] == "Nguyễn Thị Lan"
    changed = await client.patch(
        f"/v1/recipients/{PERSON['sub']}",
        json={"language": "en", "subscriptions": ["HT-THA", "HT-THA"]},
        headers=auth("admin") | {"If-Match": read.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["language"] == "en"
    assert changed.json()["subscriptions"] == ["HT-THA"]
    stale = await client.patch(
        f"/v1/recipients/{PERSON['sub']}",
        json={"language": "vi"},
        headers=auth("admin") | {"If-Match": read.headers["ETag"]},
    )
    assert stale.status_code == 412


async def test_a_sub_is_added_once(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    await client.post("/v1/recipients", json=PERSON, headers=auth("admin"))
    again = await client.post("/v1/recipients", json=PERSON, headers=auth("admin"))
    assert again.status_code == 409
    assert again.json()["type"] == "urn:thidua:problem:recipient-exists"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"language": "fr"}, "language"),
        ({"roles": ["service"]}, "roles"),  # a service is not a person
        ({"org_unit": "HT THA"}, "org_unit"),
    ],
)
async def test_bad_fields_are_named(
    client: httpx.AsyncClient, auth: AuthHeaders, change: dict[str, object], field: str
) -> None:
    response = await client.post("/v1/recipients", json=PERSON | change, headers=auth("admin"))
    assert response.status_code == 422
    assert any(field in error["location"] for error in response.json()["errors"])


@pytest.mark.parametrize(("role", "status"), [("secretariat", 403), ("unit_officer", 403), ("viewer", 403)])
async def test_only_admins_change_the_directory(
    client: httpx.AsyncClient, auth: AuthHeaders, role: str, status: int
) -> None:
    response = await client.post("/v1/recipients", json=PERSON, headers=auth(role))
    assert response.status_code == status


async def test_the_list_is_paged_and_filtered(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    for index in range(5):
        body = PERSON | {"sub": f"person-{index}", "org_unit": "HT-THA" if index % 2 else "HT-CLO"}
        assert (await client.post("/v1/recipients", json=body, headers=auth("admin"))).status_code == 201
    first = await client.get("/v1/recipients?limit=2&q=person-", headers=auth("admin"))
    assert [r["sub"] for r in first.json()["items"]] == ["person-0", "person-1"]
    second = await client.get(
        f"/v1/recipients?limit=2&q=person-&cursor={first.json()['next_cursor']}", headers=auth("admin")
    )
    assert [r["sub"] for r in second.json()["items"]] == ["person-2", "person-3"]
    tha = await client.get("/v1/recipients?org_unit=HT-THA&role=unit_officer", headers=auth("admin"))
    assert [r["sub"] for r in tha.json()["items"]] == ["person-1", "person-3"]


CSV = (
    "sub,display_name,email,language,org_unit,roles,subscriptions\n"
    "kc-1,Trần Văn Hùng,hung.tv@hatinh.gov.vn,vi,HT,secretariat;admin,\n"
    "kc-2,Lê Thị Mai,mai.lt@canloc.hatinh.gov.vn,,HT-CLO,unit_officer,HT-CLO\n"
)


async def test_a_csv_export_is_imported_then_re_imported_without_change(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    headers = auth("admin") | {"Content-Type": "text/csv; charset=utf-8"}
    first = await client.post("/v1/recipients/import", content=("\ufeff" + CSV).encode(), headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0}
    again = await client.post(
        "/v1/recipients/import",
        content=CSV.replace("Lê Thị Mai", "Lê Thị Mai (Can Lộc)").encode(),
        headers=headers,
    )
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 1}
    read = await client.get("/v1/recipients/kc-1", headers=auth("admin"))
    assert read.json()["roles"] == ["admin", "secretariat"]
    assert read.json()["source"] == "csv"


async def test_a_csv_with_a_bad_row_imports_nothing(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    bad = CSV + "kc-3,Phạm Minh,not-an-address,vi,HT,viewer,\nkc-1,Twice,,vi,HT,,\n"
    response = await client.post(
        "/v1/recipients/import", content=bad.encode(), headers=auth("admin") | {"Content-Type": "text/csv"}
    )
    assert response.status_code == 422
    assert [row["line"] for row in response.json()["rows"]] == [4, 5]
    assert (await client.get("/v1/recipients/kc-1", headers=auth("admin"))).status_code == 404


async def test_a_file_that_is_not_csv_at_all_is_refused_whole(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    # Text after a closing quote: no CSV reader reads on (the fuzzer's find, with a line break alone inside
    # a field, was a 500 before).
    broken = CSV.replace("Lê Thị Mai", '"Lê Thị" Mai').encode()
    response = await client.post(
        "/v1/recipients/import", content=broken, headers=auth("admin") | {"Content-Type": "text/csv"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:thidua:problem:invalid-recipients-file"
    assert "not CSV" in response.json()["detail"]
    assert (await client.get("/v1/recipients/kc-1", headers=auth("admin"))).status_code == 404


async def test_a_csv_must_be_csv(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    response = await client.post(
        "/v1/recipients/import", content=b"{}", headers=auth("admin") | {"Content-Type": "application/json"}
    )
    assert response.status_code == 415


def test_the_roles_a_person_may_hold_are_the_platforms() -> None:
    from typing import get_args  # noqa: PLC0415

    from notifications.recipients.schemas import RoleName  # noqa: PLC0415
    from shared.auth import PLATFORM_ROLES  # noqa: PLC0415

    assert set(get_args(RoleName)) == {role.value for role in PLATFORM_ROLES}
