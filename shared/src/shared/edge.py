"""The checks every request passes at the HTTP edge, on every endpoint of every service, so that the same
fault answers the same way wherever it is made (docs/api-conventions.md):

* a query parameter the endpoint does not take is a 400 (:mod:`shared.query`);
* a NUL character (U+0000) in the path, a query value or a JSON body is a 422 ``unstorable-value`` naming
  where it was: PostgreSQL text cannot hold it, and refusing it here keeps it from failing deep down;
* a body in another media type than JSON (or without one), on an endpoint that takes a JSON body, is a 415
  (endpoints that take files, CSV or multipart read their own bodies and say which types they take).

They run before the endpoint's own dependencies, as FastAPI's own reading of a JSON body does.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, params
from fastapi.routing import APIRoute

from shared.problems import UnstorableValue, UnsupportedMediaType
from shared.query import reject_unknown_query_parameters

JSON_TYPES = ("application/json",)
NUL = "\x00"


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    structured = media_type.startswith("application/") and media_type.endswith("+json")
    return media_type in JSON_TYPES or structured


def _nul_at(value: Any, where: str) -> str | None:
    """The location of the first NUL character in a decoded JSON value (keys included), if any."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = f"{where}.{key!r}" if NUL in key else _nul_at(item, f"{where}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, f"{where}.{index}")
            if found:
                return found
    return None


def _refuse_nul(location: str) -> UnstorableValue:
    return UnstorableValue(
        "Text may not contain the NUL character (\\u0000).",
        errors=[{"location": location, "message": "contains U+0000", "type": "unstorable_value"}],
    )


def takes_json_body(route: APIRoute) -> bool:
    """A body declared as a model (JSON); a form or a file is multipart, and its endpoint reads it."""
    return route.body_field is not None and not isinstance(route.body_field.field_info, params.Form)


async def check_edge(request: Request) -> None:
    """The edge checks above, in the order a client would fix them: the address, then the body."""
    await reject_unknown_query_parameters(request)
    if NUL in request.url.path:
        raise _refuse_nul("path")
    for name, value in request.query_params.multi_items():
        if NUL in value or NUL in name:
            raise _refuse_nul(f"query.{name}")
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not takes_json_body(route):
        return
    body = await request.body()
    if not body:
        return
    content_type = request.headers.get("content-type", "")
    if not _is_json(content_type):
        raise UnsupportedMediaType(
            f"Send the body as application/json, not {content_type.split(';', 1)[0] or 'without a type'}.",
            accepted=list(JSON_TYPES),
        )
    # Raw JSON cannot hold U+0000 in a string, only its escape: most bodies are not parsed a second time.
    if b"\\u0000" not in body:
        return
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError):
        return  # FastAPI answers it: malformed-json, naming the position
    found = _nul_at(decoded, "body")
    if found:
        raise _refuse_nul(found)
