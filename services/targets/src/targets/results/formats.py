"""Reading DHIS2 ``dataValueSets`` payloads: JSON and CSV, as district systems export them.

Only the shape is checked here; whether codes, periods and values are valid is the importer's business
(those problems become per-row conflicts, not a rejected request). A payload that cannot be read at all
(malformed JSON, broken CSV quoting, bad UTF-8) raises :class:`MalformedPayload` naming the line or index.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from shared.body import MalformedPayload
from shared.problems import UnstorableValue


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
# Header names as DHIS2 versions write them (lower-cased), mapped to the columns above. DHIS2 also writes
# followup and deleted; they are read and ignored. Any other name is refused rather than silently dropped:
# a disaggregation column under an unexpected name would otherwise merge figures that must stay apart.
HEADER_ALIASES = {
    **{name: name for name in CSV_COLUMNS},
    "categoryoptioncombo": "catoptcombo",
    "attributeoptioncombo": "attroptcombo",
    "lastupdated": "lastupd",
    "followup": "followup",
    "deleted": "deleted",
}
_REQUIRED_CSV = ("dataelement", "period", "orgunit", "value")


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
            )
        )
    return rows


def parse_json(body: bytes) -> list[RawValue]:
    document = _load_json(body)
    try:
        return _rows(document)
    except _InexactNumber:
        # Rare (district systems send values as strings): read the body again, numbers as their written text.
        # orjson has already refused what is not strict JSON (NaN, bad UTF-8), so this cannot fail.
        return _rows(json.loads(body.removeprefix(b"\xef\xbb\xbf"), parse_float=str, parse_int=str))


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


def parse_csv(body: bytes) -> list[RawValue]:
    rows: list[RawValue] = []
    columns: dict[str, int] | None = None
    for line, record in _csv_lines(body):
        if columns is None:
            lowered = [cell.strip().lower() for cell in record]
            if "dataelement" in lowered:
                unknown = [name for name in lowered if name not in HEADER_ALIASES]
                if unknown:
                    raise MalformedPayload(
                        f"Line {line}: unknown column(s) {', '.join(unknown)}; DHIS2's columns are"
                        f" {', '.join(CSV_COLUMNS)} (also categoryoptioncombo, attributeoptioncombo,"
                        " lastupdated, followup, deleted).",
                        line=line,
                    )
                names = [HEADER_ALIASES[name] for name in lowered]
                missing = [name for name in _REQUIRED_CSV if name not in names]
                if missing:
                    raise MalformedPayload(
                        f"Line {line}: the header lacks the column(s) {', '.join(missing)}.", line=line
                    )
                columns = {name: names.index(name) for name in CSV_COLUMNS if name in names}
                continue
            columns = {name: position for position, name in enumerate(CSV_COLUMNS)}
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
                period=(_cell(record, columns, "period") or "").strip(),
                org_unit=(_cell(record, columns, "orgunit") or "").strip(),
                value=value if value != "" else None,
                comment=comment or None,
                category_option_combo=_cell(record, columns, "catoptcombo") or None,
                attribute_option_combo=_cell(record, columns, "attroptcombo") or None,
            )
        )
    return rows
