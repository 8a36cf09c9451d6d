"""Reading a file of past awards (CSV, UTF-8, a header row, one award per row), checked row by row.

Pure: nothing here reads the database; :func:`nominations.registry.service.import_csv` checks the rows
against the catalogue and the hierarchy of each decision's date, and stores them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nominations.catalogue.models import Authority, AwardType, Occasion, RecipientKind
from shared import clock
from shared.bounds import MAX_DATE, MIN_DATE
from shared.problems import UnprocessableContent, UnstorableValue

MIN_YEAR, MAX_YEAR = 1945, 2100
MAX_REPORTED_ERRORS = 1000
MAX_BONUS_VND = 10**14 - 1  # numeric(14, 0)

REQUIRED_COLUMNS = (
    "recipient_kind",
    "recipient_key",
    "recipient_name",
    "org_unit",
    "award_type_code",
    "year",
    "occasion",
    "decision_number",
    "decision_date",
    "decision_authority",
)
OPTIONAL_COLUMNS = ("recipient_position", "achievement_key", "bonus_vnd")
TEXT_LIMITS = {
    "recipient_key": 100,
    "recipient_name": 500,
    "recipient_position": 500,
    "org_unit": 50,
    "award_type_code": 50,
    "achievement_key": 100,
    "decision_number": 100,
}
RECIPIENT_KINDS = frozenset(RecipientKind)
OCCASIONS = frozenset(Occasion)
AUTHORITIES = frozenset(Authority)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the file's record number: 1 is the header, 2 the first award
    column: str | None
    message: str


class InvalidAwardsFile(UnprocessableContent):
    slug = "invalid-awards-file"
    title = "The awards file has errors; nothing was stored"


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, Any]


def read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidAwardsFile(
            f"The file is not UTF-8 (byte {exc.start} cannot be read); save it as CSV UTF-8.",
            row_errors=[],
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        # PostgreSQL text cannot hold U+0000: the same answer as a NUL anywhere else.
        line = text.count("\n", 0, nul) + 1
        raise UnstorableValue(f"Line {line}: a NUL character (U+0000) cannot be stored.", line=line)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise InvalidAwardsFile(f"The file is not valid CSV: {exc}.", row_errors=[]) from None
    numbered = [(number, record) for number, record in enumerate(records, start=1) if any(record)]
    if not numbered or numbered[0][0] != 1:
        raise InvalidAwardsFile(
            "The first row must be the header, naming the columns.",
            row_errors=[{"row": 1, "column": None, "message": "header row required"}],
        )
    header = [name.strip().lower() for name in numbered[0][1]]
    return header, numbered[1:]


def check_header(header: list[str]) -> list[RowError]:
    errors = [
        RowError(1, column, "required column missing") for column in REQUIRED_COLUMNS if column not in header
    ]
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    errors += [RowError(1, name or None, "unknown column") for name in header if name not in known]
    errors += [
        RowError(1, name, "column named twice") for name in sorted({n for n in header if header.count(n) > 1})
    ]
    return errors


def parse_row(number: int, header: list[str], record: list[str]) -> tuple[Row | None, list[RowError]]:
    if len(record) != len(header):
        return None, [RowError(number, None, f"{len(record)} fields, the header has {len(header)}")]
    raw = {name: value.strip() for name, value in zip(header, record, strict=True)}
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
        value = raw.get(column, "")
        if not value:
            if column in REQUIRED_COLUMNS:
                fail(column, "required")
            values[column] = None
            continue
        limit = TEXT_LIMITS.get(column)
        if limit is not None and len(value) > limit:
            fail(column, f"at most {limit} characters")
        values[column] = value
    for column, allowed in (
        ("recipient_kind", RECIPIENT_KINDS),
        ("occasion", OCCASIONS),
        ("decision_authority", AUTHORITIES),
    ):
        if values[column] is not None and values[column] not in allowed:
            fail(column, f"must be one of {', '.join(sorted(allowed))}")
    if values["year"] is not None:
        year = values["year"]
        if not year.isascii() or not year.isdigit() or not MIN_YEAR <= int(year) <= MAX_YEAR:
            fail("year", f"a year from {MIN_YEAR} to {MAX_YEAR}")
        else:
            values["year"] = int(year)
    if values["decision_date"] is not None:
        try:
            day = dt.date.fromisoformat(values["decision_date"])
        except ValueError:
            day = None
        if day is None or len(values["decision_date"]) != 10 or not MIN_DATE <= day <= MAX_DATE:
            fail("decision_date", "a date written YYYY-MM-DD")
        elif day > clock.today():
            fail("decision_date", "in the future; only decisions already signed are imported")
        else:
            values["decision_date"] = day
    if values["bonus_vnd"] is not None:
        amount = values["bonus_vnd"]
        if not amount.isascii() or not amount.isdigit() or int(amount) > MAX_BONUS_VND:
            fail("bonus_vnd", "a whole number of đồng, digits only")
        else:
            values["bonus_vnd"] = Decimal(amount)
    return (None if errors else Row(number, values)), errors


def version_on(versions: list[AwardType], day: dt.date) -> AwardType | None:
    for version in versions:
        if version.valid_from <= day and (version.valid_to is None or day <= version.valid_to):
            return version
    return None


def problem(errors: list[RowError], rows: int) -> InvalidAwardsFile:
    shown = errors[:MAX_REPORTED_ERRORS]
    rows_with_errors = len({error.row for error in errors})
    more = f" The first {len(shown)} of {len(errors)} errors are listed." if len(errors) > len(shown) else ""
    return InvalidAwardsFile(
        f"{rows_with_errors} of {rows} rows have errors; nothing was stored. Correct them and send the whole "
        f"file again.{more}",
        row_errors=[{"row": e.row, "column": e.column, "message": e.message} for e in shown],
        error_count=len(errors),
    )
