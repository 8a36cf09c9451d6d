"""The ranking from a score sheet: stage precedence, capped parents, tie-breaks in order, shared ranks."""

from decimal import Decimal

from nominations.blocks.ranking import Line, rank

D = Decimal
SHEET = [
    Line("1", None, D(60)),
    Line("1.1", "1", D(40)),
    Line("1.2", "1", D(40)),  # children may add up past their parent: the parent caps them
    Line("2", None, D(40)),
    Line("2.1", "2", D(40)),
]


def test_the_cross_check_wins_over_the_units_own_score() -> None:
    scores = [("A", "1.1", "self", D(40)), ("A", "1.1", "checked", D(30)), ("A", "1.2", "self", D(10))]
    scores += [("A", "2.1", "self", D(20))]
    [a] = rank(SHEET, ["A"], scores, [])
    assert a.subtotals == {"1": D(40), "2": D(20)}
    assert a.total == D(60)
    assert a.missing == []


def test_a_parent_caps_its_children_and_missing_leaves_are_named() -> None:
    [a] = rank(SHEET, ["A"], [("A", "1.1", "self", D(40)), ("A", "1.2", "auto", D(35))], [])
    assert a.subtotals["1"] == D(60)
    assert a.missing == ["2.1"]


def test_ties_are_broken_by_the_sheets_criteria_in_order_and_shared_when_still_equal() -> None:
    scores = []
    for unit, one, two in [("A", 30, 30), ("B", 40, 20), ("C", 40, 20), ("D", 10, 10)]:
        scores += [(unit, "1.1", "self", D(one)), (unit, "1.2", "self", D(0)), (unit, "2.1", "self", D(two))]
    by_total = rank(SHEET, ["A", "B", "C", "D"], scores, [])
    assert [(r.rank, r.org_unit) for r in by_total] == [(1, "A"), (1, "B"), (1, "C"), (4, "D")]
    by_first = rank(SHEET, ["A", "B", "C", "D"], scores, ["1"])
    assert [(r.rank, r.org_unit) for r in by_first] == [(1, "B"), (1, "C"), (3, "A"), (4, "D")]
    assert by_first[0].tie_break_values == [D(40)]
    by_second = rank(SHEET, ["A", "B", "C", "D"], scores, ["2"])
    assert [(r.rank, r.org_unit) for r in by_second] == [(1, "A"), (2, "B"), (2, "C"), (4, "D")]


def test_scores_of_units_outside_the_block_are_ignored() -> None:
    [a] = rank(SHEET, ["A"], [("Z", "1.1", "self", D(40))], [])
    assert a.total == D(0)
