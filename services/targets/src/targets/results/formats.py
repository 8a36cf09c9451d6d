"""Reading DHIS2 ``dataValueSets`` payloads: JSON and CSV, as district systems export them.

Only the shape is checked here; whether codes, periods and values are valid is the importer's business
(those problems become per-row conflicts, not a rejected request). A payload that cannot be read at all
(malformed JSON, broken CSV quoting, bad UTF-8) raises :class:`MalformedPayload` naming the line or index.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from shared.problems import BadRequest


class MalformedPayload(BadRequest):
    slug = "malformed-payload"
    title = "Malformed payload"


@dataclass(frozen=True, slots=True)
class RawValue:
    """One data value as posted, before any check."""

    index: int
    data_element: str
    period: str
    org_unit: str
    value: str | None
    comment: str | None


# DHIS2's CSV column order when there is no header.
CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupd",
    "comment",
)
_REQUIRED_CSV = ("dataelement", "period", "orgunit", "value")


def _text(value: Any) -> str | None:
    """A JSON scalar as the text DHIS2 would have stored (numbers keep their written form)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    raise TypeError(type(value).__name__)


def parse_json(body: bytes) -> list[RawValue]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedPayload(f"The body is not valid JSON: {exc}.", position=exc.pos) from None
    if not isinstance(document, dict):
        raise MalformedPayload("The body must be a JSON object with a 'dataValues' array.")
    values = document.get("dataValues", [])
    if not isinstance(values, list):
        raise MalformedPayload("'dataValues' must be an array.")
    default_period = document.get("period")
    default_org_unit = document.get("orgUnit")
    rows: list[RawValue] = []
    for index, item in enumerate(values):
        if not isinstance(item, dict):
            raise MalformedPayload(f"dataValues[{index}] must be an object.", index=index)
        try:
            rows.append(
                RawValue(
                    index=index,
                    data_element=_text(item.get("dataElement")) or "",
                    period=_text(item.get("period", default_period)) or "",
                    org_unit=_text(item.get("orgUnit", default_org_unit)) or "",
                    value=_text(item.get("value")),
                    comment=_text(item.get("comment")),
                )
            )
        except TypeError as exc:
            raise MalformedPayload(
                f"dataValues[{index}] has a {exc} where a text or number was expected.", index=index
            ) from None
    return rows


def _csv_lines(body: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedPayload(
            f"The CSV is not UTF-8 (byte {exc.start} is invalid).", position=exc.start
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for record in reader:
            if record and any(cell.strip() for cell in record):
                yield reader.line_num, record
    except csv.Error as exc:
        raise MalformedPayload(f"Line {reader.line_num}: {exc}.", line=reader.line_num) from None


def parse_csv(body: bytes) -> list[RawValue]:
    rows: list[RawValue] = []
    columns: dict[str, int] | None = None
    for line, record in _csv_lines(body):
        if columns is None:
            lowered = [cell.strip().lower() for cell in record]
            if "dataelement" in lowered:
                missing = [name for name in _REQUIRED_CSV if name not in lowered]
                if missing:
                    raise MalformedPayload(
                        f"Line {line}: the header lacks the column(s) {', '.join(missing)}.", line=line
                    )
                columns = {name: lowered.index(name) for name in CSV_COLUMNS if name in lowered}
                continue
            columns = {name: position for position, name in enumerate(CSV_COLUMNS)}
        width = max(columns[name] for name in _REQUIRED_CSV) + 1
        if len(record) < width:
            raise MalformedPayload(
                f"Line {line}: expected at least {width} columns "
                f"(dataelement,period,orgunit,catoptcombo,attroptcombo,value,…), found {len(record)}.",
                line=line,
            )

        def cell(name: str, record: list[str] = record) -> str | None:
            position = columns.get(name) if columns else None
            if position is None or position >= len(record):
                return None
            return record[position]

        value = cell("value")
        comment = cell("comment")
        rows.append(
            RawValue(
                index=len(rows),
                data_element=(cell("dataelement") or "").strip(),
                period=(cell("period") or "").strip(),
                org_unit=(cell("orgunit") or "").strip(),
                value=value if value != "" else None,
                comment=comment or None,
            )
        )
    return rows
