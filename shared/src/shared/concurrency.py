"""Optimistic concurrency for editable resources: ``ETag`` on reads, ``If-Match`` required on writes.

A client that edits what it read sends the ETag back; if somebody changed the resource in between, the
write is refused with 412 (and the current ETag) instead of silently overwriting their change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from shared.problems import PreconditionFailed, ProblemError, problem_response, problem_type, request_instance


def _blank_is_absent(value: object) -> object:
    """An empty ``If-Match`` says no more than none: a required one is then missing (428), an optional one
    is not asked (never a 412 against the empty tag)."""
    return None if isinstance(value, str) and not value.strip() else value


IfMatch = Annotated[
    str | None,
    BeforeValidator(_blank_is_absent),
    Header(alias="If-Match", description="The ETag of the version being edited (required)."),
]


class PreconditionRequired(ProblemError):
    status = 428
    slug = "precondition-required"
    title = "Precondition Required"


class VersionMismatch(PreconditionFailed):
    slug = "version-mismatch"
    title = "The resource has changed"


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Refuse the write unless ``If-Match`` names the current version (or is ``*``)."""
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag you read, so that concurrent edits cannot overwrite each other."
        )
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in candidates and etag(version) not in candidates:
        raise VersionMismatch(
            "Somebody changed this resource after you read it; read it again and reapply your change.",
            headers={"ETag": etag(version)},
            current_etag=etag(version),
        )


async def handle_stale_data(request: Request, exc: Exception) -> JSONResponse:
    """Two writers passed ``If-Match`` with the same version and the second lost the race at the UPDATE
    (SQLAlchemy's version counter matched no row): the same answer as a stale ETag, never a 500."""
    return problem_response(
        VersionMismatch.status,
        title=VersionMismatch.title,
        type_=problem_type(VersionMismatch.slug or ""),
        detail="Somebody changed this resource at the same moment; read it again and reapply your change.",
        instance=request_instance(request),
    )
