"""HTTP for results: ``POST /v1/data-value-sets`` (DHIS2), values, their history, and period locks."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from shared.auth import AnyUser
from shared.body import MalformedPayload, read_body
from shared.bounds import RowId
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import (
    BadRequest,
    ContentTooLarge,
    NotFound,
    UnsupportedMediaType,
    problem_responses,
)
from targets.deps import Catalogue, CatalogueEditor, Reporter
from targets.results import service
from targets.results.checks import (
    STRATEGY_ALIASES,
    AtomicMode,
    ImportOptions,
    ImportResult,
    ImportStatus,
    ImportStrategy,
)
from targets.results.formats import parse_csv, parse_json
from targets.results.schemas import (
    ConflictOut,
    DataValueOut,
    ImportCount,
    ImportOptionsOut,
    ImportSummary,
    PeriodLockIn,
    PeriodLockOut,
    RevisionOut,
)

router = APIRouter(tags=["results"])

MAX_BODY_BYTES = 50 * 1024 * 1024
JSON_TYPES = frozenset({"application/json"})
CSV_TYPES = frozenset({"text/csv", "application/csv"})


class InvalidOption(BadRequest):
    slug = "invalid-option"
    title = "Invalid import option"


def _options(
    dry_run: bool, import_strategy: str, atomic_mode: str, id_schemes: list[str | None]
) -> ImportOptions:
    strategy = STRATEGY_ALIASES.get(import_strategy.upper(), import_strategy.upper())
    if strategy not in ImportStrategy.__members__:
        raise InvalidOption(
            f"importStrategy must be one of {', '.join(ImportStrategy)}, not {import_strategy!r}.",
            parameter="importStrategy",
        )
    if atomic_mode.upper() not in AtomicMode.__members__:
        raise InvalidOption(f"atomicMode must be ALL or NONE, not {atomic_mode!r}.", parameter="atomicMode")
    for scheme in id_schemes:
        if scheme is not None and scheme.upper() != "CODE":
            raise InvalidOption(f"Only codes identify objects here (idScheme=CODE), not {scheme!r}.")
    return ImportOptions(
        dry_run=dry_run, strategy=ImportStrategy(strategy), atomic_mode=AtomicMode(atomic_mode.upper())
    )


def _summary(result: ImportResult) -> ImportSummary:
    count = ImportCount(
        imported=result.imported, updated=result.updated, ignored=result.ignored, deleted=result.deleted
    )
    if result.status is ImportStatus.ERROR:
        description = "Import failed: conflicts with atomicMode=ALL; nothing was stored."
    elif result.options.dry_run:
        description = "Dry run: nothing was stored; the counts say what the import would do."
    else:
        description = "Import process completed successfully" + (
            " with conflicts; the values without conflicts were stored." if result.conflicts else "."
        )
    return ImportSummary(
        status=result.status.value,
        description=description,
        import_options=ImportOptionsOut(
            dry_run=result.options.dry_run,
            import_strategy=result.options.strategy.value,
            atomic_mode=result.options.atomic_mode.value,
        ),
        import_count=count,
        conflicts=[
            ConflictOut(
                object=conflict.object,
                value=conflict.value,
                error_code=conflict.error_code,
                property=conflict.property,
                indexes=conflict.indexes,
            )
            for conflict in result.conflicts
        ],
        import_id=result.import_id,
    )


@router.post(
    "/v1/data-value-sets",
    summary="Post results in DHIS2's dataValueSets format (JSON or CSV)",
    response_model=ImportSummary,
    responses={
        409: {"model": ImportSummary, "description": "Conflicts with atomicMode=ALL: nothing stored"},
        **problem_responses(MalformedPayload, UnsupportedMediaType, ContentTooLarge, InvalidOption),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def post_data_value_sets(
    request: Request,
    session: SessionDep,
    principal: Reporter,
    catalogue: Catalogue,
    dry_run: Annotated[bool, Query(alias="dryRun")] = False,
    import_strategy: Annotated[str, Query(alias="importStrategy")] = "CREATE_AND_UPDATE",
    atomic_mode: Annotated[str, Query(alias="atomicMode")] = "ALL",
    id_scheme: Annotated[str | None, Query(alias="idScheme")] = None,
    data_element_id_scheme: Annotated[str | None, Query(alias="dataElementIdScheme")] = None,
    org_unit_id_scheme: Annotated[str | None, Query(alias="orgUnitIdScheme")] = None,
) -> Response:
    options = _options(
        dry_run, import_strategy, atomic_mode, [id_scheme, data_element_id_scheme, org_unit_id_scheme]
    )
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES | CSV_TYPES:
        raise UnsupportedMediaType(
            "Send application/json or text/csv (DHIS2 dataValueSets), "
            f"not {media_type or 'no content type'}.",
            accepted=sorted(JSON_TYPES | CSV_TYPES),
        )
    body = await read_body(request, MAX_BODY_BYTES)
    payload_format = "json" if media_type in JSON_TYPES else "csv"
    rows = parse_json(body) if payload_format == "json" else parse_csv(body)
    result = await service.import_values(
        session,
        catalogue,
        principal,
        rows,
        options,
        payload_format=payload_format,
        payload_sha256=hashlib.sha256(body).hexdigest(),
    )
    summary = _summary(result).model_dump(mode="json", by_alias=True)
    return JSONResponse(summary, status_code=409 if result.status is ImportStatus.ERROR else 200)


@router.get("/v1/data-values", summary="Stored values, with who stored them and when")
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


@router.get("/v1/data-values/history", summary="Every change of the selected values (revisions)")
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
    responses=problem_responses(NotFound),
)
async def create_period_lock(
    session: SessionDep, principal: CatalogueEditor, catalogue: Catalogue, body: PeriodLockIn
) -> PeriodLockOut:
    return await service.create_lock(session, catalogue, principal, body)


@router.delete("/v1/period-locks/{lock_id}", status_code=204, summary="Reopen a period")
async def delete_period_lock(session: SessionDep, principal: CatalogueEditor, lock_id: RowId) -> Response:
    await service.delete_lock(session, lock_id)
    return Response(status_code=204)
