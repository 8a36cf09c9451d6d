"""The progress rules of targets.progress.engine, on the Hà Tĩnh plan 2021-2025 (HT-2021-2025).

Targets and comparators are the seed's (services/targets/src/targets/seed/data/plan_ht_2021_2025.json);
the yearly values are made up but of the province's order of magnitude.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.plans.models import Comparator, Projection, TargetKind
from targets.plans.schemas import DEFAULT_PROJECTION
from targets.progress.engine import (
    Outcome,
    Status,
    TargetRule,
    compound_projection,
    evaluate,
    geometric_mean_rate,
    linear_projection,
    meets,
    nearly_meets,
    percent_of,
)

FIRST_YEAR, LAST_YEAR = 2021, 2025
PLAN_YEARS = list(range(FIRST_YEAR, LAST_YEAR + 1))
MARGIN = 0.1  # the seed plan's at_risk_margin
DURING = 2024  # a current year inside the plan
AFTER = 2026  # a current year after the plan's end


def rule(
    kind: TargetKind,
    comparator: Comparator,
    value: float | None,
    *,
    tolerance: float | None = None,
    projection: Projection | None = None,
    margin: float = MARGIN,
) -> TargetRule:
    """A target of the 2021-2025 plan, with the projection the API would choose when none is given."""
    return TargetRule(
        kind=kind,
        comparator=comparator,
        value=value,
        tolerance=tolerance,
        projection=projection or DEFAULT_PROJECTION[kind],
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        at_risk_margin=margin,
    )


def judge(
    target: TargetRule,
    series: dict[int, float],
    *,
    current_year: int = DURING,
    reference: dict[int, float] | None = None,
) -> Outcome:
    return evaluate(target, series, current_year=current_year, reference=reference)


# The seed's targets used below.
INCOME_PC = rule(TargetKind.END_OF_PERIOD, Comparator.GT, 70, projection=Projection.COMPOUND)
HEALTH_INSURANCE = rule(TargetKind.END_OF_PERIOD, Comparator.GT, 95)
TRAINED_LABOUR = rule(TargetKind.END_OF_PERIOD, Comparator.GTE, 80)
SOCIAL_INVESTMENT = rule(TargetKind.CUMULATIVE, Comparator.APPROX, 220_000, tolerance=11_000)
NEW_ENTERPRISES = rule(TargetKind.ANNUAL, Comparator.GT, 1000)
GRDP_GROWTH = rule(TargetKind.PERIOD_AVERAGE, Comparator.GT, 10, projection=Projection.COMPOUND)
POOR_HOUSEHOLD_REDUCTION = rule(TargetKind.PERIOD_AVERAGE, Comparator.GT, 1.5, projection=Projection.MEAN)
NTM_PROVINCE = rule(TargetKind.BOOLEAN, Comparator.EQ, 1)
INCOME_VS_NORTH_CENTRAL = rule(TargetKind.RELATIVE, Comparator.GT, None)

INCOME_SERIES = {2021: 47.5, 2022: 52.0, 2023: 56.6}
NORTH_CENTRAL_SERIES = {2021: 46.0, 2022: 51.5, 2023: 57.0}


# --- meets ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "comparator", "target", "tolerance", "expected"),
    [
        # "trên 70 triệu đồng": strictly above
        (70.1, Comparator.GT, 70, None, True),
        (70.0, Comparator.GT, 70, None, False),
        (69.9, Comparator.GT, 70, None, False),
        # "từ 80% trở lên": the figure itself counts
        (80.0, Comparator.GTE, 80, None, True),
        (80.5, Comparator.GTE, 80, None, True),
        (79.9, Comparator.GTE, 80, None, False),
        # eq: equal up to float noise, nothing more
        (1.0, Comparator.EQ, 1, None, True),
        (0.1 + 0.2, Comparator.EQ, 0.3, None, True),
        (1.001, Comparator.EQ, 1, None, False),
        # "khoảng 220.000 tỷ đồng" read as ±11.000: both edges included
        (220_000.0, Comparator.APPROX, 220_000, 11_000, True),
        (231_000.0, Comparator.APPROX, 220_000, 11_000, True),
        (209_000.0, Comparator.APPROX, 220_000, 11_000, True),
        (208_999.0, Comparator.APPROX, 220_000, 11_000, False),
        (231_001.0, Comparator.APPROX, 220_000, 11_000, False),
        (220_000.5, Comparator.APPROX, 220_000, None, False),  # no tolerance: exact
        (220_000.0, Comparator.APPROX, 220_000, None, True),
        (5.0, Comparator.LTE, 5, None, True),
        (4.0, Comparator.LTE, 5, None, True),
        (5.1, Comparator.LTE, 5, None, False),
        (4.9, Comparator.LT, 5, None, True),
        (5.0, Comparator.LT, 5, None, False),
    ],
)
def test_meets(
    value: float, comparator: Comparator, target: float, tolerance: float | None, expected: bool
) -> None:
    assert meets(value, comparator, target, tolerance) is expected


# --- nearly_meets: the at-risk margin ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparator", "target", "tolerance", "value", "expected"),
    [
        # higher is better: down to target − 10 % of it
        (Comparator.GT, 70, None, 63.0, True),
        (Comparator.GT, 70, None, 62.9, False),
        (Comparator.GTE, 80, None, 72.0, True),
        (Comparator.GTE, 80, None, 71.9, False),
        # lower is better: up to target + 10 % of it
        (Comparator.LT, 5, None, 5.5, True),
        (Comparator.LTE, 5, None, 5.6, False),
        # approx: the tolerance plus the margin, on both sides
        (Comparator.APPROX, 220_000, 11_000, 187_000.0, True),
        (Comparator.APPROX, 220_000, 11_000, 253_000.0, True),
        (Comparator.APPROX, 220_000, 11_000, 186_999.0, False),
        (Comparator.APPROX, 220_000, 11_000, 253_001.0, False),
        # eq: the margin on both sides
        (Comparator.EQ, 1, None, 0.95, True),
        (Comparator.EQ, 1, None, 1.05, True),
        (Comparator.EQ, 1, None, 0.85, False),
    ],
)
def test_nearly_meets_within_the_margin(
    comparator: Comparator, target: float, tolerance: float | None, value: float, expected: bool
) -> None:
    target_rule = rule(TargetKind.END_OF_PERIOD, comparator, target, tolerance=tolerance)
    assert nearly_meets(value, target_rule, target) is expected


def test_nearly_meets_with_no_margin_or_a_zero_target_is_meeting_the_edge() -> None:
    strict = rule(TargetKind.END_OF_PERIOD, Comparator.GTE, 80, margin=0.0)
    assert nearly_meets(80.0, strict, 80)
    assert not nearly_meets(79.99, strict, 80)
    # The margin is a share of the target, so a target of 0 leaves none.
    zero = rule(TargetKind.END_OF_PERIOD, Comparator.LTE, 0)
    assert nearly_meets(0.0, zero, 0)
    assert not nearly_meets(0.01, zero, 0)


def test_nearly_meets_reads_the_margin_from_the_plan() -> None:
    wide = rule(TargetKind.END_OF_PERIOD, Comparator.GT, 70, margin=0.2)
    assert nearly_meets(56.0, wide, 70)
    assert not nearly_meets(55.9, wide, 70)


# --- percent_of ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "comparator", "expected"),
    [
        (56.6, 70, Comparator.GT, 80.9),  # income 2023 against "trên 70 triệu"
        (70.0, 70, Comparator.GT, 100.0),
        (84.0, 70, Comparator.GTE, 120.0),
        (129_500, 220_000, Comparator.APPROX, 58.9),  # social investment 2021-2023 against the plan's sum
        (1, 1, Comparator.EQ, 100.0),
        # lower is better: target over value, so halving the value doubles the percent
        (10.0, 5, Comparator.LT, 50.0),
        (4.0, 5, Comparator.LTE, 125.0),
        (5.0, 5, Comparator.LTE, 100.0),
        # nothing to divide by
        (0.0, 5, Comparator.LT, None),
        (-1.0, 5, Comparator.LTE, None),
        (12.0, 0, Comparator.GT, None),
        (0.0, 0, Comparator.GTE, None),
    ],
)
def test_percent_of(value: float, target: float, comparator: Comparator, expected: float | None) -> None:
    assert percent_of(value, target, comparator) == expected


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.floats(min_value=1e-3, max_value=1e9, allow_nan=False),
    st.sampled_from([Comparator.GT, Comparator.GTE, Comparator.EQ, Comparator.APPROX]),
)
def test_percent_grows_with_the_measure_when_higher_is_better(
    a: float, b: float, target: float, comparator: Comparator
) -> None:
    low, high = sorted((a, b))
    low_percent, high_percent = percent_of(low, target, comparator), percent_of(high, target, comparator)
    assert low_percent is not None
    assert high_percent is not None
    assert low_percent <= high_percent


@given(
    st.floats(min_value=1e-3, max_value=1e9, allow_nan=False),
    st.floats(min_value=1e-3, max_value=1e9, allow_nan=False),
    st.floats(min_value=1e-3, max_value=1e6, allow_nan=False),
    st.sampled_from([Comparator.LT, Comparator.LTE]),
)
def test_percent_falls_as_the_measure_grows_when_lower_is_better(
    a: float, b: float, target: float, comparator: Comparator
) -> None:
    low, high = sorted((a, b))
    low_percent, high_percent = percent_of(low, target, comparator), percent_of(high, target, comparator)
    assert low_percent is not None
    assert high_percent is not None
    assert low_percent >= high_percent


# --- projections ---------------------------------------------------------------------------------------


def test_linear_projection_continues_an_exact_line() -> None:
    assert linear_projection({2021: 10.0, 2022: 12.0, 2023: 14.0}, 2025) == pytest.approx(18.0)


def test_linear_projection_is_the_least_squares_line() -> None:
    # Mean (2022, 2), slope Σ(dx·dy)/Σdx² = (−1·−1 + 1·0) / 2 = 0.5: the line, not the last two points.
    assert linear_projection({2021: 1.0, 2022: 3.0, 2023: 2.0}, 2025) == pytest.approx(3.5)
    # Health-insurance coverage 91.2, 92.0, 93.1 %: slope 0.95 a year from 92.1 in 2022.
    assert linear_projection({2021: 91.2, 2022: 92.0, 2023: 93.1}, 2025) == pytest.approx(94.95)


def test_linear_projection_ignores_the_order_of_the_mapping_and_handles_gaps() -> None:
    ordered = linear_projection({2021: 5.0, 2023: 9.0, 2024: 11.0}, 2025)
    assert linear_projection({2024: 11.0, 2021: 5.0, 2023: 9.0}, 2025) == pytest.approx(ordered)
    assert ordered == pytest.approx(13.0)  # 2 a year, the missing 2022 notwithstanding


def test_linear_projection_of_one_observation_is_flat() -> None:
    assert linear_projection({2023: 56.6}, 2025) == 56.6


def test_compound_projection_continues_the_average_growth() -> None:
    # 50 → 60.5 over two years is 10 % a year; two more years make 73.205.
    assert compound_projection({2021: 50.0, 2023: 60.5}, 2025) == pytest.approx(73.205)
    # The income series: 47.5 → 56.6 is a growth factor of 56.6/47.5 over two years, again by 2025.
    assert compound_projection(INCOME_SERIES, 2025) == pytest.approx(56.6 * 56.6 / 47.5)


def test_compound_projection_uses_only_the_first_and_last_observations() -> None:
    steady = compound_projection({2021: 100.0, 2022: 110.0, 2023: 121.0}, 2025)
    bumpy = compound_projection({2021: 100.0, 2022: 250.0, 2023: 121.0}, 2025)
    assert steady == pytest.approx(bumpy) == pytest.approx(146.41)


@pytest.mark.parametrize(
    "series",
    [
        {2023: 56.6},  # one observation
        {2021: 0.0, 2023: 56.6},  # growth from zero is undefined
        {2021: -3.0, 2023: 56.6},
        {2021: 47.5, 2023: 0.0},
        {2021: 47.5, 2023: -2.0},
    ],
)
def test_compound_projection_is_flat_at_the_last_value_without_a_positive_start_and_end(
    series: dict[int, float],
) -> None:
    assert compound_projection(series, 2025) == series[max(series)]


def test_geometric_mean_rate() -> None:
    assert geometric_mean_rate([10.0, 10.0, 10.0]) == pytest.approx(10.0)
    assert geometric_mean_rate([21.0, 0.0]) == pytest.approx(10.0)  # √(1.21 × 1.00) = 1.10
    # GRDP growth 4.2, 7.6, 6.0 %: ∛(1.042 × 1.076 × 1.060) − 1, a little below the arithmetic 5.93.
    rate = geometric_mean_rate([4.2, 7.6, 6.0])
    assert rate == pytest.approx((1.042 * 1.076 * 1.060) ** (1 / 3) * 100 - 100)
    assert rate < (4.2 + 7.6 + 6.0) / 3


def test_geometric_mean_rate_falls_back_to_the_arithmetic_mean_when_the_product_is_not_positive() -> None:
    assert geometric_mean_rate([-100.0, 20.0]) == pytest.approx(-40.0)
    assert geometric_mean_rate([-120.0, 10.0, 5.0]) == pytest.approx(-35.0)


# --- end_of_period -------------------------------------------------------------------------------------


def test_end_of_period_achieved_early() -> None:
    # "tỷ lệ lao động qua đào tạo 80%" reached in 2023: achieved, whatever the projection says.
    outcome = judge(TRAINED_LABOUR, {2021: 72.0, 2022: 76.0, 2023: 80.0})
    assert outcome.status is Status.ACHIEVED
    assert outcome.measure == 80.0
    assert outcome.measure_kind == "latest_value"
    assert outcome.percent == 100.0
    assert outcome.latest_year == 2023


def test_end_of_period_on_track_by_compound_projection() -> None:
    outcome = judge(INCOME_PC, {2021: 50.0, 2022: 55.0, 2023: 60.5})
    assert outcome.status is Status.ON_TRACK
    assert outcome.projected == pytest.approx(73.205)
    assert outcome.projected_meets is True
    assert outcome.percent == 86.4
    assert (outcome.latest_year, outcome.latest_value) == (2023, 60.5)


def test_end_of_period_at_risk_when_the_projection_is_within_the_margin() -> None:
    # 67.4 by 2025: short of "trên 70" but above 70 − 7.
    outcome = judge(INCOME_PC, INCOME_SERIES)
    assert outcome.status is Status.AT_RISK
    assert outcome.projected == pytest.approx(67.443, abs=1e-3)
    assert outcome.projected_meets is False
    assert outcome.percent == 80.9


def test_end_of_period_at_risk_by_linear_projection_when_gt_is_only_equalled() -> None:
    # Health-insurance coverage projected to 94.95 %, not "trên 95%" but well inside the margin.
    outcome = judge(HEALTH_INSURANCE, {2021: 91.2, 2022: 92.0, 2023: 93.1})
    assert outcome.status is Status.AT_RISK
    assert outcome.projected == pytest.approx(94.95)


def test_end_of_period_off_track_when_the_projection_falls_outside_the_margin() -> None:
    outcome = judge(INCOME_PC, {2021: 47.5, 2022: 48.0, 2023: 48.5})
    assert outcome.status is Status.OFF_TRACK
    assert outcome.projected is not None
    assert outcome.projected < 63.0


def test_end_of_period_off_track_once_the_last_year_is_observed_and_missed() -> None:
    # 69.9 is inside the margin, but 2025 is in: there is nothing left to project.
    outcome = judge(INCOME_PC, {**INCOME_SERIES, 2024: 63.0, 2025: 69.9}, current_year=AFTER)
    assert outcome.status is Status.OFF_TRACK
    assert outcome.projected == 69.9
    assert outcome.projected_meets is False


def test_end_of_period_achieved_in_the_last_year() -> None:
    outcome = judge(INCOME_PC, {**INCOME_SERIES, 2024: 64.0, 2025: 70.4}, current_year=AFTER)
    assert outcome.status is Status.ACHIEVED
    assert outcome.projected == 70.4


def test_end_of_period_lower_is_better() -> None:
    at_most_three = rule(TargetKind.END_OF_PERIOD, Comparator.LTE, 3)
    outcome = judge(at_most_three, {2021: 6.0, 2022: 5.0, 2023: 4.0})
    assert outcome.status is Status.ON_TRACK
    assert outcome.projected == pytest.approx(2.0)
    assert outcome.percent == 75.0
    assert judge(at_most_three, {2021: 6.0, 2022: 5.5, 2023: 5.0}).status is Status.OFF_TRACK


def test_end_of_period_latest_projection_holds_the_last_value() -> None:
    flat = rule(TargetKind.END_OF_PERIOD, Comparator.GT, 70, projection=Projection.LATEST)
    outcome = judge(flat, INCOME_SERIES)
    assert outcome.projected == 56.6
    assert outcome.status is Status.OFF_TRACK  # 56.6 < 63


@pytest.mark.parametrize("projection", [Projection.MEAN, Projection.RUNNING_SUM, Projection.SHARE_OF_YEARS])
def test_end_of_period_falls_back_to_linear_for_projections_meant_for_other_kinds(
    projection: Projection,
) -> None:
    odd = rule(TargetKind.END_OF_PERIOD, Comparator.GT, 95, projection=projection)
    series = {2021: 91.2, 2022: 92.0, 2023: 93.1}
    assert judge(odd, series).projected == pytest.approx(linear_projection(series, LAST_YEAR))


# --- annual --------------------------------------------------------------------------------------------


def test_annual_every_year_met_so_far_is_on_track() -> None:
    outcome = judge(NEW_ENTERPRISES, {2021: 1032.0, 2022: 1105.0, 2023: 1150.0})
    assert outcome.status is Status.ON_TRACK
    assert (outcome.years_met, outcome.years_observed) == (3, 3)
    assert outcome.measure == 100.0
    assert outcome.measure_kind == "share_of_years_met"
    assert outcome.projected_meets is True
    assert outcome.percent == 115.0  # the latest year against the yearly figure


def test_annual_achieved_only_when_every_plan_year_is_observed_and_met() -> None:
    every_year = {2021: 1032.0, 2022: 1105.0, 2023: 1150.0, 2024: 1210.0, 2025: 1260.0}
    assert judge(NEW_ENTERPRISES, every_year, current_year=AFTER).status is Status.ACHIEVED
    # 2022 never reported: every observed year met, but the plan's "mỗi năm" is not shown.
    gap = {year: value for year, value in every_year.items() if year != 2022}
    outcome = judge(NEW_ENTERPRISES, gap, current_year=AFTER)
    assert outcome.status is Status.ON_TRACK
    assert (outcome.years_met, outcome.years_observed) == (4, 4)


def test_annual_at_risk_when_the_latest_year_is_met_but_an_earlier_one_was_missed() -> None:
    outcome = judge(
        NEW_ENTERPRISES, {2021: 1032.0, 2022: 968.0, 2023: 1105.0, 2024: 1150.0}, current_year=2025
    )
    assert outcome.status is Status.AT_RISK
    assert (outcome.years_met, outcome.years_observed) == (3, 4)
    assert outcome.measure == 75.0
    assert outcome.projected == 75.0
    assert outcome.projected_meets is False


def test_annual_off_track_when_the_latest_year_is_missed() -> None:
    # Exactly 1.000 is not "trên 1.000".
    outcome = judge(NEW_ENTERPRISES, {2021: 1032.0, 2022: 1105.0, 2023: 1000.0})
    assert outcome.status is Status.OFF_TRACK
    assert (outcome.years_met, outcome.years_observed) == (2, 3)
    assert outcome.measure == 66.7
    assert outcome.latest_value == 1000.0


def test_annual_off_track_when_the_plan_is_over_and_a_year_was_missed() -> None:
    # 2025 met, 2022 missed: no year is left in which "every year" could still come true.
    series = {2021: 1032.0, 2022: 968.0, 2023: 1105.0, 2024: 1150.0, 2025: 1260.0}
    assert judge(NEW_ENTERPRISES, series, current_year=AFTER).status is Status.OFF_TRACK


def test_annual_lower_is_better() -> None:
    under_two = rule(TargetKind.ANNUAL, Comparator.LT, 2)
    outcome = judge(under_two, {2021: 1.8, 2022: 1.9})
    assert outcome.status is Status.ON_TRACK
    assert judge(under_two, {2021: 1.8, 2022: 2.1}).status is Status.OFF_TRACK


# --- period_average ------------------------------------------------------------------------------------


def test_period_average_arithmetic_mean_and_what_the_remaining_years_need() -> None:
    # "Tỷ lệ hộ nghèo giảm bình quân mỗi năm trên 1,5%": 1.8, 1.6, 1.3 points so far.
    outcome = judge(POOR_HOUSEHOLD_REDUCTION, {2021: 1.8, 2022: 1.6, 2023: 1.3})
    assert outcome.status is Status.ON_TRACK
    assert outcome.measure == pytest.approx(4.7 / 3)
    assert outcome.measure_kind == "average"
    assert outcome.projected == outcome.measure
    # 5 × 1.5 = 7.5 points over the plan, 4.7 done: 1.4 in each of 2024 and 2025.
    assert outcome.required_per_remaining_year == pytest.approx(1.4)
    assert outcome.years_observed == 3


def test_period_average_at_risk_and_off_track_on_the_mean_so_far() -> None:
    assert judge(POOR_HOUSEHOLD_REDUCTION, {2021: 1.4, 2022: 1.4}).status is Status.AT_RISK  # ≥ 1.35
    assert judge(POOR_HOUSEHOLD_REDUCTION, {2021: 1.2, 2022: 1.3}).status is Status.OFF_TRACK


def test_period_average_compound_for_growth_rates() -> None:
    # "Tốc độ tăng trưởng kinh tế bình quân trên 10%": 4.2, 7.6, 6.0 % so far.
    values = [4.2, 7.6, 6.0]
    outcome = judge(GRDP_GROWTH, dict(zip(PLAN_YEARS, values, strict=False)))
    assert outcome.measure_kind == "compound_average"
    assert outcome.measure == pytest.approx(geometric_mean_rate(values))
    assert outcome.measure == pytest.approx(5.92, abs=0.01)
    assert outcome.status is Status.OFF_TRACK  # below 9, the margin's edge
    # 1.1⁵ over the plan, 1.042 × 1.076 × 1.060 done: each of the two years left needs √(1.1⁵ / 1.188) − 1.
    assert outcome.required_per_remaining_year == pytest.approx(16.41, abs=0.01)


@pytest.mark.parametrize(
    ("target", "values"),
    [
        (GRDP_GROWTH, [4.2, 7.6, 6.0]),
        (GRDP_GROWTH, [11.0]),
        (GRDP_GROWTH, [12.5, 9.0, 8.0, 10.2]),
        (POOR_HOUSEHOLD_REDUCTION, [1.8, 1.6, 1.3]),
        (POOR_HOUSEHOLD_REDUCTION, [0.9]),
    ],
)
def test_period_average_required_rate_brings_the_plan_average_to_the_target(
    target: TargetRule, values: list[float]
) -> None:
    outcome = judge(target, dict(zip(PLAN_YEARS, values, strict=False)))
    required = outcome.required_per_remaining_year
    assert required is not None
    assert target.value is not None
    completed = values + [required] * (len(PLAN_YEARS) - len(values))
    if target.projection is Projection.COMPOUND:
        assert geometric_mean_rate(completed) == pytest.approx(target.value)
    else:
        assert sum(completed) / len(completed) == pytest.approx(target.value)


def test_period_average_achieved_or_off_track_once_every_year_is_in() -> None:
    good = {2021: 11.0, 2022: 10.5, 2023: 12.0, 2024: 9.5, 2025: 10.8}
    outcome = judge(GRDP_GROWTH, good, current_year=AFTER)
    assert outcome.status is Status.ACHIEVED
    assert outcome.measure is not None
    assert outcome.measure > 10
    assert outcome.required_per_remaining_year is None
    # 9.6 on average is within the margin, but the plan is over: off track, not at risk.
    short = {2021: 9.6, 2022: 9.6, 2023: 9.6, 2024: 9.6, 2025: 9.6}
    assert judge(GRDP_GROWTH, short, current_year=AFTER).status is Status.OFF_TRACK


def test_period_average_compound_differs_from_the_arithmetic_mean() -> None:
    # 30 % then −10 %: 10 % on the arithmetic mean, but 1.3 × 0.9 = 1.17 is only 8.2 % a year.
    series = {2021: 30.0, 2022: -10.0}
    arithmetic = rule(TargetKind.PERIOD_AVERAGE, Comparator.GTE, 10, projection=Projection.MEAN)
    assert judge(arithmetic, series).status is Status.ON_TRACK
    compound = judge(
        rule(TargetKind.PERIOD_AVERAGE, Comparator.GTE, 10, projection=Projection.COMPOUND), series
    )
    assert compound.measure == pytest.approx(math.sqrt(1.17) * 100 - 100)
    assert compound.status is Status.OFF_TRACK  # below 9, the margin's edge


def test_period_average_compound_survives_a_year_that_wipes_out_the_product() -> None:
    # A −100 % year zeroes Π(1 + g): no rate can make up for it, and the engine must not divide by it.
    outcome = judge(GRDP_GROWTH, {2021: -100.0, 2022: 8.0})
    assert outcome.status is Status.OFF_TRACK
    assert outcome.required_per_remaining_year is None


# --- cumulative ----------------------------------------------------------------------------------------

SOCIAL_INVESTMENT_2021_2023 = {2021: 40_500.0, 2022: 43_800.0, 2023: 45_200.0}


def test_cumulative_running_sum_and_projection() -> None:
    # "tổng vốn đầu tư toàn xã hội giai đoạn 2021 - 2025 khoảng 220.000 tỷ đồng"
    outcome = judge(SOCIAL_INVESTMENT, SOCIAL_INVESTMENT_2021_2023)
    assert outcome.measure == 129_500.0
    assert outcome.measure_kind == "running_sum"
    # The sum so far plus the mean year (43.166,7) for each of the two years left.
    assert outcome.projected == pytest.approx(129_500 + 2 * 129_500 / 3)
    assert outcome.projected == pytest.approx(215_833.3, abs=0.1)
    assert outcome.projected_meets is True
    assert outcome.status is Status.ON_TRACK
    assert outcome.percent == 58.9
    assert outcome.required_per_remaining_year == pytest.approx(45_250.0)  # to reach the centre
    assert outcome.years_observed == 3


@pytest.mark.parametrize(
    ("series", "status"),
    [
        (
            {2021: 38_000.0, 2022: 40_000.0, 2023: 41_000.0},
            Status.AT_RISK,
        ),  # 198.333: within ±11.000 + 22.000
        ({2021: 30_000.0, 2022: 30_000.0, 2023: 30_000.0}, Status.OFF_TRACK),  # 150.000
        ({2021: 46_000.0, 2022: 48_000.0, 2023: 50_000.0}, Status.AT_RISK),  # 240.000: too much, but near
        ({2021: 70_000.0, 2022: 75_000.0, 2023: 80_000.0}, Status.OFF_TRACK),  # 375.000, far too much
    ],
)
def test_cumulative_status_from_the_projection(series: dict[int, float], status: Status) -> None:
    assert judge(SOCIAL_INVESTMENT, series).status is status


def test_cumulative_approx_cannot_be_achieved_before_the_plan_is_over() -> None:
    # 225.000 after three years is "khoảng 220.000" today, but two more years will add to it.
    outcome = judge(SOCIAL_INVESTMENT, {2021: 70_000.0, 2022: 75_000.0, 2023: 80_000.0})
    assert outcome.measure == 225_000.0
    assert meets(225_000.0, Comparator.APPROX, 220_000, 11_000)
    assert outcome.status is not Status.ACHIEVED


def test_cumulative_gt_is_achieved_as_soon_as_the_sum_passes() -> None:
    more_than = rule(TargetKind.CUMULATIVE, Comparator.GT, 100_000)
    outcome = judge(more_than, SOCIAL_INVESTMENT_2021_2023)
    assert outcome.status is Status.ACHIEVED
    assert outcome.required_per_remaining_year == pytest.approx((100_000 - 129_500) / 2)


def test_cumulative_settles_once_every_year_is_in() -> None:
    within = {**SOCIAL_INVESTMENT_2021_2023, 2024: 46_000.0, 2025: 47_500.0}  # 223.000
    outcome = judge(SOCIAL_INVESTMENT, within, current_year=AFTER)
    assert outcome.status is Status.ACHIEVED
    assert outcome.projected == 223_000.0
    assert outcome.required_per_remaining_year is None
    # 209.500 is still "khoảng 220.000" (−10.500); 205.500 is not.
    edge = {**SOCIAL_INVESTMENT_2021_2023, 2024: 40_000.0, 2025: 40_000.0}
    assert judge(SOCIAL_INVESTMENT, edge, current_year=AFTER).status is Status.ACHIEVED
    short = {**SOCIAL_INVESTMENT_2021_2023, 2024: 38_000.0, 2025: 38_000.0}
    assert judge(SOCIAL_INVESTMENT, short, current_year=AFTER).status is Status.OFF_TRACK


def test_cumulative_lower_is_better_waits_for_the_plan_to_end() -> None:
    at_most = rule(TargetKind.CUMULATIVE, Comparator.LTE, 100)
    assert judge(at_most, {2021: 10.0, 2022: 10.0}).status is Status.ON_TRACK  # 50 projected
    assert judge(at_most, {2021: 30.0, 2022: 30.0}).status is Status.OFF_TRACK  # 150 projected
    assert judge(at_most, dict.fromkeys(PLAN_YEARS, 20.0), current_year=AFTER).status is Status.ACHIEVED


# --- boolean -------------------------------------------------------------------------------------------


def test_boolean_achieved_when_the_latest_state_is_reached() -> None:
    outcome = judge(NTM_PROVINCE, {2021: 0.0, 2022: 0.0, 2023: 1.0})
    assert outcome.status is Status.ACHIEVED
    assert outcome.percent == 100.0
    assert outcome.measure_kind == "state"
    assert outcome.projected is None
    assert outcome.projected_meets is None


def test_boolean_at_risk_before_the_plan_ends_and_off_track_after() -> None:
    not_yet = {2021: 0.0, 2022: 0.0, 2023: 0.0}
    during = judge(NTM_PROVINCE, not_yet, current_year=2024)
    assert during.status is Status.AT_RISK
    assert during.percent == 0.0
    assert judge(NTM_PROVINCE, not_yet, current_year=AFTER).status is Status.OFF_TRACK


def test_boolean_off_track_when_the_last_year_is_in_and_not_reached() -> None:
    # at = 2025-12-31 keeps 2025 (it has ended) while at.year is still 2025.
    outcome = judge(NTM_PROVINCE, {2024: 0.0, 2025: 0.0}, current_year=LAST_YEAR)
    assert outcome.status is Status.OFF_TRACK


def test_boolean_judges_the_latest_state_only() -> None:
    # Reached in 2023 and lost in 2024: not achieved (yet again).
    assert judge(NTM_PROVINCE, {2023: 1.0, 2024: 0.0}, current_year=2025).status is Status.AT_RISK


# --- relative ------------------------------------------------------------------------------------------


def test_relative_difference_with_the_reference_on_the_latest_common_year() -> None:
    # "thu nhập bình quân đầu người cao hơn bình quân các tỉnh Bắc Trung bộ": 56.6 against 57.0 in 2023.
    outcome = judge(INCOME_VS_NORTH_CENTRAL, INCOME_SERIES, reference=NORTH_CENTRAL_SERIES)
    assert outcome.measure == pytest.approx(-0.4)
    assert outcome.measure_kind == "difference"
    assert outcome.reference_value == 57.0
    assert outcome.latest_year == 2023
    assert outcome.percent == 99.3
    # Both series continued by their own least-squares lines: 52.03 + 3 × 4.55 = 65.68 against 68.0 in 2025.
    assert outcome.projected == pytest.approx(65.6833 - 68.0, abs=1e-4)
    assert outcome.projected_meets is False
    assert outcome.status is Status.AT_RISK  # 65.68 ≥ 68.0 − 6.8


def test_relative_uses_only_the_years_both_series_have() -> None:
    # 2024 posted for Hà Tĩnh but not yet for the region: judged on 2023 and projected from 2021-2023.
    outcome = judge(INCOME_VS_NORTH_CENTRAL, {**INCOME_SERIES, 2024: 75.0}, reference=NORTH_CENTRAL_SERIES)
    assert outcome.latest_year == 2023
    assert outcome.latest_value == 56.6
    assert outcome.status is Status.AT_RISK


def test_relative_achieved_on_track_and_off_track() -> None:
    above = {2021: 46.0, 2022: 51.5, 2023: 57.1}
    assert judge(INCOME_VS_NORTH_CENTRAL, above, reference=NORTH_CENTRAL_SERIES).status is Status.ACHIEVED
    # Below in 2023 but growing faster: ahead by 2025.
    catching_up = {2021: 40.0, 2022: 48.0, 2023: 56.9}
    outcome = judge(INCOME_VS_NORTH_CENTRAL, catching_up, reference=NORTH_CENTRAL_SERIES)
    assert outcome.status is Status.ON_TRACK
    assert outcome.projected_meets is True
    falling_behind = {2021: 40.0, 2022: 41.0, 2023: 42.0}
    assert judge(INCOME_VS_NORTH_CENTRAL, falling_behind, reference=NORTH_CENTRAL_SERIES).status is (
        Status.OFF_TRACK
    )


def test_relative_off_track_once_the_last_year_is_compared_and_missed() -> None:
    series = {**INCOME_SERIES, 2024: 62.0, 2025: 67.0}
    reference = {**NORTH_CENTRAL_SERIES, 2024: 62.5, 2025: 67.2}
    outcome = judge(INCOME_VS_NORTH_CENTRAL, series, reference=reference, current_year=AFTER)
    assert outcome.status is Status.OFF_TRACK
    assert outcome.projected == pytest.approx(67.0 - 67.2)


def test_relative_projects_both_series_by_the_targets_method() -> None:
    compound = rule(TargetKind.RELATIVE, Comparator.GT, None, projection=Projection.COMPOUND)
    outcome = judge(compound, INCOME_SERIES, reference=NORTH_CENTRAL_SERIES)
    expected = compound_projection(INCOME_SERIES, LAST_YEAR) - compound_projection(
        NORTH_CENTRAL_SERIES, LAST_YEAR
    )
    assert outcome.projected == pytest.approx(expected)


@pytest.mark.parametrize("reference", [None, {}, {2019: 40.0, 2020: 43.0}])
def test_relative_without_a_common_year_has_no_data(reference: dict[int, float] | None) -> None:
    outcome = judge(INCOME_VS_NORTH_CENTRAL, INCOME_SERIES, reference=reference)
    assert outcome.status is Status.NO_DATA
    assert outcome.measure is None
    assert outcome.projected is None


# --- no data -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        INCOME_PC,
        NEW_ENTERPRISES,
        GRDP_GROWTH,
        SOCIAL_INVESTMENT,
        NTM_PROVINCE,
        INCOME_VS_NORTH_CENTRAL,
    ],
    ids=lambda target: target.kind.value,
)
def test_no_values_means_no_data(target: TargetRule) -> None:
    outcome = judge(target, {}, reference=NORTH_CENTRAL_SERIES, current_year=AFTER)
    assert outcome.status is Status.NO_DATA
    assert outcome.measure is None
    assert outcome.percent is None
    assert outcome.projected is None
    assert outcome.latest_year is None


# --- properties ----------------------------------------------------------------------------------------

# Targets for which "every observed year meets the figure" must never read as falling behind.
EVERY_YEAR_TARGETS = [
    INCOME_PC,
    HEALTH_INSURANCE,
    TRAINED_LABOUR,
    NEW_ENTERPRISES,
    GRDP_GROWTH,
    POOR_HOUSEHOLD_REDUCTION,
]


@given(st.sampled_from(EVERY_YEAR_TARGETS), st.data())
def test_a_series_that_meets_the_target_every_year_is_never_behind(
    target: TargetRule, data: st.DataObject
) -> None:
    assert target.value is not None
    years = data.draw(st.sets(st.sampled_from(PLAN_YEARS), min_size=1), label="years")
    # Clear of the figure by more than float noise, so a "trên" target is met in every year.
    value = st.floats(min_value=target.value * 1.001, max_value=target.value * 3, allow_nan=False)
    series = {year: data.draw(value, label=str(year)) for year in sorted(years)}
    current_year = data.draw(st.sampled_from([DURING, LAST_YEAR, AFTER]), label="current_year")
    outcome = judge(target, series, current_year=current_year)
    assert outcome.status in {Status.ACHIEVED, Status.ON_TRACK}


@given(
    st.lists(st.floats(min_value=0, max_value=5000, allow_nan=False), min_size=5, max_size=5),
    st.sampled_from(list(TargetKind)),
    st.sampled_from(list(Comparator)),
    st.sampled_from([LAST_YEAR, AFTER]),
)
def test_once_every_plan_year_is_in_the_status_is_settled(
    values: list[float], kind: TargetKind, comparator: Comparator, current_year: int
) -> None:
    # With the plan's last year observed no projection is left: every kind says achieved or off track.
    value = 1.0 if kind is TargetKind.BOOLEAN else None if kind is TargetKind.RELATIVE else 1000.0
    target = rule(kind, comparator, value, tolerance=50)
    series = dict(zip(PLAN_YEARS, values, strict=True))
    if kind is TargetKind.BOOLEAN:
        series = {year: float(number >= 2500) for year, number in series.items()}
    outcome = judge(target, series, current_year=current_year, reference=dict.fromkeys(PLAN_YEARS, 1000.0))
    assert outcome.status in {Status.ACHIEVED, Status.OFF_TRACK}
    assert outcome.latest_year == LAST_YEAR


# --- the worked examples of docs/progress.md -----------------------------------------------------------

ENTERPRISES_2021_2023 = {2021: 1032.0, 2022: 1105.0, 2023: 968.0}
NTM_NOT_YET = {2021: 0.0, 2022: 0.0, 2023: 0.0}
# SOC_HEALTH_INSURANCE rolled up by POP_AVG from Thạch Hà and Hương Khê (the doc's section 5), and the two
# districts' own series that the inherited province target is judged on (section 7).
HEALTH_INSURANCE_HT = {2021: 90.2447205, 2022: 91.0302105, 2023: 91.5316872}
HEALTH_INSURANCE_THACH_HA = {2021: 91.9, 2022: 92.6, 2023: 93.1}
HEALTH_INSURANCE_HUONG_KHE = {2021: 88.0, 2022: 88.9, 2023: 89.4}


@pytest.mark.parametrize(
    ("target", "series", "current_year", "status", "measure", "percent", "projected"),
    [
        (INCOME_PC, INCOME_SERIES, 2024, Status.AT_RISK, 56.6, 80.9, 67.44),
        (INCOME_PC, {**INCOME_SERIES, 2024: 63.0, 2025: 69.9}, 2026, Status.OFF_TRACK, 69.9, 99.9, 69.9),
        (HEALTH_INSURANCE, {2021: 91.2, 2022: 92.0, 2023: 93.1}, 2024, Status.AT_RISK, 93.1, 98.0, 94.95),
        (TRAINED_LABOUR, {2021: 72.0, 2022: 76.0, 2023: 80.0}, 2024, Status.ACHIEVED, 80.0, 100.0, 88.0),
        (NEW_ENTERPRISES, ENTERPRISES_2021_2023, 2024, Status.OFF_TRACK, 66.7, 96.8, 66.7),
        (NEW_ENTERPRISES, {**ENTERPRISES_2021_2023, 2024: 1150.0}, 2025, Status.AT_RISK, 75.0, 115.0, 75.0),
        (
            NEW_ENTERPRISES,
            {**ENTERPRISES_2021_2023, 2024: 1150.0, 2025: 1260.0},
            2026,
            Status.OFF_TRACK,
            80.0,
            126.0,
            80.0,
        ),
        (GRDP_GROWTH, {2021: 4.2, 2022: 7.6, 2023: 6.0}, 2024, Status.OFF_TRACK, 5.92, 59.2, 5.92),
        (
            POOR_HOUSEHOLD_REDUCTION,
            {2021: 1.8, 2022: 1.6, 2023: 1.3},
            2024,
            Status.ON_TRACK,
            1.57,
            104.4,
            1.57,
        ),
        (SOCIAL_INVESTMENT, SOCIAL_INVESTMENT_2021_2023, 2024, Status.ON_TRACK, 129_500, 58.9, 215_833.33),
        (
            SOCIAL_INVESTMENT,
            {2021: 38_000.0, 2022: 40_000.0, 2023: 41_000.0},
            2024,
            Status.AT_RISK,
            119_000,
            54.1,
            198_333.33,
        ),
        (
            SOCIAL_INVESTMENT,
            {2021: 70_000.0, 2022: 75_000.0, 2023: 80_000.0},
            2024,
            Status.OFF_TRACK,
            225_000,
            102.3,
            375_000,
        ),
        (NTM_PROVINCE, NTM_NOT_YET, 2024, Status.AT_RISK, 0.0, 0.0, None),
        (NTM_PROVINCE, {**NTM_NOT_YET, 2024: 1.0}, 2025, Status.ACHIEVED, 1.0, 100.0, None),
        (NTM_PROVINCE, {**NTM_NOT_YET, 2024: 0.0, 2025: 0.0}, 2025, Status.OFF_TRACK, 0.0, 0.0, None),
        (HEALTH_INSURANCE, HEALTH_INSURANCE_HT, 2024, Status.AT_RISK, 91.53, 96.3, 92.87),
        (HEALTH_INSURANCE, HEALTH_INSURANCE_THACH_HA, 2024, Status.AT_RISK, 93.1, 98.0, 94.33),
        (HEALTH_INSURANCE, HEALTH_INSURANCE_HUONG_KHE, 2024, Status.AT_RISK, 89.4, 94.1, 90.87),
    ],
)
def test_the_worked_examples_of_the_doc(
    target: TargetRule,
    series: dict[int, float],
    current_year: int,
    status: Status,
    measure: float,
    percent: float,
    projected: float | None,
) -> None:
    outcome = judge(target, series, current_year=current_year)
    assert outcome.status is status
    assert outcome.measure == pytest.approx(measure, abs=0.005)
    assert outcome.percent == percent
    if projected is None:
        assert outcome.projected is None
    else:
        assert outcome.projected == pytest.approx(projected, abs=0.005)


def test_the_relative_worked_example_of_the_doc() -> None:
    outcome = judge(INCOME_VS_NORTH_CENTRAL, INCOME_SERIES, reference=NORTH_CENTRAL_SERIES)
    assert (outcome.status, outcome.percent, outcome.reference_value) == (Status.AT_RISK, 99.3, 57.0)
    assert outcome.measure == pytest.approx(-0.4)
    assert outcome.projected == pytest.approx(-2.32, abs=0.005)
    assert linear_projection(INCOME_SERIES, LAST_YEAR) == pytest.approx(65.68, abs=0.005)
    assert linear_projection(NORTH_CENTRAL_SERIES, LAST_YEAR) == pytest.approx(68.0)
