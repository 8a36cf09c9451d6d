"""The in-memory hierarchy on any date, built from plain units and dated parent links (no database)."""

import datetime as dt

import pytest

from targets.org_units.hierarchy import Hierarchy, ParentLink, UnitInfo

D = dt.date

PROVINCE = 1
DISTRICT_A = 2
DISTRICT_B = 3
COMMUNE_MOVES = 4  # under A until 2024-06-30, under B from 2024-07-01
COMMUNE_ENDS = 5  # under A, ends 2024-06-30
COMMUNE_LATE = 6  # begins 2024-04-01 under B
VILLAGE = 7  # under COMMUNE_MOVES throughout
DISTRICT_GONE = 8  # the district tier ends 2025-06-30; A and B end with it


def unit(
    unit_id: int, code: str, start: dt.date, end: dt.date | None = None, kind: str = "commune"
) -> UnitInfo:
    return UnitInfo(id=unit_id, code=code, name=code, type=kind, valid_from=start, valid_to=end)


@pytest.fixture
def hierarchy() -> Hierarchy:
    units = [
        unit(PROVINCE, "P", D(2021, 1, 1), kind="province"),
        unit(DISTRICT_A, "A", D(2021, 1, 1), D(2025, 6, 30), kind="district"),
        unit(DISTRICT_B, "B", D(2021, 1, 1), D(2025, 6, 30), kind="district"),
        unit(COMMUNE_MOVES, "A-MOVES", D(2021, 1, 1)),
        unit(COMMUNE_ENDS, "A-ENDS", D(2021, 1, 1), D(2024, 6, 30)),
        unit(COMMUNE_LATE, "B-LATE", D(2024, 4, 1)),
        unit(VILLAGE, "V", D(2021, 1, 1), kind="other"),
        unit(DISTRICT_GONE, "GONE", D(2021, 1, 1), D(2022, 12, 31), kind="district"),
    ]
    links = [
        ParentLink(DISTRICT_A, PROVINCE, D(2021, 1, 1), D(2025, 6, 30)),
        ParentLink(DISTRICT_B, PROVINCE, D(2021, 1, 1), D(2025, 6, 30)),
        ParentLink(DISTRICT_GONE, PROVINCE, D(2021, 1, 1), D(2022, 12, 31)),
        ParentLink(COMMUNE_MOVES, DISTRICT_A, D(2021, 1, 1), D(2024, 6, 30)),
        ParentLink(COMMUNE_MOVES, DISTRICT_B, D(2024, 7, 1), D(2025, 6, 30)),
        # After the district tier ends, the commune sits directly under the province.
        ParentLink(COMMUNE_MOVES, PROVINCE, D(2025, 7, 1), None),
        ParentLink(COMMUNE_ENDS, DISTRICT_A, D(2021, 1, 1), D(2024, 6, 30)),
        ParentLink(COMMUNE_LATE, DISTRICT_B, D(2024, 4, 1), D(2025, 6, 30)),
        ParentLink(COMMUNE_LATE, PROVINCE, D(2025, 7, 1), None),
        ParentLink(VILLAGE, COMMUNE_MOVES, D(2021, 1, 1), None),
    ]
    return Hierarchy(units={u.id: u for u in units}, links=links)


def test_unit_exists_and_overlaps_with_inclusive_bounds() -> None:
    info = unit(1, "X", D(2024, 1, 1), D(2024, 6, 30))
    assert info.exists_on(D(2024, 1, 1))
    assert info.exists_on(D(2024, 6, 30))
    assert not info.exists_on(D(2023, 12, 31))
    assert not info.exists_on(D(2024, 7, 1))
    assert info.overlaps(D(2024, 6, 30), D(2024, 12, 31))
    assert not info.overlaps(D(2024, 7, 1), D(2024, 12, 31))
    assert unit(2, "Y", D(2024, 1, 1)).exists_on(D(2999, 1, 1))


def test_by_code(hierarchy: Hierarchy) -> None:
    found = hierarchy.by_code("A-MOVES")
    assert found is not None
    assert found.id == COMMUNE_MOVES
    assert hierarchy.by_code("NOPE") is None


def test_parent_on_follows_the_dated_links(hierarchy: Hierarchy) -> None:
    assert hierarchy.parent_on(COMMUNE_MOVES, D(2024, 6, 30)) == DISTRICT_A
    assert hierarchy.parent_on(COMMUNE_MOVES, D(2024, 7, 1)) == DISTRICT_B
    assert hierarchy.parent_on(COMMUNE_MOVES, D(2025, 7, 1)) == PROVINCE
    assert hierarchy.parent_on(PROVINCE, D(2024, 1, 1)) is None
    # Before its first link the unit has no parent.
    assert hierarchy.parent_on(COMMUNE_LATE, D(2024, 3, 31)) is None


def test_ancestors_on(hierarchy: Hierarchy) -> None:
    assert list(hierarchy.ancestors_on(VILLAGE, D(2024, 1, 1))) == [COMMUNE_MOVES, DISTRICT_A, PROVINCE]
    assert list(hierarchy.ancestors_on(VILLAGE, D(2024, 12, 1))) == [COMMUNE_MOVES, DISTRICT_B, PROVINCE]
    assert list(hierarchy.ancestors_on(VILLAGE, D(2025, 7, 1))) == [COMMUNE_MOVES, PROVINCE]
    assert list(hierarchy.ancestors_on(PROVINCE, D(2024, 1, 1))) == []


def test_ancestors_on_stops_at_a_cycle() -> None:
    units = {1: unit(1, "X", D(2021, 1, 1)), 2: unit(2, "Y", D(2021, 1, 1))}
    links = [ParentLink(1, 2, D(2021, 1, 1), None), ParentLink(2, 1, D(2021, 1, 1), None)]
    assert list(Hierarchy(units=units, links=links).ancestors_on(1, D(2022, 1, 1))) == [2]


def test_children_on_only_units_that_exist_under_a_link_that_holds(hierarchy: Hierarchy) -> None:
    assert sorted(hierarchy.children_on(DISTRICT_A, D(2024, 6, 30))) == [COMMUNE_MOVES, COMMUNE_ENDS]
    assert hierarchy.children_on(DISTRICT_A, D(2024, 7, 1)) == []
    assert sorted(hierarchy.children_on(DISTRICT_B, D(2024, 7, 1))) == [COMMUNE_MOVES, COMMUNE_LATE]
    assert hierarchy.children_on(DISTRICT_B, D(2024, 3, 31)) == []
    assert sorted(hierarchy.children_on(PROVINCE, D(2022, 6, 1))) == [DISTRICT_A, DISTRICT_B, DISTRICT_GONE]
    assert sorted(hierarchy.children_on(PROVINCE, D(2025, 7, 1))) == [COMMUNE_MOVES, COMMUNE_LATE]


def test_children_on_skips_a_unit_that_ended_while_its_link_stayed_open() -> None:
    # A link left open by an older edit must not resurrect a unit after its end.
    units = {1: unit(1, "P", D(2021, 1, 1)), 2: unit(2, "C", D(2021, 1, 1), D(2022, 12, 31))}
    hierarchy = Hierarchy(units=units, links=[ParentLink(2, 1, D(2021, 1, 1), None)])
    assert hierarchy.children_on(1, D(2022, 12, 31)) == [2]
    assert hierarchy.children_on(1, D(2023, 1, 1)) == []


def test_level_on(hierarchy: Hierarchy) -> None:
    assert hierarchy.level_on(PROVINCE, D(2024, 1, 1)) == 1
    assert hierarchy.level_on(DISTRICT_A, D(2024, 1, 1)) == 2
    assert hierarchy.level_on(COMMUNE_MOVES, D(2024, 1, 1)) == 3
    assert hierarchy.level_on(VILLAGE, D(2024, 1, 1)) == 4
    # With the district tier gone the commune moves up a level, and so does everything below it.
    assert hierarchy.level_on(COMMUNE_MOVES, D(2025, 7, 1)) == 2
    assert hierarchy.level_on(VILLAGE, D(2025, 7, 1)) == 3


def test_is_within(hierarchy: Hierarchy) -> None:
    assert hierarchy.is_within(VILLAGE, VILLAGE, D(2024, 1, 1))
    assert hierarchy.is_within(VILLAGE, DISTRICT_A, D(2024, 6, 30))
    assert not hierarchy.is_within(VILLAGE, DISTRICT_A, D(2024, 7, 1))
    assert hierarchy.is_within(VILLAGE, DISTRICT_B, D(2024, 7, 1))
    assert hierarchy.is_within(VILLAGE, PROVINCE, D(2025, 7, 1))
    assert not hierarchy.is_within(DISTRICT_A, VILLAGE, D(2024, 1, 1))


@pytest.mark.parametrize(
    ("unit_id", "start", "end", "expected"),
    [
        (COMMUNE_MOVES, D(2024, 1, 1), D(2024, 12, 31), D(2024, 1, 1)),
        (COMMUNE_LATE, D(2024, 1, 1), D(2024, 12, 31), D(2024, 4, 1)),
        (COMMUNE_LATE, D(2024, 4, 1), D(2024, 4, 1), D(2024, 4, 1)),
        (COMMUNE_LATE, D(2023, 1, 1), D(2023, 12, 31), None),
        (COMMUNE_ENDS, D(2024, 1, 1), D(2024, 12, 31), D(2024, 1, 1)),
        (COMMUNE_ENDS, D(2024, 6, 30), D(2024, 12, 31), D(2024, 6, 30)),
        (COMMUNE_ENDS, D(2024, 7, 1), D(2024, 12, 31), None),
    ],
)
def test_reference_day_is_the_first_day_of_the_period_the_unit_existed(
    hierarchy: Hierarchy, unit_id: int, start: dt.date, end: dt.date, expected: dt.date | None
) -> None:
    assert hierarchy.reference_day(unit_id, start, end) == expected


def test_children_for_period_counts_a_unit_that_moves_once_under_its_first_parent(
    hierarchy: Hierarchy,
) -> None:
    year_2024 = (D(2024, 1, 1), D(2024, 12, 31))
    # A-MOVES sat under A on 2024-01-01, so 2024 rolls up into A, not into B (where it ended the year).
    assert sorted(hierarchy.children_for_period(DISTRICT_A, *year_2024)) == [COMMUNE_MOVES, COMMUNE_ENDS]
    assert hierarchy.children_for_period(DISTRICT_B, *year_2024) == (COMMUNE_LATE,)
    # The second half of the year: the move has happened, the other commune has ended.
    second_half = (D(2024, 7, 1), D(2024, 12, 31))
    assert hierarchy.children_for_period(DISTRICT_A, *second_half) == ()
    assert sorted(hierarchy.children_for_period(DISTRICT_B, *second_half)) == [COMMUNE_MOVES, COMMUNE_LATE]


def test_children_for_period_counts_a_unit_that_ends_mid_year(hierarchy: Hierarchy) -> None:
    assert COMMUNE_ENDS in hierarchy.children_for_period(DISTRICT_A, D(2024, 1, 1), D(2024, 12, 31))
    assert COMMUNE_ENDS not in hierarchy.children_for_period(DISTRICT_A, D(2025, 1, 1), D(2025, 12, 31))


def test_children_for_period_across_the_end_of_the_district_tier(hierarchy: Hierarchy) -> None:
    year_2025 = (D(2025, 1, 1), D(2025, 12, 31))
    assert sorted(hierarchy.children_for_period(DISTRICT_B, *year_2025)) == [COMMUNE_MOVES, COMMUNE_LATE]
    # The communes joined the province mid-2025: in 2025 they still count under B, from 2026 under P.
    assert sorted(hierarchy.children_for_period(PROVINCE, *year_2025)) == [DISTRICT_A, DISTRICT_B]
    assert sorted(hierarchy.children_for_period(PROVINCE, D(2026, 1, 1), D(2026, 12, 31))) == [
        COMMUNE_MOVES,
        COMMUNE_LATE,
    ]
    # A district that ended before the period does not count at all.
    assert DISTRICT_GONE not in hierarchy.children_for_period(PROVINCE, *year_2025)
    assert DISTRICT_GONE in hierarchy.children_for_period(PROVINCE, D(2022, 1, 1), D(2022, 12, 31))


def test_children_for_period_lists_a_unit_once_when_it_returns_to_the_same_parent() -> None:
    units = {
        1: unit(1, "P", D(2021, 1, 1)),
        2: unit(2, "Q", D(2021, 1, 1)),
        3: unit(3, "C", D(2021, 1, 1)),
    }
    links = [
        ParentLink(3, 1, D(2021, 1, 1), D(2021, 3, 31)),
        ParentLink(3, 2, D(2021, 4, 1), D(2021, 6, 30)),
        ParentLink(3, 1, D(2021, 7, 1), None),
    ]
    hierarchy = Hierarchy(units=units, links=links)
    assert hierarchy.children_for_period(1, D(2021, 1, 1), D(2021, 12, 31)) == (3,)
    assert hierarchy.children_for_period(2, D(2021, 1, 1), D(2021, 12, 31)) == ()
