"""Limits of what the database (and date arithmetic) can hold, applied where input comes in.

A value outside them could only fail deep down (an integer overflow in PostgreSQL, a date that cannot have a
day added): a 500 where the caller deserves a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator, Field, WithJsonSchema

INT_MAX = 2**31 - 1  # PostgreSQL integer
BIGINT_MAX = 2**63 - 1  # PostgreSQL bigint
# The platform's dates: wide enough for any act or plan, narrow enough that a day more or less always exists.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)

# One id type: a row's id in a path, a body field or a query filter.
RowId = Annotated[int, Path(ge=1, le=INT_MAX, description="The resource's id")]
RowIdField = Annotated[int, Field(ge=1, le=INT_MAX)]
RowIdFilter = Annotated[int | None, Query(ge=1, le=INT_MAX)]
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The range is said in the OpenAPI document as JSON Schema's format-range keywords (formatMinimum and
# formatMaximum, as ajv-formats reads them): JSON Schema has no other way to bound a date, and pydantic
# leaves its ge/le of a date out of the document.
DAY_SCHEMA = {
    "type": "string",
    "format": "date",
    "formatMinimum": MIN_DATE.isoformat(),
    "formatMaximum": MAX_DATE.isoformat(),
}


def _iso_day(value: object) -> object:
    """A date comes as ``YYYY-MM-DD`` (JSON has no dates), within the platform's range. Pydantic's lax mode
    would also take ``0`` or a number of seconds (1970-01-01), or a date-time, as a date: 0 is not a date."""
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("is not a date of the calendar") from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError("must be a date written YYYY-MM-DD")
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"must be from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}")
    return value


# The platform's date, in a body, a query or a path: with Field(...) or Query(...) beside it as needed
# (``Annotated[Day | None, Query(description=...)]``).
Day = Annotated[dt.date, BeforeValidator(_iso_day), WithJsonSchema(DAY_SCHEMA)]
