"""HTTP for results: ``POST /v1/data-value-sets`` and DHIS2's own paths (``/dataValueSets``,
``/{version}/dataValueSets``, the ``/system/…`` job endpoints), values, their history, and period locks."""

from __future__ import annotations

import hashlib
import uuid
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from shared import clock
from shared.auth import AnyUser, Principal
from shared.body import MalformedPayload, read_body
from shared.bounds import RowId
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import (
    BadRequest,
    ContentTooLarge,
    NotFound,
    ProblemError,
    UnsupportedMediaType,
    problem_responses,
)
from targets.cache.service import CatalogueCache
from targets.deps import Catalogue, CatalogueEditor, Reporter
from targets.results import service
from targets.results.checks import AtomicMode
from targets.results.formats import parse_csv, parse_json
from targets.results.options import (
    ImportParameters,
    InvalidOption,
    UnsupportedOption,
    import_parameters,
    resolve,
)
from targets.results.schemas import (
    DataValueOut,
    ImportSummary,
    JobNotificationOut,
    PeriodLockIn,
    PeriodLockOut,
    RevisionOut,
    WebMessage,
)
from targets.results.service import JobNotFound
from targets.results.summaries import (
    Answer,
    dhis2_answer,
    import_summary,
    job_answer,
    job_notifications,
    job_summary,
    platform_answer,
)

router = APIRouter(tags=["results"])
# DHIS2's own paths answer in DHIS2's shapes (camelCase, WebMessage, arrays), not the platform's conventions.
DHIS2: list[str | Enum] = ["dhis2"]

MAX_BODY_BYTES = 50 * 1024 * 1024
JSON_TYPES = frozenset({"application/json"})
CSV_TYPES = frozenset({"text/csv", "application/csv"})
# DHIS2's API versions (`/api/38/…`); a version is two digits, and 28 is the oldest DHIS2 still names.
OLDEST_API_VERSION, NEWEST_API_VERSION = 28, 99

ImportParametersDep = Annotated[ImportParameters, Depends(import_parameters)]
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/csv": {"schema": {"type": "string"}},
        },
    }
}
_IMPORT_PROBLEMS: tuple[type[ProblemError], ...] = (
    MalformedPayload,
    UnsupportedMediaType,
    ContentTooLarge,
    InvalidOption,
    UnsupportedOption,
)


async def _import(
    request: Request,
    session: SessionDep,
    principal: Principal,
    catalogue: CatalogueCache,
    parameters: ImportParameters,
    default_atomic_mode: AtomicMode = AtomicMode.ALL,
) -> ImportSummary | Answer:
    """Read, check and store one payload: its summary, or (``async``) the job's answer."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES | CSV_TYPES:
        raise UnsupportedMediaType(
            "Send application/json or text/csv (DHIS2 dataValueSets), "
            f"not {media_type or 'no content type'}.",
            accepted=sorted(JSON_TYPES | CSV_TYPES),
        )
    payload_format = "json" if media_type in JSON_TYPES else "csv"
    # The query's values are checked before the body is read; the payload's own options after.
    resolve(parameters, {}, payload_format=payload_format, default_atomic_mode=default_atomic_mode)
    body = await read_body(request, MAX_BODY_BYTES)
    if payload_format == "json":
        payload = parse_json(body)
    else:
        payload = parse_csv(body, first_row_is_header=parameters.first_row_is_header is not False)
    options = resolve(
        parameters, payload.options, payload_format=payload_format, default_atomic_mode=default_atomic_mode
    )
    result = await service.import_values(
        session,
        catalogue,
        principal,
        payload.values,
        options,
        payload_format=payload_format,
        payload_sha256=hashlib.sha256(body).hexdigest(),
        job_summary=(lambda result: job_summary(result, payload.notes)) if options.run_async else None,
    )
    if options.run_async:
        return job_answer(str(result.record_id), clock.now())
    return import_summary(result, payload.notes)


def _respond(answer: Answer) -> Response:
    return JSONResponse(answer.body, status_code=answer.status_code)


@router.post(
    "/v1/data-value-sets",
    summary="Post results in DHIS2's dataValueSets format (JSON or CSV)",
    response_model=ImportSummary,
    responses={
        409: {"model": ImportSummary, "description": "Conflicts with atomicMode=ALL: nothing stored"},
        **problem_responses(*_IMPORT_PROBLEMS),
    },
    openapi_extra=_BODY,
)
async def post_data_value_sets(
    request: Request,
    session: SessionDep,
    principal: Reporter,
    catalogue: Catalogue,
    parameters: ImportParametersDep,
) -> Response:
    outcome = await _import(request, session, principal, catalogue, parameters)
    return _respond(outcome if isinstance(outcome, Answer) else platform_answer(outcome))


# DHIS2's data value import stores the values without conflicts and answers 409 WARNING (it has no atomicMode:
# dhis2-core's dxf2 `ImportOptions`, dhis2-docs "Import parameters"); its paths do the same unless told ALL.
DHIS2_ATOMIC_MODE = AtomicMode.NONE


def _api_version(version: int | None) -> int | None:
    if version is not None and not OLDEST_API_VERSION <= version <= NEWEST_API_VERSION:
        raise NotFound(f"DHIS2 has no API version {version} (from {OLDEST_API_VERSION}).")
    return version


@router.post(
    "/dataValueSets",
    tags=DHIS2,
    summary="DHIS2's own path for dataValueSets imports (answered as DHIS2 2.38+ does: a WebMessage)",
    response_model=WebMessage,
    responses={
        409: {"model": WebMessage, "description": "Conflicts (WARNING), or nothing stored (ERROR)"},
        **problem_responses(*_IMPORT_PROBLEMS),
    },
    openapi_extra=_BODY,
)
async def post_dhis2_data_value_sets(
    request: Request,
    session: SessionDep,
    principal: Reporter,
    catalogue: Catalogue,
    parameters: ImportParametersDep,
) -> Response:
    outcome = await _import(request, session, principal, catalogue, parameters, DHIS2_ATOMIC_MODE)
    return _respond(outcome if isinstance(outcome, Answer) else dhis2_answer(outcome, None))


@router.post(
    "/{api_version:int}/dataValueSets",
    tags=DHIS2,
    summary="DHIS2's versioned path (/api/40/dataValueSets); versions before 38 answer the bare summary",
    response_model=WebMessage,
    responses={
        409: {"model": WebMessage, "description": "Conflicts (WARNING), or nothing stored (ERROR)"},
        **problem_responses(*_IMPORT_PROBLEMS, NotFound),
    },
    openapi_extra=_BODY,
)
async def post_dhis2_versioned_data_value_sets(
    request: Request,
    session: SessionDep,
    principal: Reporter,
    catalogue: Catalogue,
    parameters: ImportParametersDep,
    api_version: Annotated[int, Path(description="DHIS2's API version, e.g. 40")],
) -> Response:
    version = _api_version(api_version)
    outcome = await _import(request, session, principal, catalogue, parameters, DHIS2_ATOMIC_MODE)
    return _respond(outcome if isinstance(outcome, Answer) else dhis2_answer(outcome, version))


JobId = Annotated[uuid.UUID, Path(description="The id in the job's relativeNotifierEndpoint")]


@router.get(
    "/system/taskSummaries/DATAVALUE_IMPORT/{job_id}",
    tags=DHIS2,
    summary="The import summary of an async=true import (DHIS2's path)",
    response_model=ImportSummary,
    responses=problem_responses(JobNotFound),
)
async def get_job_summary(session: SessionDep, principal: AnyUser, job_id: JobId) -> Response:
    _, summary = await service.job(session, principal, job_id)
    return JSONResponse(summary)


@router.get(
    "/system/tasks/DATAVALUE_IMPORT/{job_id}",
    tags=DHIS2,
    summary="The notifications of an async=true import (DHIS2's path): done by the time it was answered",
    responses=problem_responses(JobNotFound),
)
async def get_job_notifications(
    session: SessionDep, principal: AnyUser, job_id: JobId
) -> list[JobNotificationOut]:
    record, _ = await service.job(session, principal, job_id)
    return job_notifications(str(job_id), record.created_at)


@router.get(
    "/v1/data-values",
    summary="Stored values, with who stored them and when",
    responses=problem_responses(service.UnknownFilter),
)
async def list_data_values(
    session: SessionDep,
    principal: AnyUser,
    catalogue: Catalogue,
    limit: Limit = 50,
    cursor: Cursor = None,
    indicator: Annotated[list[str] | None, Query()] = None,
    org_unit: Annotated[list[str] | None, Query()] = None,
    period: Annotated[list[str] | None, Query()] = None,
) -> Page[DataValueOut]:
    return await service.list_values(session, catalogue, indicator, org_unit, period, limit, cursor)


@router.get(
    "/v1/data-values/history",
    summary="Every change of the selected values (revisions)",
    responses=problem_responses(service.UnknownFilter),
)
async def list_revisions(
    session: SessionDep,
    principal: AnyUser,
    catalogue: Catalogue,
    limit: Limit = 50,
    cursor: Cursor = None,
    indicator: Annotated[list[str] | None, Query()] = None,
    org_unit: Annotated[list[str] | None, Query()] = None,
    period: Annotated[list[str] | None, Query()] = None,
) -> Page[RevisionOut]:
    return await service.list_revisions(session, catalogue, indicator, org_unit, period, limit, cursor)


@router.get(
    "/v1/period-locks",
    summary="Periods closed for data entry, by the period's start",
    responses=problem_responses(InvalidCursor),
)
async def list_period_locks(
    session: SessionDep, principal: AnyUser, catalogue: Catalogue, limit: Limit = 50, cursor: Cursor = None
) -> Page[PeriodLockOut]:
    return await service.list_locks(session, catalogue, limit=limit, cursor=cursor)


@router.post(
    "/v1/period-locks",
    status_code=201,
    summary="Close a period (and every period inside it) for data entry",
    responses=problem_responses(NotFound, service.LockExists, BadRequest),
)
async def create_period_lock(
    session: SessionDep, principal: CatalogueEditor, catalogue: Catalogue, body: PeriodLockIn
) -> PeriodLockOut:
    return await service.create_lock(session, catalogue, principal, body)


@router.delete(
    "/v1/period-locks/{lock_id}",
    status_code=204,
    summary="Reopen a period",
    responses=problem_responses(NotFound),
)
async def delete_period_lock(session: SessionDep, principal: CatalogueEditor, lock_id: RowId) -> Response:
    await service.delete_lock(session, lock_id)
    return Response(status_code=204)
