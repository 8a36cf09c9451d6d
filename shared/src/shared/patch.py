"""PATCH bodies: a field of a NOT NULL column may be left out (kept as it is), never sent as ``null``.

``Annotated[str | None, Field(min_length=1), NotNull()] = None``: ``None`` stands for "left out" in Python
(``model_fields_set`` tells which were sent), an explicit ``null`` is a 422 naming the field (it used to reach
the database and answer 500), and the OpenAPI document says so: the field's schema has no ``null`` (issue 13,
"no null in PATCH"), so a generated client cannot send one. Put constraints before the marker, so that they
apply to the value itself (and keep their own messages).
"""

from __future__ import annotations

from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

NULL = {"type": "null"}


def _reject_null(value: object) -> object:
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


class NotNull:
    """The marker (see the module)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(_reject_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = handler(schema)
        if "anyOf" not in json_schema:
            return json_schema
        branches = [branch for branch in json_schema["anyOf"] if branch != NULL]
        rest = {key: value for key, value in json_schema.items() if key != "anyOf"}
        # A decimal is itself "a number or a string": its branches stay, without the null.
        return {**branches[0], **rest} if len(branches) == 1 else {"anyOf": branches, **rest}
