"""The SVG chart of one target for one org unit, drawn with pygal: the values by period, the target line and
the projection to the plan's last period, with Vietnamese title and labels.

The SVG is made to be embedded as it is (``<img>``, ``<object>`` or inline): no script at all (pygal's
tooltip script and its configuration script are left out, its comments too, one of which carries the wall
clock's date), the style sheet inline, and stable names a frontend or a test can address:

* the root ``<svg id="chart-target-<id>-<unit>">``;
* each series' groups carry ``class="series-observed"``, ``series-target`` or ``series-projection`` (and
  ``data-series``), the line's group also ``id="<root id>-<series>"`` and ``data-points``: the series' values
  to read by machine, ``period:value`` separated by spaces (``202101:100 202102:250.5``), fixed point to the
  indicator's decimals, a period without a value left out.

Dots, each with its value written beside it, are drawn for up to MAX_DOTTED_PERIODS periods (a yearly or
quarterly chart); a monthly chart of sixty periods is drawn as lines alone: the dots made it twice as long to
draw (18 against 8 ms on the benchmark machine) and too dense to read.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import pygal
from pygal.style import Style

from targets.progress.service import Judged, PlanProgress

# pygal adds an import hook of the old kind (find_module only) for its map plugins, which are not used here;
# Python 3.11 then warns on every later import that reaches the hook (an error under the tests' warning rule).
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

SERIES_COLOURS: Final = {"observed": "#1f5fa8", "target": "#c0392b", "projection": "#e67e22"}
PERIOD_AXIS: Final = {
    "Yearly": "Năm",
    "SixMonthly": "Kỳ 6 tháng",
    "Quarterly": "Quý",
    "BiMonthly": "Kỳ 2 tháng",
    "Monthly": "Tháng",
}
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_-]")
MAX_DOTTED_PERIODS: Final = 24


@dataclass(frozen=True, slots=True)
class ChartSeries:
    key: str  # observed, target, projection
    name: str
    values: list[float | None]


def vietnamese_number(value: float, decimals: int) -> str:
    """1234567.5 with one decimal: 1.234.567,5 (the Vietnamese separators)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def chart_series(progress: PlanProgress, judged: Judged) -> tuple[list[str], list[ChartSeries]]:
    """The x labels (every period of the plan) and the series to draw, in the indicator's units.

    A cumulative target is drawn as its running sum (what the target is about); the projection runs from the
    latest period to the plan's last one, along the engine's projection (straight for a level or a sum, the
    average so far for an average). Annual, boolean and relative targets have no projection line: theirs is
    a share of periods, a state, a difference.
    """
    target, outcome = judged.target, judged.outcome
    numbers = list(judged.plan_numbers)
    labels = [judged.grain.period_id(number) for number in numbers]
    cumulative = target.kind == "cumulative"
    observed: list[float | None] = []
    running = 0.0
    for number in numbers:
        point = judged.series.get(number)
        if point is None:
            observed.append(None)
            continue
        running += point.value
        observed.append(running if cumulative else point.value)
    series = [ChartSeries("observed", "Lũy kế thực hiện" if cumulative else "Kết quả thực hiện", observed)]
    if target.kind == "relative" and judged.reference is not None:
        reference_code = progress.snapshot.indicators_by_id[target.reference_indicator_id or 0].code
        series.append(
            ChartSeries(
                "target",
                f"Mức so sánh ({reference_code})",
                [point.value if (point := judged.reference.get(n)) else None for n in numbers],
            )
        )
    elif target.value is not None:
        series.append(ChartSeries("target", "Mục tiêu", [float(target.value)] * len(numbers)))
    latest, projected = outcome.latest_year, outcome.projected
    remaining = [n for n in numbers if latest is not None and n > latest]
    if target.kind in {"end_of_period", "period_average", "cumulative"} and latest is not None and remaining:
        start = observed[numbers.index(latest)]
        if start is not None and projected is not None:
            steps = len(remaining)
            projection: list[float | None] = [None] * len(numbers)
            projection[numbers.index(latest)] = start
            for step, number in enumerate(remaining, start=1):
                flat = target.kind == "period_average"
                projection[numbers.index(number)] = (
                    projected if flat else start + (projected - start) * step / steps
                )
            series.append(ChartSeries("projection", "Dự báo", projection))
    return labels, series


def _points_attribute(labels: list[str], values: list[float | None], decimals: int) -> str:
    """``period:value`` pairs, the values in fixed point to the indicator's decimals (``202101:47.5``)."""
    return " ".join(
        f"{label}:{value:.{decimals}f}"
        for label, value in zip(labels, values, strict=True)
        if value is not None
    )


def _tag_series(root_id: str, keys: list[str], points: dict[str, str]) -> Callable[[ET.Element], ET.Element]:
    def tag(root: ET.Element) -> ET.Element:
        for parent in root.iter():
            for child in list(parent):
                # ElementTree marks a comment by its tag being the Comment factory itself.
                if child.tag is ET.Comment or child.tag == "script":  # type: ignore[comparison-overlap]
                    parent.remove(child)
        seen: set[str] = set()
        for group in root.iter("g"):
            classes = (group.get("class") or "").split()
            if "series" not in classes:
                continue
            index = next(int(name.removeprefix("serie-")) for name in classes if name.startswith("serie-"))
            key = keys[index]
            group.set("class", " ".join([*classes, f"series-{key}"]))
            group.set("data-series", key)
            if key not in seen:
                group.set("id", f"{root_id}-{key}")
                group.set("data-points", points[key])
                seen.add(key)
        return root

    return tag


def render_chart(progress: PlanProgress, judged: Judged) -> bytes:
    """The chart as a standalone SVG document (UTF-8)."""
    indicator, unit = judged.indicator, judged.unit
    labels, series = chart_series(progress, judged)
    decimals = indicator.decimals
    per_year = judged.grain.per_year
    style = Style(
        font_family="Arial, 'Helvetica Neue', sans-serif",
        background="white",
        plot_background="white",
        colors=tuple(SERIES_COLOURS[item.key] for item in series),
    )
    options: dict[str, Any] = {
        "js": [],  # no tooltip script: the chart is a picture to embed, not an application
        "style": style,
        "width": 860,
        "height": 420,
        "title": f"{indicator.name}\n{unit.name} ({unit.code}) - kế hoạch {progress.plan.code}",
        "x_title": PERIOD_AXIS.get(indicator.period_type, "Kỳ"),
        "y_title": indicator.unit,
        "legend_at_bottom": True,
        "truncate_legend": -1,
        "show_minor_x_labels": per_year == 1,
        "x_labels_major_every": per_year if per_year > 1 else None,
        "x_label_rotation": 0 if per_year == 1 else 30,
        "value_formatter": lambda value: vietnamese_number(value, decimals),
        "no_data_text": "Chưa có số liệu",
        "print_values": False,
    }
    chart = pygal.Line(**options)
    root_id = "target-" + _NOT_IN_ID.sub("_", f"{judged.target.id}-{unit.code}")
    chart.uuid = (
        root_id  # pygal names the chart with a random uuid; a stable id keeps the bytes (and ETag) stable
    )
    chart.x_labels = labels
    dotted = len(labels) <= MAX_DOTTED_PERIODS
    for item in series:
        chart.add(
            item.name,
            item.values,
            show_dots=dotted and item.key != "target",
            stroke_style={"width": 2, "dasharray": "6, 4"} if item.key != "observed" else {"width": 3},
        )
    points = {item.key: _points_attribute(labels, item.values, decimals) for item in series}
    chart.add_xml_filter(_tag_series(f"chart-{root_id}", [item.key for item in series], points))
    rendered: bytes = chart.render()
    return rendered
