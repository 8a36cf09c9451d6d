"""Reading DHIS2 ``dataValueSets`` payloads: JSON and CSV, as district systems export them.

Only the shape is checked here; whether codes, periods and values are valid is the importer's business
(those problems become per-row conflicts, not a rejected request). A payload that cannot be read at all
(malformed JSON, broken CSV quoting, bad UTF-8) raises :class:`MalformedPayload` naming the line or index.

CSV as DHIS2 reads it (dhis2-core `CsvDataValueSetReader`): the first row is the header unless
``firstRowIsHeader=false``, whatever it holds (DHIS2's own test files misspell it: ``dataelelement``), and
the columns are in DHIS2's fixed order. A header whose every name is one DHIS2 writes may also put them in
another order; the values are then read by name.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from shared.body import MalformedPayload
from shared.problems import UnstorableValue
from targets.periods import JAVA_TRIM, InvalidPeriod, parse_period


@dataclass(frozen=True, slots=True)
class RawValue:
    """One data value as posted, before any check."""

    index: int
    data_element: str
    period: str
    org_unit: str
    value: str | None
    comment: str | None
    category_option_combo: str | None = None
    attribute_option_combo: str | None = None
    deleted: bool = False  # DHIS2's `deleted` (JSON) or eleventh CSV column: true removes the value


# DHIS2's CSV columns, in the fixed order DHIS2 reads them (followup is read and ignored here).
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
    "followup",
    "deleted",
)
_POSITIONS = {name: position for position, name in enumerate(CSV_COLUMNS)}
# Header names as DHIS2 versions write them (lower-cased), mapped to the columns above. A header with any
# other name is read as DHIS2 reads every header: skipped, the columns in the fixed order.
HEADER_ALIASES = {
    **{name: name for name in CSV_COLUMNS},
    "categoryoptioncombo": "catoptcombo",
    "attributeoptioncombo": "attroptcombo",
    "lastupdated": "lastupd",
}
_REQUIRED_CSV = ("dataelement", "period", "orgunit", "value")
# What a JSON payload may set for the whole import (dhis2-core's DataValueSet), read by the importer.
SET_OPTIONS = (
    "idScheme",
    "dataElementIdScheme",
    "orgUnitIdScheme",
    "categoryOptionComboIdScheme",
    "dataSetIdScheme",
    "dryRun",
    "strategy",
    "importStrategy",
)


@dataclass(frozen=True, slots=True)
class DataValueSet:
    """A payload read: its values, the options it sets itself (JSON), and what the summary should say."""

    values: list[RawValue]
    options: Mapping[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


class _InexactNumber(Exception):
    """A JSON number orjson read as a binary float, whose written digits are lost."""


class _Unreadable(Exception):
    pass


class _Unstorable(_Unreadable):
    """Readable, but PostgreSQL text cannot hold it."""


def _text(value: Any) -> str | None:
    """A JSON scalar as the text DHIS2 would have stored (numbers keep their written form)."""
    # Strings and absent fields first: they are nearly every call (tens of thousands per payload).
    if type(value) is str:
        if "\x00" in value:
            # PostgreSQL text cannot hold U+0000; the whole write would fail with a server error.
            raise _Unstorable("a NUL character (U+0000)")
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # orjson reads fractions, exponents and integers beyond 64 bits as binary floats: 1234567890.123456789
        # would come back as 1234567890.1234567, a different number stored without a word.
        raise _InexactNumber
    raise _Unreadable(f"a {type(value).__name__} where a text or number was expected")


def _load_json(body: bytes) -> Any:
    try:
        # Some exporters write a UTF-8 byte-order mark, as they do in CSV; JSON parsers refuse it.
        return orjson.loads(body.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        raise MalformedPayload(
            f"The body is not valid JSON: {exc}.", position=exc.pos, line=exc.lineno, column=exc.colno
        ) from None


def _rows(document: Any) -> list[RawValue]:
    if not isinstance(document, dict):
        raise MalformedPayload("The body must be a JSON object with a 'dataValues' array.")
    values = document.get("dataValues", [])
    if not isinstance(values, list):
        raise MalformedPayload("'dataValues' must be an array.")
    default_period = document.get("period")
    default_org_unit = document.get("orgUnit")
    default_attribute_combo = document.get("attributeOptionCombo")
    rows: list[RawValue] = []
    for index, item in enumerate(values):
        if not isinstance(item, dict):
            raise MalformedPayload(f"dataValues[{index}] must be an object.", index=index)
        field = "dataElement"
        try:
            data_element = _text(item.get(field))
            field = "period"
            period = _text(item.get(field, default_period))
            field = "orgUnit"
            org_unit = _text(item.get(field, default_org_unit))
            field = "value"
            value = _text(item.get(field))
            field = "comment"
            comment = _text(item.get(field))
            field = "categoryOptionCombo"
            category_combo = _text(item.get(field))
            field = "attributeOptionCombo"
            attribute_combo = _text(item.get(field, default_attribute_combo))
            field = "deleted"
            deleted = (_text(item.get(field)) or "").strip().lower() == "true"
        except _Unreadable as exc:
            problem = UnstorableValue if isinstance(exc, _Unstorable) else MalformedPayload
            raise problem(f"dataValues[{index}].{field} has {exc}.", index=index) from None
        rows.append(
            RawValue(
                index=index,
                data_element=data_element or "",
                period=period or "",
                org_unit=org_unit or "",
                value=value,
                # As in CSV, an empty comment is no comment (else re-posting the same value is an "update").
                comment=comment or None,
                category_option_combo=category_combo or None,
                attribute_option_combo=attribute_combo or None,
                deleted=deleted,
            )
        )
    return rows


def parse_json(body: bytes) -> DataValueSet:
    document = _load_json(body)
    try:
        rows = _rows(document)
    except _InexactNumber:
        # Rare (district systems send values as strings): read the body again, numbers as their written text.
        # orjson has already refused what is not strict JSON (NaN, bad UTF-8), so this cannot fail.
        document = json.loads(body.removeprefix(b"\xef\xbb\xbf"), parse_float=str, parse_int=str)
        rows = _rows(document)
    return DataValueSet(rows, {name: document[name] for name in SET_OPTIONS if name in document})


def _csv_lines(body: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise MalformedPayload(
            f"Line {line}: the CSV is not UTF-8 (byte {exc.start} is invalid).", position=exc.start, line=line
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        # PostgreSQL text cannot hold U+0000; the whole write would fail with a server error.
        line = text.count("\n", 0, nul) + 1
        raise UnstorableValue(f"Line {line}: a NUL character (U+0000) cannot be stored.", line=line)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for record in reader:
            if record and any(cell.strip() for cell in record):
                yield reader.line_num, record
    except csv.Error as exc:
        raise MalformedPayload(f"Line {reader.line_num}: {exc}.", line=reader.line_num) from None


def _cell(record: list[str], columns: dict[str, int], name: str) -> str | None:
    position = columns.get(name)
    if position is None or position >= len(record):
        return None
    return record[position]


def _looks_like_a_value(record: list[str]) -> bool:
    """A header row that reads as a data value: its second cell is a period (a header's is a name)."""
    if len(record) < 3:
        return False
    try:
        parse_period(record[1])
    except InvalidPeriod:
        return False
    return True


def _header(record: list[str], line: int) -> tuple[dict[str, int], bool]:
    """The columns a header row names, and whether they are to be read by name (not DHIS2's order)."""
    lowered = [cell.strip().lower() for cell in record]
    if any(name not in HEADER_ALIASES for name in lowered):
        return _POSITIONS, False  # DHIS2 skips any header and reads its fixed order
    names = [HEADER_ALIASES[name] for name in lowered]
    if names == list(CSV_COLUMNS[: len(names)]):
        return _POSITIONS, False
    missing = [name for name in _REQUIRED_CSV if name not in names]
    if missing:
        raise MalformedPayload(
            f"Line {line}: the header lacks the column(s) {', '.join(missing)}.", line=line
        )
    return {name: names.index(name) for name in CSV_COLUMNS if name in names}, True


def parse_csv(body: bytes, *, first_row_is_header: bool = True) -> DataValueSet:
    rows: list[RawValue] = []
    columns: dict[str, int] | None = None
    by_name, header_width = False, 0
    notes: list[str] = []
    for line, record in _csv_lines(body):
        if columns is None:
            if first_row_is_header:
                columns, by_name = _header(record, line)
                header_width = len(record)
                if _looks_like_a_value(record):
                    notes.append(
                        "The first row was read as the header, as DHIS2 reads it, though it looks like a"
                        f" value ({','.join(record)[:120]}); send firstRowIsHeader=false if there is none."
                    )
                continue
            columns = _POSITIONS
        if by_name and len(record) > header_width:
            # A short header over longer rows would read each value from the wrong column.
            raise MalformedPayload(
                f"Line {line}: {len(record)} columns under a header that names {header_width}; name every"
                " column, or write DHIS2's order.",
                line=line,
            )
        width = max(columns[name] for name in _REQUIRED_CSV) + 1
        if len(record) < width:
            raise MalformedPayload(
                f"Line {line}: expected at least {width} columns "
                f"(dataelement,period,orgunit,catoptcombo,attroptcombo,value,…), found {len(record)}.",
                line=line,
            )
        value = _cell(record, columns, "value")
        comment = _cell(record, columns, "comment")
        rows.append(
            RawValue(
                index=len(rows),
                data_element=(_cell(record, columns, "dataelement") or "").strip(),
                # Trimmed as the period parser and DHIS2 trim it (Java's trim), not as Python's strip.
                period=(_cell(record, columns, "period") or "").strip(JAVA_TRIM),
                org_unit=(_cell(record, columns, "orgunit") or "").strip(),
                value=value if value != "" else None,
                comment=comment or None,
                category_option_combo=_cell(record, columns, "catoptcombo") or None,
                attribute_option_combo=_cell(record, columns, "attroptcombo") or None,
                deleted=(_cell(record, columns, "deleted") or "").strip().lower() == "true",
            )
        )
    return DataValueSet(rows, notes=tuple(notes))
