"""Evidence: target progress read from the targets service and kept with the dossier as it was read.

A council reading a dossier years later must see the figures the nominating unit relied on, not today's
(results get corrected, plans revised). So the report is fetched over HTTP with the caller's own token (the
targets service applies its own permissions), stored as received, and only ever read back from storage.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.evidence import repository
from nominations.evidence.models import EvidenceSnapshot
from nominations.evidence.schemas import EvidenceIn, EvidenceOut
from nominations.nominations import service as nominations
from nominations.nominations import workflow
from nominations.nominations.attempt import Attempt
from nominations.nominations.models import Nomination
from nominations.nominations.workflow import Action
from nominations.org_scope import ScopeCheck, TargetsUnavailable
from nominations.rounds.models import Round
from shared import clock
from shared.pagination import Page, encode_cursor
from shared.problems import Forbidden, NotFound, UnprocessableContent


class EvidenceSourceInvalid(UnprocessableContent):
    slug = "evidence-source-invalid"
    title = "The targets service has no such progress report"


class EvidenceNotFound(NotFound):
    slug = "evidence-not-found"
    title = "Evidence snapshot not found"


class EvidenceForbidden(Forbidden):
    slug = "evidence-forbidden"
    title = "The targets service refused to show this progress to you"


def to_out(snapshot: EvidenceSnapshot) -> EvidenceOut:
    return EvidenceOut(
        id=snapshot.id,
        nomination_id=snapshot.nomination_id,
        plan=snapshot.plan,
        org_unit=snapshot.org_unit,
        at=snapshot.at,
        target_ids=snapshot.target_ids,
        source=snapshot.source,
        snapshot=snapshot.snapshot,
        fetched_by=snapshot.fetched_by,
        fetched_at=snapshot.fetched_at,
    )


def _detail(body: Any) -> str:
    return str(body.get("detail") or body.get("title") or "") if isinstance(body, dict) else ""


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _keep(report: dict[str, Any], target_ids: list[int]) -> dict[str, Any]:
    """The report with only the rows of ``target_ids``; its summary counts the rows kept."""
    wanted = set(target_ids)
    found = {row.get("target_id") for row in report["items"] if isinstance(row, dict)}
    missing = sorted(wanted - found)
    if missing:
        raise EvidenceSourceInvalid(
            f"The progress report of {report.get('org_unit')} has no target "
            + ", ".join(str(target) for target in missing)
            + ".",
            errors=[{"name": "target_ids", "reason": f"not in the report: {missing}"}],
        )
    items = [row for row in report["items"] if row.get("target_id") in wanted]
    summary: dict[str, int] = {}
    for row in items:
        summary[str(row.get("status"))] = summary.get(str(row.get("status")), 0) + 1
    return {**report, "summary": summary, "items": items}


async def fetch_report(
    scope: ScopeCheck, *, org_unit: str, at: dt.date, plan: str | None
) -> tuple[str, dict[str, Any]]:
    """The progress report and its URL; a unit or plan the targets service does not know is a 422."""
    url, response = await scope.targets.progress(scope.token, org_unit=org_unit, at=at, plan=plan)
    body = _json(response)
    if response.status_code in {404, 422}:
        named = f"org unit {org_unit}" + (f", plan {plan}" if plan else "") + f" on {at}"
        raise EvidenceSourceInvalid(
            f"The targets service has no progress for {named}: {_detail(body) or response.status_code}.",
            errors=[
                {"name": name, "reason": "unknown to the targets service"}
                for name in (["org_unit", "plan"] if plan else ["org_unit"])
            ],
            org_unit=org_unit,
            plan=plan,
        )
    if response.status_code in {401, 403}:
        raise EvidenceForbidden(f"The targets service refused the progress of {org_unit}: {_detail(body)}")
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise TargetsUnavailable(
            f"The targets service answered {response.status_code} without a progress report; try later."
        )
    return url, body


async def capture(
    session: AsyncSession, scope: ScopeCheck, nomination: Nomination, round_: Round, body: EvidenceIn
) -> EvidenceSnapshot:
    """Read the progress now and keep it with the dossier, while the nominating unit may still edit it.

    Nothing is stored unless the whole report was read: the targets service being down is a 503.
    """
    day = round_.reference_date
    await workflow.check(Attempt(session, scope, nomination, round_), Action.CAPTURE_EVIDENCE)
    own = nomination.nominee_org_unit
    org_unit = body.org_unit or own
    if org_unit != own:
        # A dossier shows the nominee's unit's results (or a unit below it), never a better neighbour's.
        hierarchy = await scope.targets.hierarchy(day, scope.token)
        if not hierarchy.within(org_unit, own):
            raise EvidenceSourceInvalid(
                f"Evidence comes from the nominee's unit {own} or a unit below it on {day}, not {org_unit}.",
                errors=[{"name": "org_unit", "reason": "outside the nominee's unit"}],
                org_unit=org_unit,
            )
    at = body.at or day
    url, report = await fetch_report(scope, org_unit=org_unit, at=at, plan=body.plan)
    if body.target_ids:
        report = _keep(report, body.target_ids)
    # The fetch took time: lock the nomination; the transition checks it again, so a submission in between
    # wins cleanly (the snapshot is rolled back with the refusal).
    await nominations.lock_one(session, nomination)
    now = clock.now()
    attempt = Attempt(session, scope, nomination, round_, now=now)
    snapshot = EvidenceSnapshot(
        nomination_id=nomination.id,
        plan=str(report.get("plan") or body.plan or "") or None,
        org_unit=org_unit,
        at=at,
        target_ids=sorted(set(body.target_ids or [])),
        source=url,
        snapshot=report,
        fetched_by=scope.principal.subject,
        fetched_at=now,
    )
    session.add(snapshot)
    await session.flush()
    attempt.details = {
        "snapshot_id": snapshot.id,
        "org_unit": org_unit,
        "plan": snapshot.plan,
        "at": at.isoformat(),
        "rows": len(report["items"]),
        "source": url,
    }
    await workflow.transition(attempt, Action.CAPTURE_EVIDENCE)
    return snapshot


async def snapshots(
    session: AsyncSession, nomination_id: int, *, limit: int, after_id: int | None
) -> Page[EvidenceOut]:
    """Oldest first, as they were read."""
    rows = await repository.of_nomination(session, nomination_id, limit=limit, after_id=after_id)
    items = [to_out(row) for row in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


async def snapshot(session: AsyncSession, nomination_id: int, snapshot_id: int) -> EvidenceSnapshot:
    found = await repository.get(session, snapshot_id)
    if found is None or found.nomination_id != nomination_id:
        raise EvidenceNotFound(f"Nomination {nomination_id} has no evidence snapshot {snapshot_id}.")
    return found
