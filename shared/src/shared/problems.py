"""RFC 9457 problem details: one error hierarchy, one set of handlers.

Every error a service answers with, including FastAPI's own validation errors and Starlette's 404/405,
leaves as ``application/problem+json`` (unexpected exceptions are turned into a problem 500 by
:class:`shared.request_context.RequestContextMiddleware`). Domain code raises a subclass of
:class:`ProblemError`; it never builds a response itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:thidua:problem:"

logger = logging.getLogger(__name__)


def problem_type(slug: str) -> str:
    """The stable identifier clients match on; documented in docs/errors.md."""
    return f"{PROBLEM_TYPE_PREFIX}{slug}"


class InvalidParam(BaseModel):
    """One bad field of a request: where it was and what was wrong with it."""

    location: str = Field(examples=["body.value"])
    message: str
    type: str


class FieldRefused(BaseModel):
    """One field a rule of the domain refused (a request valid in form): which, and why."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(examples=["nominating_org_unit"])
    reason: str = Field(examples=["unknown on the round's date"])


class Problem(BaseModel):
    """The body of every error response (RFC 9457); extension members are allowed."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    # Validation names each bad field as InvalidParam; a domain rule, as FieldRefused.
    errors: list[InvalidParam | FieldRefused] | None = None


class ProblemError(Exception):
    """Base of every error a service raises on purpose.

    Subclasses fix ``status``, ``slug`` and ``title``; an instance adds the ``detail`` for this occurrence
    and any extension members (``extra``) the client needs, such as the allowed actions.
    """

    status: ClassVar[int] = HTTPStatus.INTERNAL_SERVER_ERROR
    slug: ClassVar[str | None] = None
    title: ClassVar[str] = "Internal Server Error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra

    @property
    def type(self) -> str:
        return self.type_of()

    @classmethod
    def type_of(cls) -> str:
        """The ``type`` every instance of this error answers with."""
        return problem_type(cls.slug) if cls.slug else "about:blank"


class BadRequest(ProblemError):
    status = HTTPStatus.BAD_REQUEST
    slug = "bad-request"
    title = "Bad Request"


class Unauthorized(ProblemError):
    status = HTTPStatus.UNAUTHORIZED
    slug = "unauthorized"
    title = "Unauthorized"


class Forbidden(ProblemError):
    status = HTTPStatus.FORBIDDEN
    slug = "forbidden"
    title = "Forbidden"


class NotFound(ProblemError):
    status = HTTPStatus.NOT_FOUND
    slug = "not-found"
    title = "Not Found"


class Conflict(ProblemError):
    status = HTTPStatus.CONFLICT
    slug = "conflict"
    title = "Conflict"


class PreconditionFailed(ProblemError):
    status = HTTPStatus.PRECONDITION_FAILED
    slug = "precondition-failed"
    title = "Precondition Failed"


class ContentTooLarge(ProblemError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    slug = "payload-too-large"
    title = "Content Too Large"


class UnprocessableContent(ProblemError):
    """A well-formed request the service cannot carry out as given (RFC 9110 §15.5.21): the base of every
    422 the platform's own rules answer, beside the field-by-field ``validation-error``."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    slug = "unprocessable-content"
    title = "Unprocessable Content"


class UnstorableValue(UnprocessableContent):
    """A value no field rule caught that PostgreSQL cannot hold: a NUL character, an integer beyond int4."""

    slug = "unstorable-value"
    title = "A value cannot be stored"


class UnsupportedMediaType(ProblemError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    slug = "unsupported-media-type"
    title = "Unsupported Media Type"


class ServiceUnavailable(ProblemError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    slug = "service-unavailable"
    title = "Service Unavailable"


def problem_response(
    status: int,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    detail: str | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or _reason(status),
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_CONTENT_TYPE
    )


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_SAFE_PREFIX = re.compile(r"^(/[A-Za-z0-9._-]+){0,4}$")


def request_instance(request: Request) -> str:
    """The path as the client sent it: the gateway strips ``/api`` and says so in ``X-Forwarded-Prefix``."""
    prefix = request.headers.get("x-forwarded-prefix", "")
    if not _SAFE_PREFIX.fullmatch(prefix):
        prefix = ""
    return f"{prefix}{request.url.path}"


def _location(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


def problem_for(error: ProblemError, request: Request) -> JSONResponse:
    """The problem details response of a raised problem (the handlers', and middleware's outside them)."""
    return problem_response(
        error.status,
        title=error.title,
        type_=error.type,
        detail=error.detail,
        instance=request_instance(request),
        headers=error.headers,
        **error.extra,
    )


async def _handle_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)  # noqa: S101 - registered for ProblemError only
    return problem_for(exc, request)


async def _handle_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    errors = exc.errors()
    malformed = [error for error in errors if error.get("type") == "json_invalid"]
    if malformed:
        # A body that is not JSON at all is a syntax error of the whole request (400), not of a field.
        first = malformed[0]
        ctx = first.get("ctx") or {}
        return problem_response(
            HTTPStatus.BAD_REQUEST,
            title="Malformed JSON",
            type_=problem_type("malformed-json"),
            detail=f"The request body is not valid JSON: {ctx.get('error', first.get('msg'))}"
            f" at position {first['loc'][-1] if first.get('loc') else '?'}",
            instance=request_instance(request),
        )
    params = [
        InvalidParam(location=_location(error["loc"]), message=error["msg"], type=error["type"]).model_dump()
        for error in errors
    ]
    summary = "; ".join(f"{param['location']}: {param['message']}" for param in params)
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        title="Request validation failed",
        type_=problem_type("validation-error"),
        detail=summary,
        instance=request_instance(request),
        errors=params,
    )


async def _handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _reason(exc.status_code) else None
    return problem_response(
        exc.status_code,
        detail=detail,
        instance=request_instance(request),
        headers=exc.headers,
    )


class BackendUnavailable(ServiceUnavailable):
    slug = "backend-unavailable"
    title = "Service temporarily unavailable"


# What a lost or unreachable database (or other backing service) raises: connection refused, socket gone,
# timeouts, PostgreSQL refusing connections, a pool with no free connection.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OSError,)


async def handle_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.error("backing service unavailable: %s: %s", type(exc).__name__, exc)
    return problem_response(
        HTTPStatus.SERVICE_UNAVAILABLE,
        title=BackendUnavailable.title,
        type_=problem_type(BackendUnavailable.slug or ""),
        detail="A backing service (the database or storage) could not complete the request just now, so it"
        " was not completed. Retry later (repeat a create with the same Idempotency-Key).",
        instance=request_instance(request),
        headers={"Retry-After": "5"},
    )


def install_problem_handlers(app: FastAPI, unavailable: tuple[type[Exception], ...] = ()) -> None:
    app.add_exception_handler(ProblemError, _handle_problem)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    for error in UNAVAILABLE_ERRORS + unavailable:
        app.add_exception_handler(error, handle_unavailable)


PROBLEM_TYPES_KEY = "x-problem-types"


def problem_responses(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries so OpenAPI shows which problems an endpoint can answer with: per status, the
    errors' titles and their types (:func:`shared.openapi.with_problems` writes the types into the schema).

    Several errors of one status share its entry, so name every error of an endpoint in one call: two
    calls merged with ``**`` would keep only the last one's entry for a status they share.
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        entry = responses.setdefault(
            int(error.status),
            {"description": "", "content": {PROBLEM_CONTENT_TYPE: {}}, PROBLEM_TYPES_KEY: []},
        )
        if error.title not in entry["description"].split("; "):
            entry["description"] = (
                f"{entry['description']}; {error.title}" if entry["description"] else error.title
            )
        if error.type_of() not in entry[PROBLEM_TYPES_KEY]:
            entry[PROBLEM_TYPES_KEY].append(error.type_of())
    return responses
