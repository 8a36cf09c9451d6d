"""Cursor pagination: ``{"items": [...], "next_cursor": "..."|null}``; ``limit`` 50 by default, 500 at most.

Cursors are opaque to clients (base64url JSON of the last row's sort key), so the keyset can change without
breaking them; a cursor that cannot be read is a 400 problem, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from shared.bounds import INT_MAX
from shared.problems import BadRequest

T = TypeVar("T")

MAX_LIMIT = 500

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (at most 500).")]

Cursor = Annotated[str | None, Query(max_length=1000, description="`next_cursor` of the previous page.")]


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


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor("The cursor is not one this API issued; start again without it.") from None
