"""HTTP for progress downloads: the report of a plan for a unit and the units below it, a target's chart."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from shared import clock
from shared.auth import PUBLIC, AnyUser
from shared.bounds import RowId
from shared.database import DatabaseDep
from shared.downloads import content_disposition, file_chunks
from shared.problems import problem_responses
from shared.spreadsheets import XLSX_MEDIA_TYPE, build_workbook
from targets.deps import Catalogue, ServiceSettings
from targets.org_units.service import OrgUnitNotFound
from targets.plans.service import PlanNotFound, TargetNotFound
from targets.progress.endpoints import At, Plan
from targets.progress.service import CachedReport, ProgressCache, TargetNotCovered
from targets.reports.formats import csv_chunks, json_chunks, write_workbook
from targets.reports.schemas import ProgressTreeReport, ReportFormat
from targets.reports.service import NotModified, PreparedReport, ReportTooLarge, chart_svg, prepare_report

router = APIRouter(tags=["progress"])

MEDIA_TYPES: Final = {
    ReportFormat.JSON: "application/json",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.XLSX: XLSX_MEDIA_TYPE,
}
SVG_MEDIA_TYPE: Final = "image/svg+xml"


# async: a plain "def" dependency would be run in a worker thread, costing more than the lookup itself.
async def get_chart_cache(request: Request) -> ProgressCache:
    cache: Any = request.app.state.chart_cache
    assert isinstance(cache, ProgressCache)  # noqa: S101 - set by create_app
    return cache


ChartCache = Annotated[ProgressCache, Depends(get_chart_cache)]


def _if_none_match(request: Request) -> frozenset[str]:
    header = request.headers.get("if-none-match", "")
    return frozenset(tag.strip() for tag in header.split(",") if tag.strip())


def _not_modified(etag: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "private, no-cache"})


def _filename(report: PreparedReport, extension: str) -> str:
    progress = report.progress
    return f"Tiến độ {progress.plan.code} - {report.root.name} - {progress.at.isoformat()}.{extension}"


@router.get(
    "/v1/progress/report",
    summary="A plan's progress for an org unit and the units below it: JSON, CSV or Excel (a sheet per area)",
    response_model=None,
    responses={
        200: {
            "model": ProgressTreeReport,
            "content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}},
            "description": "The report, streamed; `Content-Disposition` names the file (except for JSON)",
        },
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
        **problem_responses(PlanNotFound, OrgUnitNotFound, ReportTooLarge),
    },
)
async def get_progress_report(
    request: Request,
    database: DatabaseDep,
    principal: AnyUser,
    catalogue: Catalogue,
    settings: ServiceSettings,
    plan: Plan = None,
    org_unit: Annotated[str | None, Query(max_length=50, description="Default: the plan's unit")] = None,
    at: At = None,
    format: Annotated[ReportFormat, Query(description="json, csv or xlsx")] = ReportFormat.JSON,
) -> Response:
    prepared = await prepare_report(
        database,
        catalogue,
        plan,
        org_unit,
        at or clock.today(),
        format,
        max_rows=settings.report_max_rows,
        if_none_match=_if_none_match(request),
    )
    if isinstance(prepared, NotModified):
        return _not_modified(prepared.etag)
    headers = {"ETag": prepared.etag, "Cache-Control": "private, no-cache"}
    if format is ReportFormat.JSON:
        return StreamingResponse(json_chunks(prepared), media_type=MEDIA_TYPES[format], headers=headers)
    headers["Content-Disposition"] = content_disposition(_filename(prepared, format.value))
    if format is ReportFormat.CSV:
        return StreamingResponse(csv_chunks(prepared), media_type=MEDIA_TYPES[format], headers=headers)
    # A workbook is complete only once closed: it is written (CPU-bound, off the event loop) to a temporary
    # file in constant memory, then streamed from it.
    created = clock.now()
    workbook = await run_in_threadpool(
        build_workbook,
        lambda book: write_workbook(prepared, book),
        created=created,
        title=_filename(prepared, "xlsx").removesuffix(".xlsx"),
    )
    return StreamingResponse(file_chunks(workbook), media_type=MEDIA_TYPES[format], headers=headers)


# The signed-in and the public chart answer alike.
CHART_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {SVG_MEDIA_TYPE: {}}, "description": "A standalone SVG without scripts"},
    304: {"description": "Not modified since the ETag sent in If-None-Match"},
    **problem_responses(TargetNotFound, OrgUnitNotFound, TargetNotCovered),
}
ChartUnit = Annotated[str | None, Query(max_length=50, description="Default: the target's own unit")]


@router.get(
    "/v1/targets/{target_id}/chart.svg",
    summary="A target's values by period, its target line and its projection, as an SVG to embed",
    response_model=None,
    responses=CHART_RESPONSES,
)
async def get_target_chart(
    request: Request,
    database: DatabaseDep,
    principal: AnyUser,
    catalogue: Catalogue,
    cache: ChartCache,
    target_id: RowId,
    org_unit: ChartUnit = None,
    at: At = None,
) -> Response:
    chart = await chart_svg(database, catalogue, cache, target_id, org_unit, at or clock.today())
    return _chart_answer(request, chart, target_id, "private, no-cache")


@router.get(
    "/v1/public/targets/{target_id}/chart.svg",
    summary="A target's chart, for everyone (no login): the same SVG as /v1/targets/{id}/chart.svg",
    response_model=None,
    responses=CHART_RESPONSES,
    dependencies=[PUBLIC],
)
async def get_public_target_chart(
    request: Request,
    database: DatabaseDep,
    catalogue: Catalogue,
    cache: ChartCache,
    target_id: RowId,
    org_unit: ChartUnit = None,
    at: At = None,
) -> Response:
    chart = await chart_svg(database, catalogue, cache, target_id, org_unit, at or clock.today())
    return _chart_answer(request, chart, target_id, "public, max-age=60")


def _chart_answer(request: Request, chart: CachedReport, target_id: int, cache_control: str) -> Response:
    headers = {"ETag": chart.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if chart.etag in _if_none_match(request):
        return Response(status_code=304, headers=headers)
    headers |= {
        "Content-Disposition": content_disposition(f"Biểu đồ mục tiêu {target_id}.svg", inline=True),
        # Opened on its own, the SVG may run nothing and load nothing (it has no script; this says so).
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    }
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(chart.gzipped, media_type=SVG_MEDIA_TYPE, headers=headers)
    return Response(chart.body, media_type=SVG_MEDIA_TYPE, headers=headers)
