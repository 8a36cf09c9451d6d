"""The award catalogue: dated versions, rules as data, the seed of the domain brief."""

from typing import Any

import httpx
import pytest

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.catalogue.seed import catalogue_data
from nominations.rules.engine import RULE_KINDS


async def award_type(client: httpx.AsyncClient, code: str, at: str) -> dict[str, Any]:
    response = await client.get(f"/v1/award-types/{code}", params={"at": at})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_seeded_titles_and_forms_with_the_briefs_coefficients(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/award-types", params={"at": "2024-06-01", "limit": 500})
    assert response.status_code == 200
    assert response.json()["next_cursor"] is None
    coefficients = {item["code"]: item["bonus_coefficient"] for item in response.json()["items"]}
    assert {
        code: coefficients[code]
        for code in ("CSTD_CO_SO", "CSTD_CAP_TINH", "CSTD_TOAN_QUOC", "LDTT", "TT_LDXS", "CO_THI_DUA_TINH")
    } == {
        "CSTD_CO_SO": 1.0,
        "CSTD_CAP_TINH": 3.0,
        "CSTD_TOAN_QUOC": 4.5,
        "LDTT": 0.3,
        "TT_LDXS": 1.5,
        "CO_THI_DUA_TINH": 8.0,
    }


async def test_a_nomination_is_judged_by_the_rules_in_force_on_its_date(client: httpx.AsyncClient) -> None:
    old = await award_type(client, "CSTD_CAP_TINH", "2023-06-01")
    new = await award_type(client, "CSTD_CAP_TINH", "2024-06-01")
    assert "91/2017" in old["legal_source"]
    assert "06/2022/QH15" in new["legal_source"]
    assert [v["valid_from"] for v in new["versions"]][:3] == ["2021-01-01", "2024-01-01", "2025-07-01"]
    kinds = {rule["kind"] for rule in new["rules"]}
    assert {"consecutive_titles", "initiative", "no_open_discipline", "one_achievement_one_award"} <= kinds
    assert new["vote_threshold"] == 0.9
    assert new["vote_base"] == "all_members"
    assert new["disclosure_working_days"] == 10


async def test_the_district_chairs_certificate_ends_with_the_district_tier(client: httpx.AsyncClient) -> None:
    assert (await award_type(client, "GIAY_KHEN_CT_HUYEN", "2025-06-30"))["valid_to"] == "2025-06-30"
    gone = await client.get("/v1/award-types/GIAY_KHEN_CT_HUYEN", params={"at": "2025-07-01"})
    assert_problem(gone, 404, "award-type-not-found")
    assert "2025-06-30" in gone.json()["detail"]


def test_every_seeded_rule_is_a_kind_the_engine_knows() -> None:
    assert {rule["kind"] for rule in catalogue_data()["rules"]} <= RULE_KINDS


def new_version(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "CSTD_CAP_TINH",
        "name": "Chiến sĩ thi đua cấp tỉnh",
        "category": "title",
        "recipient_kind": "individual",
        "level": "provincial",
        "deciding_authority": "provincial_chair",
        "occasions": ["annual"],
        "vote_threshold": "0.9",
        "vote_base": "all_members",
        "disclosure_working_days": 10,
        "bonus_coefficient": "3.0",
        "legal_source": "Nghị định thay thế Nghị định 152/2025/NĐ-CP",
        "valid_from": "2027-03-01",
        "rules": [
            {
                "kind": "consecutive_titles",
                "params": {"award_type": "CSTD_CO_SO", "years": 3},
                "description": "Có 3 lần liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở",
                "legal_source": "Nghị định thay thế Nghị định 152/2025/NĐ-CP",
            }
        ],
    }
    body.update(changes)
    return body


async def test_a_new_version_ends_the_one_in_force_the_day_before(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    created = await client.post("/v1/award-types", json=new_version(), headers=auth("secretariat"))
    assert created.status_code == 201, created.text
    before = await award_type(client, "CSTD_CAP_TINH", "2027-02-28")
    after = await award_type(client, "CSTD_CAP_TINH", "2027-03-01")
    assert before["valid_to"] == "2027-02-28"
    assert "152/2025" in before["legal_source"]
    assert after["legal_source"] == "Nghị định thay thế Nghị định 152/2025/NĐ-CP"
    assert [rule["kind"] for rule in after["rules"]] == ["consecutive_titles"]


@pytest.mark.parametrize(
    ("changes", "status", "slug"),
    [
        ({"valid_from": "2024-01-01"}, 409, "award-type-version-overlaps"),
        ({"valid_from": "2025-07-01"}, 409, "award-type-version-overlaps"),
        (
            {"rules": [{"kind": "astrology", "params": {}, "description": "x", "legal_source": "x"}]},
            422,
            "validation-error",
        ),
        ({"vote_threshold": "1.5"}, 422, "validation-error"),
        ({"occasions": []}, 422, "validation-error"),
    ],
)
async def test_bad_versions_are_refused(
    client: httpx.AsyncClient, auth: Auth, changes: dict[str, Any], status: int, slug: str
) -> None:
    response = await client.post("/v1/award-types", json=new_version(**changes), headers=auth("admin"))
    assert_problem(response, status, slug)


@pytest.mark.parametrize("role", ["unit_officer", "council_member", "authority", "reporter", "viewer"])
async def test_only_the_secretariat_and_admins_change_the_catalogue(
    client: httpx.AsyncClient, auth: Auth, role: str
) -> None:
    response = await client.post("/v1/award-types", json=new_version(), headers=auth(role))
    assert_problem(response, 403, "missing-role")


async def test_the_catalogue_is_public(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/award-types")).status_code == 200


async def test_the_catalogue_is_paged_by_code(client: httpx.AsyncClient) -> None:
    whole = (await client.get("/v1/award-types", params={"at": "2024-06-01", "limit": 500})).json()["items"]
    codes, cursor = [], None
    while True:
        params: dict[str, str | int] = {"at": "2024-06-01", "limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/award-types", params=params)).json()
        codes += [item["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert codes == [item["code"] for item in whole] == sorted(codes)
    bad = await client.get("/v1/award-types", params={"cursor": "eyJhIjoxfQ"})
    assert bad.status_code == 400
