"""Cursor pagination: ``{"items": [...], "next_cursor": "..."|null}``; ``limit`` 50 by default, 500 at most.

Cursors are opaque to clients (base64url JSON of the last row's sort key), so the keyset can change without
breaking them; a cursor that cannot be read is a 400 problem, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from shared.bounds import INT_MAX, MAX_DATE, MIN_DATE
from shared.problems import BadRequest

T = TypeVar("T")

MAX_LIMIT = 500

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (at most 500).")]

# What encode_cursor makes (base64url without padding), bounded so that a URL with one stays well within the
# gateway's 2,083 characters; another character or a longer one is a 422 naming the parameter.
Cursor = Annotated[
    str | None,
    Query(max_length=500, pattern="^[A-Za-z0-9_-]*$", description="`next_cursor` of the previous page."),
]


class InvalidCursor(BadRequest):
    slug = "invalid-cursor"
    title = "Invalid cursor"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def fits(key: object, maximum: int = INT_MAX) -> bool:
    """Whether a cursor's key can be compared with an integer column at all.

    A cursor is opaque but not trusted: a string, a float, a boolean or an integer beyond the column's range
    would reach PostgreSQL and fail there (a 500) instead of being the 400 a bad cursor is.
    """
    return isinstance(key, int) and not isinstance(key, bool) and -maximum - 1 <= key <= maximum


def decode_int_cursor(cursor: str | None, maximum: int = INT_MAX) -> int | None:
    """A cursor that is a single integer key (an id), or :class:`InvalidCursor`."""
    key = decode_cursor(cursor)
    if key is not None and not fits(key, maximum):
        raise InvalidCursor("The cursor is not one this list issued; start again without it.")
    return key if key is None else int(key)


def as_id(key: object) -> int:
    if not isinstance(key, int) or not fits(key):
        raise ValueError("not an id")
    return key


def as_code(key: object) -> str:
    if not isinstance(key, str) or not 0 < len(key) <= 200 or "\x00" in key:
        raise ValueError("not a code")
    return key


def as_day(key: object) -> dt.date:
    day = dt.date.fromisoformat(as_code(key))
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError("out of range")
    return day


def as_moment(key: object) -> dt.datetime:
    moment = dt.datetime.fromisoformat(as_code(key))
    if moment.tzinfo is None or not MIN_DATE <= moment.date() <= MAX_DATE:
        raise ValueError("not an aware moment in range")
    return moment


def as_uuid(key: object) -> uuid.UUID:
    return uuid.UUID(as_code(key))


def decode_keyset(cursor: str | None, *parts: Callable[[object], Any]) -> tuple[Any, ...] | None:
    """A cursor whose key is a list of values, each checked by its part (:func:`as_id`, :func:`as_day` …),
    or :class:`InvalidCursor`: a cursor is opaque, not trusted, and a bad one is the caller's 400."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    if not isinstance(key, list) or len(key) != len(parts):
        raise InvalidCursor("The cursor is not one this list issued; start again without it.")
    try:
        return tuple(part(value) for part, value in zip(parts, key, strict=True))
    except (TypeError, ValueError, OverflowError):
        raise InvalidCursor("The cursor is not one this list issued; start again without it.") from None


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor("The cursor is not one this API issued; start again without it.") from None
