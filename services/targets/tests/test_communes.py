"""The seeded communes and wards of 2021-2026: generated reproducibly from the packages and the hand-written
changes of 1/1/2025, counted on each date, coded without collisions, linked to their successors."""

import datetime as dt
import json
import re
from collections import Counter
from importlib import resources
from typing import Any

import httpx
import pytest

from devstack.paths import repo_root
from devstack.testing.dates import SUITE_TODAY
from devstack.testing.plugin import AuthHeaders
from targets.seed import communes

COMMUNE_TYPES = {"commune", "ward", "township"}
DISTRICT_TYPES = {"city", "town", "district"}


def _seed_file(name: str) -> dict[str, Any]:
    text = resources.files("targets.seed").joinpath("data", name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_the_committed_file_is_what_the_generator_makes_from_the_packages() -> None:
    committed = resources.files("targets.seed").joinpath("data", "communes.json").read_text(encoding="utf-8")
    assert communes.render(communes.build()) == committed


def test_a_unit_keeps_its_official_code_while_it_exists_and_adds_its_last_day_when_it_ends() -> None:
    day = dt.date(2025, 7, 1)
    assert communes.Unit("18196", "Xã Sơn Kim 1", "commune", day, None, []).code == "HT-18196"
    ended = communes.Unit("18073", "Phường Nam Hà", "ward", day, dt.date(2025, 6, 30), [])
    assert ended.code == "HT-18073-20250630"


def test_a_code_once_issued_is_kept_when_the_file_is_made_again() -> None:
    """Regenerating after a package upgrade never renames a unit: the committed file's codes are reused,
    and every parent link and act refers to the unit by the code it was issued."""
    assert communes.build(issued={}) == communes.build()  # the committed codes follow the scheme
    issued = communes.issued_codes()
    issued[("18073", "2025-07-01")] = "HT-18073-ISSUED"  # as if Thành Sen had been issued another code
    document = communes.build(issued=issued)
    codes = [unit["code"] for unit in document["org_units"]]
    assert "HT-18073-ISSUED" in codes
    assert "HT-18073" not in codes
    successors = {code for act in document["restructurings"] for code in act["successors"]}
    assert "HT-18073-ISSUED" in successors
    assert "HT-18073" not in successors


async def units_on(client: httpx.AsyncClient, auth: AuthHeaders, day: dt.date) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/org-units", params={"at": day.isoformat(), "limit": 500}, headers=auth("viewer")
    )
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize(
    ("day", "count", "parent_types"),
    [
        (dt.date(2021, 1, 1), 216, DISTRICT_TYPES),
        (dt.date(2024, 12, 31), 216, DISTRICT_TYPES),
        (dt.date(2025, 1, 1), 209, DISTRICT_TYPES),
        (dt.date(2025, 6, 30), 209, DISTRICT_TYPES),
        (dt.date(2025, 7, 1), 69, {"province"}),
        (SUITE_TODAY, 69, {"province"}),
    ],
)
async def test_the_communes_of_each_date_sit_under_units_of_that_date(
    client: httpx.AsyncClient, auth: AuthHeaders, day: dt.date, count: int, parent_types: set[str]
) -> None:
    units = await units_on(client, auth, day)
    by_code = {unit["code"]: unit for unit in units}
    local = [unit for unit in units if unit["type"] in COMMUNE_TYPES]
    assert len(local) == count
    assert {by_code[unit["parent"]]["type"] for unit in local} == parent_types
    official = Counter(unit["official_code"] for unit in local)
    assert [code for code, seen in official.items() if seen > 1] == []
    assert all(re.fullmatch(r"[0-9]{5}", unit["official_code"]) for unit in local)
    assert all(unit["code"].startswith(f"HT-{unit['official_code']}") for unit in local)


async def test_districts_on_each_side_of_the_two_changes(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    async def children(district: str, day: str) -> int:
        response = await client.get(
            "/v1/org-units", params={"at": day, "parent": district, "limit": 500}, headers=auth("viewer")
        )
        return len(response.json()["items"])

    # TP Hà Tĩnh: 15 wards and communes, then 27 with the fourteen it took in, less two merged wards.
    assert (await children("HT-HTI", "2024-12-31"), await children("HT-HTI", "2025-01-01")) == (15, 27)
    assert (await children("HT-LHA", "2024-12-31"), await children("HT-LHA", "2025-01-01")) == (12, 0)
    assert (await children("HT-THA", "2024-12-31"), await children("HT-THA", "2025-01-01")) == (22, 22)
    assert (await children("HT-HSO", "2025-06-30"), await children("HT-HSO", "2025-07-01")) == (22, 0)


def test_every_unit_that_ended_has_successors_and_every_new_one_predecessors() -> None:
    data = _seed_file("communes.json")
    acts = data["restructurings"]
    succeeded = {code for act in acts if act["successors"] for code in act["predecessors"]}
    formed = {code for act in acts for code in act["successors"]}
    units = data["org_units"]
    ended = {unit["code"] for unit in units if unit["valid_to"]}
    begun = {unit["code"] for unit in units if unit["valid_from"] != "2021-01-01"}
    assert ended - succeeded == set()
    assert begun - formed == set()
    districts = {act["predecessors"][0]: act["successors"] for act in acts if act["kind"] == "dissolution"}
    assert len(districts) == 12
    assert all(successors for successors in districts.values())
    # The two communes the reform did not rearrange go on, under the province.
    assert sorted(
        unit["code"] for unit in units if unit["valid_from"] == "2021-01-01" and not unit["valid_to"]
    ) == [
        "HT-18196",
        "HT-18199",
    ]


def test_what_could_not_be_verified_is_marked_and_listed_in_the_docs() -> None:
    data = _seed_file("communes.json")
    flagged = {unit["code"] for unit in data["org_units"] if communes.VERIFY in (unit.get("notes") or "")}
    flagged |= {
        code
        for act in data["restructurings"]
        if communes.VERIFY in (act.get("notes") or "")
        for code in (*act["predecessors"], *act["successors"])
    }
    assert flagged  # Trung Lộc, Phú Phong, Kỳ Đồng, Kỳ Ninh, Kỳ Nam and their successors
    page = (repo_root() / "docs" / "targets.md").read_text(encoding="utf-8")
    assert sorted(code for code in flagged if code not in page) == []


def test_the_216_of_2021_are_the_official_list_of_2023_05_07() -> None:
    """Hà Tĩnh's part of vietnam-provinces 0.5.0 (the GSO list of 2023-05-07), committed as it ships: the
    generated units of 2021-01-01 are those, with their names, types and districts."""
    snapshot = repo_root() / "services" / "targets" / "tests" / "data" / "vietnam_provinces_0_5_0"
    assert communes.compare_2021(communes.build(), snapshot) == []
