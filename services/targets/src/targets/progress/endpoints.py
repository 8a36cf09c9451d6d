"""HTTP for progress: for signed-in users any plan and org unit; for the public the province's progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from shared import clock
from shared.auth import PUBLIC, AnyUser
from shared.bounds import Day, RowId
from shared.database import DatabaseDep, SessionDep
from shared.problems import NotFound, problem_responses
from targets.deps import Catalogue, ServiceSettings
from targets.org_units.service import OrgUnitNotFound
from targets.plans.service import PlanNotFound, TargetNotFound
from targets.progress.schemas import ProgressReport, TargetProgressSeries
from targets.progress.service import (
    CachedReport,
    ProgressCache,
    TargetNotCovered,
    progress_report,
    series_document,
    target_series,
)

router = APIRouter(tags=["progress"])


# async: a plain "def" dependency would be run in a worker thread, costing more than the lookup itself.
async def get_progress_cache(request: Request) -> ProgressCache:
    cache: Any = request.app.state.progress_cache
    assert isinstance(cache, ProgressCache)  # noqa: S101 - set by create_app
    return cache


ProgressCacheDep = Annotated[ProgressCache, Depends(get_progress_cache)]
Plan = Annotated[
    str | None,
    Query(max_length=50, description="Plan code; default: the latest plan that had started by `at`"),
]
At = Annotated[
    Day | None,
    Query(description="Judge with the years ended by this date; default: today"),
]


def _answer(report: CachedReport, request: Request, cache_control: str) -> Response:
    headers = {"ETag": report.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and report.etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(report.gzipped, media_type="application/json", headers=headers)
    return Response(report.body, media_type="application/json", headers=headers)


@router.get(
    "/v1/progress",
    summary="One row per target: latest value, status, percent of target, projection to the plan's end",
    response_model=ProgressReport,
    responses=problem_responses(PlanNotFound, OrgUnitNotFound, NotFound),
)
async def get_progress(
    request: Request,
    database: DatabaseDep,
    principal: AnyUser,
    catalogue: Catalogue,
    cache: ProgressCacheDep,
    plan: Plan = None,
    org_unit: Annotated[str | None, Query(max_length=50, description="Default: the plan's unit")] = None,
    at: At = None,
) -> Response:
    report = await progress_report(database, catalogue, cache, plan, org_unit, at or clock.today())
    return _answer(report, request, "private, no-cache")


@router.get(
    "/v1/public/progress",
    summary="A plan's progress for an org unit (default: the plan's own), for everyone (no login)",
    response_model=ProgressReport,
    responses=problem_responses(PlanNotFound, OrgUnitNotFound, NotFound),
    dependencies=[PUBLIC],
)
async def get_public_progress(
    request: Request,
    settings: ServiceSettings,
    database: DatabaseDep,
    catalogue: Catalogue,
    cache: ProgressCacheDep,
    plan: Plan = None,
    org_unit: Annotated[str | None, Query(max_length=50, description="Default: the plan's unit")] = None,
    at: At = None,
) -> Response:
    # A commune's progress is as public as the province's (docs/decisions.md, "Public progress by unit").
    # It may be a few seconds behind the data (docs/decisions.md, "Public progress, a few seconds behind").
    report = await progress_report(
        database,
        catalogue,
        cache,
        plan,
        org_unit,
        at or clock.today(),
        max_staleness=settings.public_progress_max_staleness_seconds,
    )
    return _answer(report, request, "public, max-age=60")


@router.get(
    "/v1/targets/{target_id}/progress",
    summary="One target for one org unit, period by period: its value, status and projection as each ended",
    responses=problem_responses(TargetNotFound, OrgUnitNotFound, TargetNotCovered),
)
async def get_target_progress(
    session: SessionDep,
    principal: AnyUser,
    catalogue: Catalogue,
    target_id: RowId,
    org_unit: Annotated[
        str | None, Query(max_length=50, description="Default: the target's own unit")
    ] = None,
    at: At = None,
) -> TargetProgressSeries:
    progress, judged = await target_series(session, catalogue, target_id, org_unit, at or clock.today())
    return series_document(progress, judged)
