"""The progress rules: from a target and the yearly series of its org unit to a status, a percent and a
projection to the plan's last year. Pure functions; docs/progress.md explains each rule with an example.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from targets.plans.models import Comparator, Projection, TargetKind


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


LOWER_IS_BETTER = frozenset({Comparator.LT, Comparator.LTE})


@dataclass(frozen=True)
class TargetRule:
    kind: TargetKind
    comparator: Comparator
    value: float | None
    tolerance: float | None
    projection: Projection
    first_year: int
    last_year: int
    at_risk_margin: float


@dataclass(frozen=True)
class Outcome:
    status: Status
    measure: float | None  # the figure judged: latest value, average, sum, share of years met …
    measure_kind: str
    percent: float | None
    projected: float | None
    projected_meets: bool | None
    latest_year: int | None
    latest_value: float | None
    years_met: int | None = None
    years_observed: int | None = None
    required_per_remaining_year: float | None = None
    reference_value: float | None = None
    notes: list[str] = field(default_factory=list)


def meets(value: float, comparator: Comparator, target: float, tolerance: float | None = None) -> bool:
    if comparator is Comparator.GT:
        return value > target
    if comparator is Comparator.GTE:
        return value >= target
    if comparator is Comparator.LT:
        return value < target
    if comparator is Comparator.LTE:
        return value <= target
    if comparator is Comparator.APPROX:
        return abs(value - target) <= (tolerance or 0.0)
    return math.isclose(value, target, rel_tol=1e-9, abs_tol=1e-9)


def nearly_meets(value: float, rule: TargetRule, target: float) -> bool:
    """Within the plan's at-risk margin of the target (a projection that falls just short)."""
    margin = rule.at_risk_margin * abs(target)
    if rule.comparator in LOWER_IS_BETTER:
        return value <= target + margin
    if rule.comparator is Comparator.APPROX:
        return abs(value - target) <= (rule.tolerance or 0.0) + margin
    if rule.comparator is Comparator.EQ:
        return abs(value - target) <= margin
    return value >= target - margin


def percent_of(value: float, target: float, comparator: Comparator) -> float | None:
    """How far the measure has come, as a percent of the target (for lower-is-better: target over value)."""
    if comparator in LOWER_IS_BETTER:
        return None if value <= 0 else round(100.0 * target / value, 1)
    if target == 0:
        return None
    return round(100.0 * value / target, 1)


def linear_projection(series: Mapping[int, float], year: int) -> float:
    """Least-squares line through the observed years, read at ``year`` (flat with one observation)."""
    points = sorted(series.items())
    if len(points) == 1:
        return points[0][1]
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
    return mean_y + slope * (year - mean_x)


def compound_projection(series: Mapping[int, float], year: int) -> float:
    """The average annual growth between the first and the last observation, continued to ``year``."""
    points = sorted(series.items())
    (first_year, first), (last_year, last) = points[0], points[-1]
    if len(points) == 1 or first <= 0 or last <= 0:
        return last
    # In logarithms: both ends are positive here, and values as far apart as 1e-100 and 1e100 (which
    # ingestion accepts) would overflow a plain power. Beyond a float's range the projection is unbounded.
    log_growth = (math.log(last) - math.log(first)) / (last_year - first_year)
    try:
        return math.exp(math.log(last) + log_growth * (year - last_year))
    except OverflowError:
        return math.inf


def geometric_mean_rate(rates_percent: list[float]) -> float:
    """The average of yearly growth rates in percent, compounded: ((Π(1+g))^(1/n) − 1) × 100."""
    product = math.prod(1.0 + rate / 100.0 for rate in rates_percent)
    if product <= 0:
        return sum(rates_percent) / len(rates_percent)
    return (product ** (1.0 / len(rates_percent)) - 1.0) * 100.0


def _status_from_projection(rule: TargetRule, projected: float, target: float) -> Status:
    if meets(projected, rule.comparator, target, rule.tolerance):
        return Status.ON_TRACK
    return Status.AT_RISK if nearly_meets(projected, rule, target) else Status.OFF_TRACK


def _project_level(rule: TargetRule, series: Mapping[int, float]) -> float:
    """The series read at the plan's last year by the target's method (linear for other kinds' methods)."""
    if rule.projection is Projection.COMPOUND:
        return compound_projection(series, rule.last_year)
    if rule.projection is Projection.LATEST:
        return series[max(series)]
    return linear_projection(series, rule.last_year)


def _level(rule: TargetRule, series: Mapping[int, float]) -> Outcome:
    assert rule.value is not None  # noqa: S101 - the database requires a value for these kinds
    latest_year = max(series)
    latest = series[latest_year]
    projected = _project_level(rule, series)
    if latest_year >= rule.last_year:
        projected = latest
    achieved = meets(latest, rule.comparator, rule.value, rule.tolerance)
    status = Status.ACHIEVED if achieved else _status_from_projection(rule, projected, rule.value)
    if achieved is False and latest_year >= rule.last_year:
        status = Status.OFF_TRACK
    return Outcome(
        status=status,
        measure=latest,
        measure_kind="latest_value",
        percent=percent_of(latest, rule.value, rule.comparator),
        projected=projected,
        projected_meets=meets(projected, rule.comparator, rule.value, rule.tolerance),
        latest_year=latest_year,
        latest_value=latest,
    )


def _annual(rule: TargetRule, series: Mapping[int, float]) -> Outcome:
    assert rule.value is not None  # noqa: S101
    latest_year = max(series)
    latest = series[latest_year]
    met = [
        year for year, value in series.items() if meets(value, rule.comparator, rule.value, rule.tolerance)
    ]
    share = len(met) / len(series)
    all_years = set(range(rule.first_year, rule.last_year + 1))
    if all_years <= set(series) and len(met) == len(series):
        status = Status.ACHIEVED
    elif len(met) == len(series):
        status = Status.ON_TRACK
    elif latest_year >= rule.last_year:
        # A year was missed and the plan's last year is in: nothing left can save "every year".
        status = Status.OFF_TRACK
    elif latest_year in met:
        status = Status.AT_RISK
    else:
        status = Status.OFF_TRACK
    return Outcome(
        status=status,
        measure=round(100.0 * share, 1),
        measure_kind="share_of_years_met",
        percent=percent_of(latest, rule.value, rule.comparator),
        projected=round(100.0 * share, 1),
        projected_meets=len(met) == len(series),
        latest_year=latest_year,
        latest_value=latest,
        years_met=len(met),
        years_observed=len(series),
    )


def _average(rule: TargetRule, series: Mapping[int, float]) -> Outcome:
    assert rule.value is not None  # noqa: S101
    latest_year = max(series)
    values = [series[year] for year in sorted(series)]
    compound = rule.projection is Projection.COMPOUND
    average = geometric_mean_rate(values) if compound else sum(values) / len(values)
    plan_years = rule.last_year - rule.first_year + 1
    remaining = max(0, plan_years - len(values))
    required = None
    if remaining:
        if compound:
            so_far = math.prod(1.0 + v / 100.0 for v in values)
            # A year at -100 % or below zeroes (or flips) the product: no later growth rate makes up for it.
            needed = (1.0 + rule.value / 100.0) ** plan_years / so_far if so_far > 0 else 0.0
            required = (needed ** (1.0 / remaining) - 1.0) * 100.0 if needed > 0 else None
        else:
            required = (rule.value * plan_years - sum(values)) / remaining
    complete = remaining == 0
    achieved = complete and meets(average, rule.comparator, rule.value, rule.tolerance)
    if achieved:
        status = Status.ACHIEVED
    elif complete:
        status = Status.OFF_TRACK
    else:
        # The remaining years are projected at the average so far, so the plan's average is the same figure.
        status = _status_from_projection(rule, average, rule.value)
    return Outcome(
        status=status,
        measure=average,
        measure_kind="compound_average" if compound else "average",
        percent=percent_of(average, rule.value, rule.comparator),
        projected=average,
        projected_meets=meets(average, rule.comparator, rule.value, rule.tolerance),
        latest_year=latest_year,
        latest_value=series[latest_year],
        years_observed=len(values),
        required_per_remaining_year=required,
    )


def _cumulative(rule: TargetRule, series: Mapping[int, float]) -> Outcome:
    assert rule.value is not None  # noqa: S101
    latest_year = max(series)
    total = sum(series.values())
    plan_years = rule.last_year - rule.first_year + 1
    remaining = max(0, plan_years - len(series))
    projected = total + (total / len(series)) * remaining
    complete = remaining == 0
    grows_only = rule.comparator in {Comparator.GT, Comparator.GTE}
    achieved = meets(total, rule.comparator, rule.value, rule.tolerance) and (complete or grows_only)
    if achieved:
        status = Status.ACHIEVED
    elif complete:
        status = Status.OFF_TRACK
    else:
        status = _status_from_projection(rule, projected, rule.value)
    return Outcome(
        status=status,
        measure=total,
        measure_kind="running_sum",
        percent=percent_of(total, rule.value, rule.comparator),
        projected=projected,
        projected_meets=meets(projected, rule.comparator, rule.value, rule.tolerance),
        latest_year=latest_year,
        latest_value=series[latest_year],
        years_observed=len(series),
        required_per_remaining_year=(rule.value - total) / remaining if remaining else None,
    )


def _boolean(rule: TargetRule, series: Mapping[int, float], current_year: int) -> Outcome:
    latest_year = max(series)
    latest = series[latest_year]
    achieved = latest >= 1.0
    if achieved:
        status = Status.ACHIEVED
    else:
        ended = current_year > rule.last_year or latest_year >= rule.last_year
        status = Status.OFF_TRACK if ended else Status.AT_RISK
    return Outcome(
        status=status,
        measure=latest,
        measure_kind="state",
        percent=100.0 if achieved else 0.0,
        projected=None,
        projected_meets=None,
        latest_year=latest_year,
        latest_value=latest,
    )


def _relative(rule: TargetRule, series: Mapping[int, float], reference: Mapping[int, float]) -> Outcome:
    common = sorted(set(series) & set(reference))
    if not common:
        return Outcome(Status.NO_DATA, None, "difference", None, None, None, None, None)
    year = common[-1]
    value, compared_with = series[year], reference[year]
    achieved = meets(value, rule.comparator, compared_with, rule.tolerance)
    projected_value = _project_level(rule, {y: series[y] for y in common})
    projected_reference = _project_level(rule, {y: reference[y] for y in common})
    if year >= rule.last_year:
        projected_value, projected_reference = value, compared_with
    projected_meets = meets(projected_value, rule.comparator, projected_reference, rule.tolerance)
    if achieved:
        status = Status.ACHIEVED
    elif year >= rule.last_year:
        status = Status.OFF_TRACK
    elif projected_meets:
        status = Status.ON_TRACK
    else:
        status = (
            Status.AT_RISK if nearly_meets(projected_value, rule, projected_reference) else Status.OFF_TRACK
        )
    return Outcome(
        status=status,
        measure=value - compared_with,
        measure_kind="difference",
        percent=percent_of(value, compared_with, rule.comparator),
        projected=projected_value - projected_reference,
        projected_meets=projected_meets,
        latest_year=year,
        latest_value=value,
        reference_value=compared_with,
    )


def evaluate(
    rule: TargetRule,
    series: Mapping[int, float],
    *,
    current_year: int,
    reference: Mapping[int, float] | None = None,
) -> Outcome:
    """Judge one target on its yearly series (years of the plan with a value, up to the ``at`` date)."""
    if not series:
        return Outcome(Status.NO_DATA, None, "none", None, None, None, None, None)
    if rule.kind is TargetKind.RELATIVE:
        return _relative(rule, series, reference or {})
    if rule.kind is TargetKind.ANNUAL:
        return _annual(rule, series)
    if rule.kind is TargetKind.PERIOD_AVERAGE:
        return _average(rule, series)
    if rule.kind is TargetKind.CUMULATIVE:
        return _cumulative(rule, series)
    if rule.kind is TargetKind.BOOLEAN:
        return _boolean(rule, series, current_year)
    return _level(rule, series)
