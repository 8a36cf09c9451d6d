"""The catalogue by date: every day of 2021-2026 has its rules, with the coefficients, thresholds, deciding
authorities and disclosure stages of the law in force then, and the seed keeps its rows equal to its data."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from nominations.catalogue import seed
from nominations.catalogue.seed import CatalogueConflict, catalogue_data, load_catalogue

DATA = catalogue_data()
FIRST, LAST = dt.date(2021, 1, 1), dt.date(2026, 12, 31)
DISTRICT_TIER_ENDS = dt.date(2025, 6, 30)
MID_TERM_REVIEW, IN_2024, AFTER_REFORM = "2023-06-11", "2024-06-01", "2025-08-01"
VOTED = ("CSTD_CAP_TINH", "CSTD_TOAN_QUOC", "CO_THI_DUA_CP", "BANG_KHEN_TTG", "HUAN_CHUONG_LD_3")


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _covers(item: dict[str, Any], day: dt.date) -> bool:
    end = _day(item["valid_to"])
    return dt.date.fromisoformat(item["valid_from"]) <= day and (end is None or day <= end)


def test_every_day_of_the_plan_has_exactly_one_version_of_every_award_type() -> None:
    codes = {item["code"] for item in DATA["award_types"]}
    day = FIRST
    while day <= LAST:
        in_force = Counter(item["code"] for item in DATA["award_types"] if _covers(item, day))
        expected = codes - ({"GIAY_KHEN_CT_HUYEN"} if day > DISTRICT_TIER_ENDS else set())
        assert set(in_force) == expected, day
        assert set(in_force.values()) == {1}, day
        day += dt.timedelta(days=1)


def test_every_row_has_its_source_and_lies_within_a_version() -> None:
    for item in DATA["award_types"]:
        assert item["legal_source"], item["code"]
        assert item["bonus_source"], item["code"]
        assert (item["disclosure_stage"] == "none") == (item["disclosure_working_days"] == 0), item["code"]
        if item["disclosure_stage"] != "none":
            assert item["disclosure_source"], item["code"]
    for rule in [*DATA["rules"], *DATA["quotas"]]:
        assert rule["legal_source"]
        start = dt.date.fromisoformat(rule["valid_from"])
        assert any(v["code"] == rule["award_type_code"] and _covers(v, start) for v in DATA["award_types"]), (
            rule
        )


async def _on(client: httpx.AsyncClient, day: str) -> dict[str, dict[str, Any]]:
    response = await client.get("/v1/award-types", params={"at": day, "limit": 100})
    assert response.status_code == 200, response.text
    return {item["code"]: item for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("day", "coefficients", "source"),
    [
        # Nghị định 91/2017/NĐ-CP, Điều 69 and 73.
        (MID_TERM_REVIEW, {"CO_THI_DUA_CP": 12.0, "THON_VAN_HOA": 1.5, "BANG_KHEN_TTG": 3.5,
                           "BANG_KHEN_CT_TINH": 1.0, "GIAY_KHEN_CT_XA": 0.15}, "91/2017"),
        # Nghị định 98/2023/NĐ-CP, Điều 54.
        (IN_2024, {"CO_THI_DUA_CP": 12.0, "THON_VAN_HOA": 1.5, "BANG_KHEN_TTG": 3.5,
                   "BANG_KHEN_CT_TINH": 1.0, "CSTD_TOAN_QUOC": 4.5}, "98/2023"),
        # Nghị định 152/2025/NĐ-CP, Điều 50 and 54.
        (AFTER_REFORM, {"CO_THI_DUA_CP": 12.0, "THON_VAN_HOA": 1.5, "BANG_KHEN_TTG": 3.5,
                        "BANG_KHEN_CT_TINH": 1.5, "BANG_KHEN_CT_TINH_TT": 3.0}, "152/2025"),
    ],
)  # fmt: skip
async def test_the_coefficients_of_each_regime(
    client: httpx.AsyncClient, day: str, coefficients: dict[str, float], source: str
) -> None:
    catalogue = await _on(client, day)
    assert {code: catalogue[code]["bonus_coefficient"] for code in coefficients} == coefficients
    assert all(source in catalogue[code]["bonus_source"] for code in coefficients)


async def test_the_mid_term_review_can_nominate_every_award_of_its_day(client: httpx.AsyncClient) -> None:
    catalogue = await _on(client, MID_TERM_REVIEW)
    assert len(catalogue) == len({item["code"] for item in DATA["award_types"]})
    assert all("2003" in item["legal_source"] for item in catalogue.values())
    assert all("91/2017" in item["bonus_source"] for item in catalogue.values())


async def test_who_decides_the_cultural_village_and_family(client: httpx.AsyncClient) -> None:
    in_2024, after = await _on(client, IN_2024), await _on(client, AFTER_REFORM)
    village = in_2024["THON_VAN_HOA"]
    assert (village["deciding_authority"], village["occasions"]) == ("district_chair", ["annual"])
    assert "Điều 30" in village["legal_source"]
    assert "Điều 80 khoản 2" in village["notes"]
    assert after["THON_VAN_HOA"]["deciding_authority"] == "commune_chair"
    assert "Điều 31" in in_2024["GIA_DINH_VAN_HOA"]["legal_source"]


async def test_the_stage_of_disclosure_and_the_vote_follow_the_law(client: httpx.AsyncClient) -> None:
    for day, article in ((IN_2024, "Điều 46 khoản 2"), (AFTER_REFORM, "Điều 44 khoản 2")):
        catalogue = await _on(client, day)
        for code in ("HUAN_CHUONG_LD_3", "CSTD_TOAN_QUOC"):
            item = catalogue[code]
            assert (item["disclosure_stage"], item["disclosure_working_days"]) == ("before_council", 10)
            assert article in item["disclosure_source"]
        assert catalogue["LDTT"]["disclosure_stage"] == "none"
        assert catalogue["CSTD_CAP_TINH"]["disclosure_stage"] == "after_council"
    flag = (await _on(client, AFTER_REFORM))["CO_THI_DUA_CP"]
    assert (flag["vote_threshold"], flag["vote_base"], flag["vote_comparison"]) == (0.8, "all_members", "gte")
    assert "Điều 33 khoản 5" in flag["notes"]
    # The 90 % rule of Nghị định 91/2017 Điều 45 khoản 8 is the emulation fighters' and heroes' only.
    for day in (MID_TERM_REVIEW, IN_2024):
        catalogue = await _on(client, day)
        assert {code: catalogue[code]["vote_threshold"] for code in VOTED} == {
            "CSTD_CAP_TINH": 0.9,
            "CSTD_TOAN_QUOC": 0.9,
            "CO_THI_DUA_CP": 0.7,
            "BANG_KHEN_TTG": 0.7,
            "HUAN_CHUONG_LD_3": 0.7,
        }


async def test_the_15_percent_cap_is_of_the_2017_decree(client: httpx.AsyncClient) -> None:
    before = (await _on(client, MID_TERM_REVIEW))["CSTD_CO_SO"]
    assert [(q["basis"], q["max_share"]) for q in before["quotas"]] == [("award:LDTT", 0.15)]
    assert "Điều 9 khoản 3" in before["quotas"][0]["legal_source"]
    # Nghị định 152/2025/NĐ-CP has no such cap.
    assert (await _on(client, AFTER_REFORM))["CSTD_CO_SO"]["quotas"] == []


async def test_a_collective_needs_more_than_half_its_members_advanced_workers(
    client: httpx.AsyncClient,
) -> None:
    [share] = [r for r in (await _on(client, IN_2024))["TT_LDTT"]["rules"] if r["kind"] == "member_share"]
    assert share["params"] == {"award_type": "LDTT", "min_share": 0.5, "comparison": "gt"}
    assert "trên 50%" in share["description"]


async def _scalar(db_session: AsyncSession, sql: str, **params: Any) -> Any:
    return (await db_session.execute(text(sql), params)).scalar_one()


async def test_the_seed_corrects_its_own_rows_and_leaves_the_apis(
    db_session: AsyncSession, client: httpx.AsyncClient, auth: Auth
) -> None:
    # As a deployment seeded before the correction held it.
    await db_session.execute(
        text(
            "UPDATE nominations.award_types SET bonus_coefficient = 24.5"
            " WHERE code = 'CO_THI_DUA_CP' AND valid_from = '2024-01-01'"
        )
    )
    await db_session.commit()
    counts = await load_catalogue(db_session)
    await db_session.commit()
    assert counts["award_types"]["updated"] == 1
    coefficient = await _scalar(
        db_session,
        "SELECT bonus_coefficient FROM nominations.award_types"
        " WHERE code = 'CO_THI_DUA_CP' AND valid_from = '2024-01-01'",
    )
    assert coefficient == Decimal("12.00")
    again = await load_catalogue(db_session)
    await db_session.commit()
    assert all(count == 0 for table in again.values() for count in table.values()), again


async def test_a_version_entered_through_the_api_outlives_the_seed(
    db_session: AsyncSession, client: httpx.AsyncClient, auth: Auth
) -> None:
    body = {
        "code": "GIAY_KHEN",
        "name": "Giấy khen",
        "category": "award_form",
        "recipient_kind": "individual",
        "level": "grassroots",
        "deciding_authority": "unit_head",
        "occasions": ["annual"],
        "vote_threshold": "0.5",
        "vote_base": "present",
        "vote_comparison": "gt",
        "disclosure_working_days": 0,
        "bonus_coefficient": "0.3",
        "legal_source": "Nghị định thay thế Nghị định 152/2025/NĐ-CP (hết hiệu lực 01/3/2027)",
        "valid_from": "2027-03-01",
    }
    created = await client.post("/v1/award-types", json=body, headers=auth("secretariat"))
    assert created.status_code == 201, created.text
    assert created.json()["disclosure_stage"] == "none"
    await load_catalogue(db_session)
    await db_session.commit()
    detail = (await client.get("/v1/award-types/GIAY_KHEN", params={"at": "2027-02-28"})).json()
    assert detail["valid_to"] == "2027-02-28"
    assert [v["valid_from"] for v in detail["versions"]][-1] == "2027-03-01"
    later = (await client.get("/v1/award-types/GIAY_KHEN", params={"at": "2027-03-01"})).json()
    assert later["rules"] == []  # the seeded rules ended with their version


async def test_a_stage_without_days_or_days_without_a_stage_is_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    body = {
        "code": "KY_NIEM_CHUONG",
        "name": "Kỷ niệm chương",
        "category": "award_form",
        "recipient_kind": "individual",
        "level": "provincial",
        "deciding_authority": "provincial_chair",
        "occasions": ["lifetime"],
        "vote_threshold": "0.5",
        "vote_base": "present",
        "disclosure_stage": "before_council",
        "disclosure_working_days": 0,
        "bonus_coefficient": "0",
        "legal_source": "x",
        "valid_from": "2026-01-01",
    }
    refused = await client.post("/v1/award-types", json=body, headers=auth("secretariat"))
    detail = assert_problem(refused, 422, "validation-error")["detail"]
    assert "disclosure_stage none goes with 0 disclosure_working_days" in detail


async def test_the_base_salary_table_takes_its_next_change_without_code(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    table = (await client.get("/v1/base-salaries")).json()["items"]
    assert [(row["valid_from"], row["valid_to"], row["amount_vnd"]) for row in table] == [
        ("2019-07-01", "2023-06-30", 1_490_000),
        ("2023-07-01", "2024-06-30", 1_800_000),
        ("2024-07-01", "2026-06-30", 2_340_000),
        ("2026-07-01", None, 2_530_000),
    ]
    assert "cần đối chiếu" in table[-1]["legal_source"]
    change = {"valid_from": "2028-07-01", "amount_vnd": 2_800_000, "legal_source": "Nghị định …/2028/NĐ-CP"}
    for role in ("unit_officer", "authority"):
        assert_problem(
            await client.post("/v1/base-salaries", json=change, headers=auth(role)), 403, "missing-role"
        )
    created = await client.post("/v1/base-salaries", json=change, headers=auth("secretariat"))
    assert created.status_code == 201, created.text
    table = (await client.get("/v1/base-salaries", params={"limit": 2})).json()
    assert len(table["items"]) == 2
    assert table["next_cursor"]
    rest = (await client.get("/v1/base-salaries", params={"cursor": table["next_cursor"]})).json()["items"]
    assert [(row["valid_from"], row["valid_to"]) for row in rest[-2:]] == [
        ("2026-07-01", "2028-06-30"),
        ("2028-07-01", None),
    ]
    past = {"valid_from": "2025-01-01", "amount_vnd": 2_000_000, "legal_source": "x"}
    assert_problem(
        await client.post("/v1/base-salaries", json=past, headers=auth("admin")), 409, "base-salary-overlaps"
    )
    assert_problem(
        await client.post("/v1/base-salaries", json=change | {"amount_vnd": 0}, headers=auth("admin")),
        422,
        "validation-error",
    )


async def test_the_successions_are_public_with_their_source(client: httpx.AsyncClient) -> None:
    [succession] = (await client.get("/v1/authority-successions")).json()["items"]
    assert (succession["authority"], succession["successor"], succession["valid_from"]) == (
        "district_chair",
        "provincial_chair",
        "2025-07-01",
    )
    assert "Điều 60" in succession["legal_source"]


async def test_a_new_version_through_the_api_ends_the_old_ones_quotas(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    body = {
        "code": "CSTD_CO_SO",
        "name": "Chiến sĩ thi đua cơ sở",
        "category": "title",
        "recipient_kind": "individual",
        "level": "grassroots",
        "deciding_authority": "unit_head",
        "occasions": ["annual"],
        "vote_threshold": "0.7",
        "vote_base": "all_members",
        "disclosure_working_days": 0,
        "bonus_coefficient": "1.0",
        "legal_source": "Nghị định thay thế Nghị định 152/2025/NĐ-CP",
        "valid_from": "2027-03-01",
    }
    # The 2021-2023 version's quota ended with it; a version entered through the API brings no quota.
    created = await client.post("/v1/award-types", json=body, headers=auth("secretariat"))
    assert created.status_code == 201, created.text
    assert created.json()["quotas"] == []
    precise = body | {"code": "LDTT", "vote_threshold": "0.0001"}
    assert_problem(
        await client.post("/v1/award-types", json=precise, headers=auth("admin")), 422, "validation-error"
    )


async def test_the_seed_refuses_to_leave_two_versions_in_force(
    db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base salary entered through the API, open-ended, and the data's later row: nothing is loaded."""
    await db_session.execute(
        text(
            "INSERT INTO nominations.base_salaries (valid_from, valid_to, amount_vnd, legal_source, origin)"
            " VALUES ('2026-09-01', NULL, 9, 'x', 'api')"
        )
    )
    data = catalogue_data()
    later = {"valid_from": "2026-10-01", "valid_to": None, "amount_vnd": 3_000_000, "legal_source": "x"}
    monkeypatch.setattr(
        seed, "catalogue_data", lambda: data | {"base_salaries": [*data["base_salaries"], later]}
    )
    with pytest.raises(CatalogueConflict, match=r"base salary: 2026-09-01\.\.open \(api\) and 2026-10-01"):
        await seed.load_catalogue(db_session)
    await db_session.rollback()
