"""The progress report written out: JSON and CSV as streams of chunks (one unit's rows at a time), Excel as
one sheet per area of the plan in the layout of a provincial report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Final

from shared.spreadsheets import CellValue, Column, Workbook, number_format
from targets.progress.schemas import ProgressRow
from targets.reports.service import PreparedReport

AREA_NAMES: Final = {
    "economy": "Kinh tế",
    "culture_society": "Văn hóa - Xã hội",
    "environment": "Môi trường",
    "defence_security": "Quốc phòng - An ninh",
    "other": "Lĩnh vực khác",
}
STATUS_NAMES: Final = {
    "achieved": "Đã đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ không đạt",
    "off_track": "Khó đạt / không đạt",
    "no_data": "Chưa có số liệu",
}
PERIOD_TYPE_NAMES: Final = {
    "Yearly": "Năm",
    "SixMonthly": "6 tháng",
    "Quarterly": "Quý",
    "BiMonthly": "2 tháng",
    "Monthly": "Tháng",
}
KIND_NAMES: Final = {
    "end_of_period": "Đến cuối kỳ kế hoạch",
    "annual": "Hằng kỳ",
    "period_average": "Bình quân giai đoạn",
    "cumulative": "Cộng dồn giai đoạn",
    "boolean": "Đạt chuẩn",
    "relative": "So với chỉ tiêu khác",
}
COMPARATOR_SIGNS: Final = {"gt": ">", "gte": "≥", "eq": "=", "approx": "≈", "lte": "≤", "lt": "<"}
SOURCE_NAMES: Final = {"posted": "Báo cáo", "aggregated": "Tổng hợp"}

CSV_COLUMNS: Final = (
    "org_unit",
    "org_unit_name",
    "parent",
    "area",
    "target_id",
    "indicator",
    "indicator_name",
    "unit",
    "period_type",
    "kind",
    "comparator",
    "target_value",
    "tolerance",
    "reference_indicator",
    "inherited_from",
    "latest_period",
    "latest_value",
    "latest_source",
    "coverage_reported",
    "coverage_expected",
    "measure",
    "measure_kind",
    "percent",
    "projection_period",
    "projection",
    "projection_meets_target",
    "status",
)


def json_chunks(report: PreparedReport) -> Iterator[bytes]:
    """The report as one JSON document (``ProgressTreeReport``), written a unit at a time."""
    progress = report.progress
    head = (
        f'{{"plan":{_json(progress.plan.code)},"plan_name":{_json(progress.plan.name)},'
        f'"org_unit":{_json(report.root.code)},"at":"{progress.at.isoformat()}","rows":{report.rows},"units":['
    )
    yield head.encode()
    for index, (unit, judged) in enumerate(report.judged()):
        body = report.unit_progress(unit, judged).model_dump_json().encode()
        yield (b"," + body) if index else body
    yield b"]}"


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_chunks(report: PreparedReport) -> Iterator[bytes]:
    """The rows as CSV (RFC 4180, UTF-8 with a byte-order mark so that Excel reads the Vietnamese), a unit's
    rows per chunk as they are computed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()
    indicators = report.progress.snapshot.indicators
    for unit, judged in report.judged():
        buffer.seek(0)
        buffer.truncate()
        parent = report.parent_of(unit)
        for item in judged:
            row = report.progress.row(item, with_series=False)
            writer.writerow(
                [
                    _text(value)
                    for value in (
                        row.org_unit,
                        unit.name,
                        parent,
                        indicators[row.indicator.code].area,
                        row.target_id,
                        row.indicator.code,
                        row.indicator.name,
                        row.indicator.unit,
                        row.period_type,
                        row.kind,
                        row.comparator,
                        row.target_value,
                        row.tolerance,
                        row.reference_indicator,
                        row.inherited_from,
                        row.latest_period,
                        row.latest_value,
                        row.latest_source,
                        row.coverage.reported if row.coverage else None,
                        row.coverage.expected if row.coverage else None,
                        row.measure,
                        row.measure_kind,
                        row.percent,
                        row.projection.period,
                        row.projection.value,
                        row.projection.meets_target,
                        row.status,
                    )
                ]
            )
        yield buffer.getvalue().encode()


# The Excel table: (heading, width). Value columns take the indicator's decimals row by row.
_COLUMNS: Final = (
    Column("STT", 6),
    Column("Mã đơn vị", 12),
    Column("Đơn vị", 30),
    Column("Chỉ tiêu", 48),
    Column("Đơn vị tính", 16),
    Column("Kỳ báo cáo", 10),
    Column("Loại mục tiêu", 20),
    Column("So sánh", 8),
    Column("Mục tiêu", 14),
    Column("Kỳ số liệu mới nhất", 12),
    Column("Giá trị mới nhất", 14),
    Column("Nguồn số liệu", 12),
    Column("Giá trị đánh giá", 14),
    Column("% so với mục tiêu", 12, number_format(1, suffix="%")),
    Column("Dự báo cuối kỳ", 14),
    Column("Kỳ dự báo", 10),
    Column("Đánh giá", 22),
    Column("Ghi chú", 36),
    Column("Nội dung mục tiêu theo kế hoạch", 60),
)
TARGET_COLUMN, LATEST_COLUMN, MEASURE_COLUMN, PROJECTION_COLUMN = 8, 10, 12, 14
FROZEN_COLUMNS: Final = 3  # STT, the unit's code and name stay in view when scrolling right


def value_format(decimals: int, value_type: str) -> str:
    """An indicator's number format: its decimals, and a % sign for percents (91.5 is shown 91.5 %)."""
    return number_format(decimals, suffix="%" if value_type == "percent" else "")


def _measure_format(row: ProgressRow, decimals: int) -> str:
    if row.measure_kind == "share_of_years_met":
        return number_format(1, suffix="%")
    if row.measure_kind == "state":
        return number_format(0)
    return value_format(decimals, row.indicator.value_type)


def _note(row: ProgressRow) -> str:
    notes = []
    if row.inherited_from:
        notes.append(f"Mục tiêu của {row.inherited_from}, đánh giá trên số liệu của đơn vị")
    if row.coverage:
        notes.append(f"Tổng hợp từ {row.coverage.reported}/{row.coverage.expected} đơn vị")
    if row.reference_indicator:
        notes.append(f"So với {row.reference_indicator}: {_text(row.reference_value)}")
    if row.years_observed is not None and row.years_met is not None:
        notes.append(f"Đạt {row.years_met}/{row.years_observed} kỳ")
    return "; ".join(notes)


def _cells(index: int, unit_name: str, row: ProgressRow) -> list[CellValue]:
    comparator = COMPARATOR_SIGNS.get(row.comparator, row.comparator)
    if row.comparator == "approx" and row.tolerance is not None:
        comparator = f"≈ (± {row.tolerance:g})"
    values: list[CellValue] = [
        index,
        row.org_unit,
        unit_name,
        row.indicator.name,
        row.indicator.unit,
        PERIOD_TYPE_NAMES.get(row.period_type, row.period_type),
        KIND_NAMES.get(row.kind, row.kind),
        comparator,
        row.target_value,
        row.latest_period,
        row.latest_value,
        SOURCE_NAMES.get(row.latest_source or "", None),
        row.measure,
        row.percent,
        row.projection.value,
        row.projection.period,
        STATUS_NAMES.get(row.status, row.status),
        _note(row),
        row.source_text,
    ]
    return values


def write_workbook(report: PreparedReport, book: Workbook) -> None:
    """One sheet per area of the plan, each with the report's title lines and every unit's rows of that
    area, in the report's unit order (rows go to the sheets in turn: constant-memory mode allows it)."""
    progress = report.progress
    titles = [
        f"BÁO CÁO TIẾN ĐỘ THỰC HIỆN CÁC CHỈ TIÊU KẾ HOẠCH {progress.plan.code}",
        progress.plan.name,
        f"Đơn vị: {report.root.name} ({report.root.code}) và các đơn vị trực thuộc",
        f"Số liệu tính đến ngày {progress.at:%d/%m/%Y}",
    ]
    sheets = {
        area: book.sheet(
            AREA_NAMES.get(area, area),
            _COLUMNS,
            titles=[f"{titles[0]} - LĨNH VỰC {AREA_NAMES.get(area, area).upper()}", *titles[1:]],
            frozen_columns=FROZEN_COLUMNS,
        )
        for area in sorted(report.areas, key=_area_order)
    }
    counters = dict.fromkeys(sheets, 0)
    indicators = progress.snapshot.indicators
    for unit, judged in report.judged():
        for item in judged:
            row = progress.row(item, with_series=False)
            area = indicators[row.indicator.code].area
            counters[area] += 1
            values = _cells(counters[area], unit.name, row)
            places = indicators[row.indicator.code].decimals
            formats: list[str | None] = [None] * len(values)
            formats[TARGET_COLUMN] = formats[LATEST_COLUMN] = value_format(places, row.indicator.value_type)
            # The measure and its projection are in the measure's unit: a share of years, a sum, a level …
            formats[MEASURE_COLUMN] = formats[PROJECTION_COLUMN] = _measure_format(row, places)
            sheets[area].row(values, formats)


def _area_order(area: str) -> int:
    order: Sequence[str] = list(AREA_NAMES)
    return order.index(area) if area in order else len(order)
