"""HTTP for the awards registry: the public search, the staff's full rows, the import of past awards."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from nominations.deps import RegistryEditor, RegistryReader
from nominations.org_scope import (
    Hierarchy,
    OutOfScope,
    Targets,
    TargetsUnavailable,
    acts_province_wide,
    bearer_token,
)
from nominations.registry import csv_rows, service
from nominations.registry.models import Award
from nominations.registry.schemas import AwardPublic, AwardRecord, ImportOut
from shared.auth import PUBLIC
from shared.body import MalformedPayload, read_body
from shared.database import SessionDep
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import ContentTooLarge, UnsupportedMediaType, problem_responses

router = APIRouter(tags=["awards registry"])

MAX_IMPORT_BYTES = 25 * 1024 * 1024  # the gateway's limit for the nominations service
CSV_TYPES = frozenset({"text/csv", "application/csv"})

Words = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Words of the recipient's or unit's name, the award or the decision number; "
        "diacritics optional, whole words, all must match",
        examples=["nguyen thi ha"],
    ),
]
Year = Annotated[int | None, Query(ge=csv_rows.MIN_YEAR, le=csv_rows.MAX_YEAR)]
AwardTypeCode = Annotated[str | None, Query(min_length=1, max_length=50, examples=["CSTD_CO_SO"])]
Area = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=50,
        description="An org unit: its awards and those of the units below it, as they stood when decided",
    ),
]


def _public(page: Page[Award]) -> Page[AwardPublic]:
    return Page(items=[AwardPublic.model_validate(a) for a in page.items], next_cursor=page.next_cursor)


@router.get(
    "/v1/public/awards",
    summary="The public awards registry: search by name without diacritics, by year, award type and area",
    responses=problem_responses(InvalidCursor),
    dependencies=[PUBLIC],
)
async def search_public_awards(
    session: SessionDep,
    q: Words = None,
    year: Year = None,
    award_type: AwardTypeCode = None,
    org_unit: Area = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AwardPublic]:
    return _public(await service.search_public(session, q, year, award_type, org_unit, limit, cursor))


@router.get(
    "/v1/awards",
    summary="Award history rows in full (recipient key, bonus); unit officers see their own area only",
    responses=problem_responses(InvalidCursor, OutOfScope),
)
async def list_awards(
    session: SessionDep,
    principal: RegistryReader,
    recipient_key: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    q: Words = None,
    year: Year = None,
    award_type: AwardTypeCode = None,
    org_unit: Area = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AwardRecord]:
    areas = [org_unit] if org_unit else []
    if not acts_province_wide(principal):
        if principal.org_unit is None:
            raise OutOfScope("Your account names no org unit, so no awards are within your scope.")
        areas.append(principal.org_unit)
    page = await service.search_history(
        session,
        recipient_key=recipient_key,
        q=q,
        year=year,
        award_type=award_type,
        areas=areas,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[AwardRecord.model_validate(a) for a in page.items], next_cursor=page.next_cursor)


@router.post(
    "/v1/awards/import",
    summary="Import past awards from a CSV file (secretariat, admin); all rows or none",
    responses=problem_responses(
        csv_rows.InvalidAwardsFile,
        UnsupportedMediaType,
        ContentTooLarge,
        MalformedPayload,
        TargetsUnavailable,
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "UTF-8 (with or without BOM), a header row, then one award per row; columns: "
            + ", ".join((*csv_rows.REQUIRED_COLUMNS, *csv_rows.OPTIONAL_COLUMNS))
            + " (the last three optional). Dates YYYY-MM-DD.",
        }
    },
)
async def import_awards(
    request: Request, session: SessionDep, principal: RegistryEditor, targets: Targets
) -> ImportOut:
    content_type = request.headers.get("content-type", "")
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    charsets = {
        value.strip('"') for name, _, value in (p.partition("=") for p in parameters) if name == "charset"
    }
    if media_type not in CSV_TYPES or not charsets <= {"utf-8", "utf8"}:
        raise UnsupportedMediaType(
            f"Send the awards as text/csv in UTF-8, not {content_type or 'no content type'}.",
            accepted=sorted(CSV_TYPES),
        )
    body = await read_body(request, MAX_IMPORT_BYTES)
    token = bearer_token(request)

    async def hierarchy_for(day: dt.date) -> Hierarchy:
        return await targets.hierarchy(day, token)

    outcome = await service.import_csv(session, body, principal.subject, hierarchy_for)
    return ImportOut(imported=outcome.imported, ignored=outcome.ignored)
