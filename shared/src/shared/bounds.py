"""Limits of what the database (and date arithmetic) can hold, applied where input comes in.

A value outside them could only fail deep down (an integer overflow in PostgreSQL, a date that cannot have a
day added): a 500 where the caller deserves a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

INT_MAX = 2**31 - 1  # PostgreSQL integer
BIGINT_MAX = 2**63 - 1  # PostgreSQL bigint
# The platform's dates: wide enough for any act or plan, narrow enough that a day more or less always exists.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)

# One id type: a row's id in a path, a body field or a query filter.
RowId = Annotated[int, Path(ge=1, le=INT_MAX, description="The resource's id")]
RowIdField = Annotated[int, Field(ge=1, le=INT_MAX)]
RowIdFilter = Annotated[int | None, Query(ge=1, le=INT_MAX)]
Day = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
