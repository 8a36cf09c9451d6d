"""Statements every domain's repository may use (the domains' own queries stay in their repositories)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, Insert, insert

from notifications.database import Base


def unnest_insert(model: type[Base], rows: Sequence[Mapping[str, Any]]) -> Insert:
    """``INSERT … SELECT … FROM unnest(column arrays)``: one statement and one parameter per column, however
    many rows. ``VALUES`` would compile a parameter per cell: for a fan-out's 10,000 deliveries of 17 columns
    the compilation alone took longer than the insert. A column a row lacks is NULL in that row; JSONB
    travels as text (the JSON of each value) and is cast back."""
    table = model.__table__
    names = sorted({name for row in rows for name in row})
    arrays = []
    selected: list[Any] = []
    source_columns = []
    for name in names:
        column_type = table.c[name].type
        if isinstance(column_type, JSONB):
            values = [None if row.get(name) is None else json.dumps(row[name]) for row in rows]
            arrays.append(bindparam(f"u_{name}", values, type_=ARRAY(Text())))
        else:
            arrays.append(bindparam(f"u_{name}", [row.get(name) for row in rows], type_=ARRAY(column_type)))
        source_columns.append(name)
    source = func.unnest(*arrays).table_valued(*source_columns).render_derived(name="rows")
    for name in names:
        column_type = table.c[name].type
        selected.append(source.c[name].cast(JSONB) if isinstance(column_type, JSONB) else source.c[name])
    return insert(model).from_select(names, select(*selected))
