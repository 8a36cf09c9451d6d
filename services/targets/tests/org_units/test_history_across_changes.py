"""Scope, results, progress and the hierarchy the nominations service reads, across each change of the seeded
communes: 2025-01-01 (Resolution 1283: Lộc Hà into Thạch Hà, fourteen communes into TP Hà Tĩnh, mergers) and
2025-07-01 (Resolution 1665: the district tier ends, 209 communes become 69). Real PostgreSQL, the real seed.
"""

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.plugin import AuthHeaders
from nominations.org_scope import ScopeCheck, TargetsClient
from shared.auth import Principal, Role
from targets.org_units import service as org_units
from targets.org_units.scope import scope_of

D = dt.date
# Units of the seed, by what they were.
THACH_LINH = "HT-18094-20241231"  # Phường Thạch Linh, TP Hà Tĩnh, until 2024-12-31
OLD_TRAN_PHU = "HT-18070-20241231"  # Phường Trần Phú (18070), until 2024-12-31
TRAN_PHU_2025 = "HT-18094-20250630"  # Phường Trần Phú (18094): Thạch Linh and most of the old Trần Phú
TRAN_PHU = "HT-18100"  # Phường Trần Phú (18100) from 2025-07-01, under the province
THACH_KHE = "HT-18604-20250630"  # Xã Thạch Khê: Thạch Hà until 2024-12-31, TP Hà Tĩnh to 2025-06-30
HO_DO = "HT-18598-20250630"  # Xã Hộ Độ: Lộc Hà until 2024-12-31, TP Hà Tĩnh to 2025-06-30
THACH_KIM = "HT-18580-20250630"  # Xã Thạch Kim: Lộc Hà until 2024-12-31, Thạch Hà to 2025-06-30
NAM_HA = "HT-18073-20250630"  # Phường Nam Hà, until 2025-06-30
THANH_SEN = "HT-18073"  # Phường Thành Sen from 2025-07-01 (Nam Hà's code), Nam Hà among its predecessors
SON_KIM_1 = "HT-18196"  # Xã Sơn Kim 1: not rearranged; Hương Sơn, then the province


async def import_one(
    client: httpx.AsyncClient, auth: AuthHeaders, caller: str, unit: str, period: str
) -> list[str]:
    """The conflict codes of posting one value (dry run) as a reporter of ``caller``; [] when it imports."""
    response = await client.post(
        "/v1/data-value-sets",
        json={
            "dataValues": [
                {"dataElement": "ECO_NEW_ENTERPRISES", "period": period, "orgUnit": unit, "value": "3"}
            ]
        },
        params={"dryRun": "true"},
        headers=auth("reporter", org_unit=caller),
    )
    assert response.status_code in {200, 409}, response.text
    return [conflict["errorCode"] for conflict in response.json()["conflicts"]]


# ---- a reporter of a unit that changed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "unit", "period", "conflicts"),
    [
        # A ward that merged on 2025-01-01 reports for the years it existed, and for nothing after.
        (THACH_LINH, THACH_LINH, "2024", []),
        (THACH_LINH, THACH_LINH, "2025", ["E7612"]),
        (THACH_LINH, TRAN_PHU_2025, "2025", ["E7617"]),  # its successor is not below it
        # The city's system reports for its wards as they stood each year.
        ("HT-HTI", THACH_LINH, "2024", []),
        ("HT-HTI", OLD_TRAN_PHU, "2024", []),
        ("HT-HTI", TRAN_PHU_2025, "2025", []),
        ("HT-HTI", TRAN_PHU, "2025", ["E7617"]),  # formed on 2025-07-01 directly under the province
        # Thạch Khê moved from Thạch Hà to TP Hà Tĩnh on 2025-01-01.
        ("HT-THA", THACH_KHE, "2024", []),
        ("HT-THA", THACH_KHE, "2025", ["E7617"]),
        ("HT-HTI", THACH_KHE, "2024", ["E7617"]),
        ("HT-HTI", THACH_KHE, "2025", []),
        # Lộc Hà's system: its communes until the merger; Hộ Độ went to the city, Thạch Kim to Thạch Hà.
        ("HT-LHA", HO_DO, "2024", []),
        ("HT-LHA", HO_DO, "2025", ["E7617"]),
        ("HT-THA", THACH_KIM, "2025", []),
        ("HT-THA", HO_DO, "2025", ["E7617"]),
        # A commune formed on 2025-07-01 reports for itself, not for the wards it was formed from.
        (THANH_SEN, THANH_SEN, "2025", []),
        (THANH_SEN, NAM_HA, "2024", ["E7617"]),
        # The unit not rearranged: Hương Sơn's until the tier ended, its own always.
        ("HT-HSO", SON_KIM_1, "2024", []),
        (SON_KIM_1, SON_KIM_1, "2026", []),
        ("HT-HSO", SON_KIM_1, "2026", ["E7617"]),
    ],
)
async def test_a_reporter_posts_for_the_units_below_it_as_they_stood_in_the_period(
    client: httpx.AsyncClient, auth: AuthHeaders, caller: str, unit: str, period: str, conflicts: list[str]
) -> None:
    assert await import_one(client, auth, caller, unit, period) == conflicts


@pytest.mark.parametrize(
    ("caller", "unit", "day", "allowed"),
    [
        ("HT-THA", THACH_KHE, D(2024, 12, 31), True),
        ("HT-THA", THACH_KHE, D(2025, 1, 1), False),
        ("HT-HTI", THACH_KHE, D(2025, 1, 1), True),
        ("HT-HTI", THACH_KHE, D(2025, 7, 1), False),  # ended
        ("HT-LHA", HO_DO, D(2024, 12, 31), True),
        ("HT-LHA", HO_DO, D(2025, 3, 1), False),  # Lộc Hà no longer exists
        (THACH_LINH, THACH_LINH, D(2024, 6, 30), True),
        (THANH_SEN, NAM_HA, D(2025, 6, 30), False),
        (THANH_SEN, THANH_SEN, D(2026, 3, 10), True),
        ("HT", THANH_SEN, D(2026, 3, 10), True),
    ],
)
@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.REPORTER, Role.AUTHORITY])
async def test_a_scoped_token_acts_for_the_hierarchy_of_the_day(
    db_session: AsyncSession, role: Role, caller: str, unit: str, day: dt.date, allowed: bool
) -> None:
    hierarchy = await org_units.load_hierarchy(db_session)
    principal = Principal(subject="s", roles=frozenset({role}), org_unit=caller, claims={})
    target = hierarchy.by_code(unit)
    assert target is not None
    assert scope_of(principal, hierarchy).allows(hierarchy, target.id, day) is allowed


# ---- progress of units that changed ------------------------------------------------------------------------


async def post(client: httpx.AsyncClient, auth: AuthHeaders, values: list[tuple[str, str, str, str]]) -> None:
    response = await client.post(
        "/v1/data-value-sets",
        json={
            "dataValues": [{"dataElement": d, "period": p, "orgUnit": o, "value": v} for d, p, o, v in values]
        },
        headers=auth("admin"),
    )
    assert response.status_code == 200, response.text


async def progress_row(
    client: httpx.AsyncClient, auth: AuthHeaders, org_unit: str, indicator: str
) -> dict[str, Any]:
    response = await client.get("/v1/progress", params={"org_unit": org_unit}, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = next(
        row for row in response.json()["items"] if row["indicator"]["code"] == indicator
    )
    return found


async def test_a_district_that_no_longer_exists_keeps_its_progress_for_the_years_it_existed(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await post(
        client,
        auth,
        [
            ("POP_AVG", "2023", HO_DO, "3000"),
            ("SOC_HEALTH_INSURANCE", "2023", HO_DO, "98"),
            ("POP_AVG", "2023", THACH_KIM, "1000"),
            ("SOC_HEALTH_INSURANCE", "2023", THACH_KIM, "90"),
            # After the merger Thạch Kim counts for Thạch Hà, Hộ Độ for the city, neither for Lộc Hà.
            ("POP_AVG", "2025", THACH_KIM, "1000"),
            ("SOC_HEALTH_INSURANCE", "2025", THACH_KIM, "97"),
        ],
    )
    loc_ha = await progress_row(client, auth, "HT-LHA", "SOC_HEALTH_INSURANCE")
    assert loc_ha["inherited_from"] == "HT"
    assert loc_ha["series"] == [{"period": "2023", "value": 96.0, "source": "aggregated"}]
    thach_ha = await progress_row(client, auth, "HT-THA", "SOC_HEALTH_INSURANCE")
    assert thach_ha["series"] == [{"period": "2025", "value": 97.0, "source": "aggregated"}]


async def test_the_province_adds_up_the_communes_of_each_year_under_their_parents_of_that_year(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await post(
        client,
        auth,
        [
            ("ECO_NEW_ENTERPRISES", "2024", THACH_KIM, "10"),
            ("ECO_NEW_ENTERPRISES", "2024", THACH_KHE, "20"),
            ("ECO_NEW_ENTERPRISES", "2025", THACH_KIM, "30"),
            ("ECO_NEW_ENTERPRISES", "2025", THACH_KHE, "40"),
            ("ECO_NEW_ENTERPRISES", "2025", THANH_SEN, "5"),
        ],
    )
    row = await progress_row(client, auth, "HT", "ECO_NEW_ENTERPRISES")
    # 2025 is the year of the generation standing at its end: the districts, ended on 30/6 and succeeded by
    # the communes and wards of 1/7, are represented by them, so the province's 2025 is Thành Sen's alone
    # and is never the two generations added together.
    assert [(point["period"], point["value"]) for point in row["series"]] == [("2024", 30.0), ("2025", 5.0)]
    assert row["coverage"] == {"reported": 1, "expected": 67}  # the 2025 generation: 67 units of 1/7/2025


# ---- the hierarchy the nominations service reads (its own client, against this service) --------------------


@pytest.fixture
def nominations_client(running_app: FastAPI, client: httpx.AsyncClient) -> TargetsClient:
    """The nominations service's client of this service, in-process, inside the test's transaction."""
    return TargetsClient("http://testserver", transport=httpx.ASGITransport(app=running_app), retries=0)


def token(auth: AuthHeaders, role: str, org_unit: str) -> str:
    return auth(role, org_unit=org_unit)["Authorization"].removeprefix("Bearer ")


async def test_a_past_date_names_each_unit_as_it_stood(
    nominations_client: TargetsClient, auth: AuthHeaders
) -> None:
    viewer = token(auth, "viewer", "HT")
    in_2024 = await nominations_client.hierarchy(D(2024, 6, 30), viewer)
    thach_linh = in_2024.get(THACH_LINH)
    assert thach_linh is not None
    assert (thach_linh.name, thach_linh.parent, thach_linh.level, thach_linh.type) == (
        "Phường Thạch Linh",
        "HT-HTI",
        3,
        "ward",
    )
    # "Phường Trần Phú" named three units in turn; on each date the hierarchy holds the one of that date.
    assert [code for code, unit in in_2024.units.items() if unit.name == "Phường Trần Phú"] == [OLD_TRAN_PHU]
    assert in_2024.path(THACH_KHE) == [THACH_KHE, "HT-THA", "HT"]
    assert in_2024.path(HO_DO) == [HO_DO, "HT-LHA", "HT"]
    in_2025 = await nominations_client.hierarchy(D(2025, 3, 1), viewer)
    assert [code for code, unit in in_2025.units.items() if unit.name == "Phường Trần Phú"] == [TRAN_PHU_2025]
    assert in_2025.get(THACH_LINH) is None
    assert in_2025.path(THACH_KHE) == [THACH_KHE, "HT-HTI", "HT"]
    assert in_2025.path(HO_DO) == [HO_DO, "HT-HTI", "HT"]
    assert in_2025.path(THACH_KIM) == [THACH_KIM, "HT-THA", "HT"]
    now = await nominations_client.hierarchy(D(2026, 3, 10), viewer)
    assert [code for code, unit in now.units.items() if unit.name == "Phường Trần Phú"] == [TRAN_PHU]
    assert now.path(TRAN_PHU) == [TRAN_PHU, "HT"]
    assert now.get(THACH_KHE) is None
    assert len([unit for unit in now.units.values() if unit.level == 2 and unit.type != "department"]) == 69


@pytest.mark.parametrize(
    ("officer_of", "unit", "day", "covered"),
    [
        ("HT-THA", THACH_KHE, D(2024, 6, 30), True),
        ("HT-THA", THACH_KHE, D(2025, 3, 1), False),
        ("HT-HTI", THACH_KHE, D(2025, 3, 1), True),
        ("HT-LHA", HO_DO, D(2024, 6, 30), True),
        ("HT-LHA", HO_DO, D(2025, 3, 1), False),
        ("HT-HTI", THACH_LINH, D(2024, 6, 30), True),
        ("HT-HTI", TRAN_PHU, D(2026, 3, 10), False),
    ],
)
async def test_a_unit_officer_covers_the_units_below_it_on_the_rounds_date(
    nominations_client: TargetsClient,
    auth: AuthHeaders,
    officer_of: str,
    unit: str,
    day: dt.date,
    covered: bool,
) -> None:
    principal = Principal(subject="o", roles=frozenset({Role.UNIT_OFFICER}), org_unit=officer_of, claims={})
    scope = ScopeCheck(principal, nominations_client, token(auth, "unit_officer", officer_of))
    assert await scope.covers(unit, day) is covered


async def test_an_old_unit_leads_to_the_units_that_took_it_over(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    async def successors(code: str) -> list[tuple[str, str, str]]:
        response = await client.get(f"/v1/org-units/{code}", headers=auth("viewer"))
        assert response.status_code == 200, response.text
        return [(s["kind"], s["effective_date"], s["successor"]) for s in response.json()["successors"]]

    assert await successors(THACH_LINH) == [("merge", "2025-01-01", TRAN_PHU_2025)]
    # Not into the Trần Phú of 2025-07-01 (Thạch Trung, Thạch Hạ, Đồng Môn and Hộ Độ): into Thành Sen.
    assert await successors(TRAN_PHU_2025) == [("merge", "2025-07-01", THANH_SEN)]
    assert await successors(OLD_TRAN_PHU) == [
        ("merge", "2025-01-01", TRAN_PHU_2025),
        ("merge", "2025-01-01", "HT-18077-20250630"),  # tổ dân phố 6, to phường Bắc Hà
    ]
    # Phường Đại Nài was divided between two wards on 2025-07-01.
    assert await successors("HT-18082-20250630") == [
        ("merge", "2025-07-01", THANH_SEN),
        ("merge", "2025-07-01", "HT-18652"),  # Phường Hà Huy Tập
    ]
    assert await successors(SON_KIM_1) == []


async def test_an_official_code_names_the_unit_that_held_it_on_the_date(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    async def holder(at: str) -> list[tuple[str, str]]:
        response = await client.get(
            "/v1/org-units", params={"official_code": "18073", "at": at}, headers=auth("viewer")
        )
        assert response.status_code == 200, response.text
        return [(unit["code"], unit["name"]) for unit in response.json()["items"]]

    assert await holder("2025-06-30") == [("HT-18073-20250630", "Phường Nam Hà")]
    assert await holder("2025-07-01") == [(THANH_SEN, "Phường Thành Sen")]
    bad = await client.get("/v1/org-units", params={"official_code": "x1"}, headers=auth("viewer"))
    assert bad.status_code == 422
