"""The seed: Hà Tĩnh's units with their history and every measurable target of the plan's section II.2."""

import json
from importlib import resources
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from devstack.paths import repo_root
from devstack.postgres import run_sync
from devstack.testing.plugin import AuthHeaders as Auth
from shared.database import Database
from targets.seed.loader import SeedReport, load_seed


async def test_thirteen_districts_in_2024_twelve_in_2025_none_after_the_reform(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    async def districts(at: str) -> list[str]:
        response = await client.get(
            "/v1/org-units", params={"at": at, "parent": "HT", "limit": 500}, headers=auth("viewer")
        )
        assert response.status_code == 200, response.text
        return [
            unit["code"] for unit in response.json()["items"] if unit["type"] in {"district", "town", "city"}
        ]

    assert len(await districts("2024-06-30")) == 13
    in_2025 = await districts("2025-03-01")
    assert len(in_2025) == 12
    assert "HT-LHA" not in in_2025
    assert await districts("2025-07-01") == []


def _plan() -> dict[str, Any]:
    text = (
        resources.files("targets.seed").joinpath("data", "plan_ht_2021_2025.json").read_text(encoding="utf-8")
    )
    plan: dict[str, Any] = json.loads(text)
    return plan


def _comparator_from_words(words: str) -> str:
    """The wording rule: "trên" is gt; "khoảng" approx; "từ … trở lên", "tối thiểu", "ít nhất", bare: gte."""
    lowered = words.lower()
    if "khoảng" in lowered:
        return "approx"
    if "trên" in lowered.replace("trở lên", ""):
        return "gt"
    return "gte"


def test_every_measurable_target_of_section_ii2_and_the_relative_goal_of_ii1() -> None:
    targets = _plan()["targets"]
    assert len([t for t in targets if t["kind"] != "relative"]) == 31
    assert [t["reference_indicator"] for t in targets if t["kind"] == "relative"] == [
        "ECO_INCOME_PC_NORTH_CENTRAL"
    ]


@pytest.mark.parametrize(
    "target",
    [t for t in _plan()["targets"] if t["kind"] not in {"relative", "boolean"}],
    ids=lambda t: t["indicator"],
)
def test_comparators_follow_the_plans_words(target: dict[str, Any]) -> None:
    assert target["comparator"] == _comparator_from_words(target["source_text"]), target["source_text"]


async def test_the_seeded_targets_are_served_with_the_plans_words(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get(
        "/v1/targets", params={"plan": "HT-2021-2025", "limit": 500}, headers=auth("viewer")
    )
    served = {(t["indicator"], t["kind"]): t for t in response.json()["items"]}
    for target in _plan()["targets"]:
        got = served[(target["indicator"], target["kind"])]
        assert got["comparator"] == target["comparator"]
        assert got["value"] == target["value"]
        assert got["source_text"] == target["source_text"]


def test_docs_list_every_target_in_the_plans_words() -> None:
    page = (repo_root() / "docs" / "targets.md").read_text(encoding="utf-8")
    missing = [t["source_text"] for t in _plan()["targets"] if t["source_text"] not in page]
    assert missing == []


def test_seeding_twice_changes_nothing(database_url: str) -> None:
    async def load_twice() -> SeedReport:
        database = Database(database_url)
        try:
            async with database.session() as session:
                return await load_seed(session)
        finally:
            await database.dispose()

    report = run_sync(load_twice())
    assert report.created == {}
    assert report.existing == {"org_units": 15 + 18 + 295, "indicators": 33, "plans": 1, "targets": 32}


DISSOLUTIONS = (
    "SELECT count(*) FROM targets.org_unit_restructurings r WHERE r.kind = 'dissolution'"
    " AND r.effective_date = '2025-07-01' AND EXISTS"
    " (SELECT 1 FROM targets.org_unit_successions s WHERE s.restructuring_id = r.id)"
)


def test_a_dissolution_seeded_without_successors_is_recorded_again_with_them(database_url: str) -> None:
    """A database seeded before the communes were known holds one dissolution of the district tier naming no
    successor; seeded again, it gets one act per district with the new communes that succeeded it."""

    async def as_the_old_seed_left_it_then_seed() -> tuple[int, int, int]:
        database = Database(database_url)
        try:
            async with database.session() as session:
                await session.execute(
                    text(
                        "DELETE FROM targets.org_unit_restructurings WHERE kind = 'dissolution'"
                        " AND effective_date = '2025-07-01'"
                    )
                )
                await session.execute(
                    text(
                        "INSERT INTO targets.org_unit_restructurings (kind, effective_date, legal_source,"
                        " created_by) VALUES ('dissolution', '2025-07-01', 'số hiệu cần đối chiếu', 'seed')"
                    )
                )
            async with database.session() as session:
                before = (await session.execute(text(DISSOLUTIONS))).scalar_one()
                await load_seed(session)
            async with database.session() as session:
                after = (await session.execute(text(DISSOLUTIONS))).scalar_one()
                orphans = (
                    await session.execute(
                        text(
                            "SELECT count(*) FROM targets.org_unit_restructurings r"
                            " WHERE r.effective_date = '2025-07-01' AND NOT EXISTS"
                            " (SELECT 1 FROM targets.org_unit_successions s WHERE s.restructuring_id = r.id)"
                        )
                    )
                ).scalar_one()
                return before, after, orphans
        finally:
            await database.dispose()

    assert run_sync(as_the_old_seed_left_it_then_seed()) == (0, 12, 0)
