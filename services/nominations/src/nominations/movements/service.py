"""Movements of a plan (Kế hoạch thi đua 2021-2025, section III): what the record says of each, the targets it
serves (read from the targets service), its reviews, which open award rounds, and the units taking part."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from nominations.movements import repository
from nominations.movements.models import Milestone, Movement, MovementTarget, Registration, UnitReport
from nominations.movements.schemas import (
    Figure,
    MilestoneIn,
    MilestoneOut,
    MilestoneRoundIn,
    MovementIn,
    MovementOut,
    MovementPatch,
    RegistrationIn,
    RegistrationOut,
    TargetLink,
    UnitReportIn,
    UnitReportOut,
)
from nominations.org_scope import ScopeCheck, TargetsClient, TargetsUnavailable, acts_province_wide
from nominations.rounds import service as rounds
from nominations.rounds.models import Round, RoundKind
from nominations.rounds.schemas import RoundIn
from shared import clock
from shared.pagination import Page, as_code, as_id, decode_keyset, encode_cursor
from shared.problems import BadRequest, Conflict, NotFound, UnprocessableContent

log = logging.getLogger(__name__)


class MovementNotFound(NotFound):
    slug = "movement-not-found"
    title = "Movement not found"


class MovementExists(Conflict):
    slug = "movement-exists"
    title = "A movement with this code exists"


class MovementTargetUnknown(UnprocessableContent):
    slug = "movement-target-unknown"
    title = "The targets service has no such target"


class MilestoneNotFound(NotFound):
    slug = "milestone-not-found"
    title = "The movement has no such review"


class MilestoneRoundExists(Conflict):
    slug = "milestone-round-exists"
    title = "This review has opened its round already"


class MovementNotRunning(Conflict):
    slug = "movement-not-running"
    title = "The movement is not running on that day"


class MovementUnitUnknown(UnprocessableContent):
    slug = "movement-unit-unknown"
    title = "No such org unit on that day"


class UnitRequired(BadRequest):
    slug = "movement-unit-required"
    title = "Say which unit (org_unit): your token names none"


class AlreadyRegistered(Conflict):
    slug = "movement-already-registered"
    title = "The unit is registered for this movement already"


class NotRegistered(Conflict):
    slug = "movement-not-registered"
    title = "The unit has not registered for this movement"


class ReportYearOutside(UnprocessableContent):
    slug = "movement-report-year-outside"
    title = "The year is outside the movement's period"


class ReportExists(Conflict):
    slug = "movement-report-exists"
    title = "The unit has reported on this movement for this year already"


def _out(
    movement: Movement, links: Sequence[MovementTarget], milestones: Sequence[Milestone], registered: int
) -> MovementOut:
    return MovementOut(
        code=movement.code,
        name=movement.name,
        kind=movement.kind,
        theme=movement.theme,
        launched_by=movement.launched_by,
        launch_source=movement.launch_source,
        plan_code=movement.plan_code,
        plan_section=movement.plan_section,
        area=movement.area,
        starts_on=movement.starts_on,
        ends_on=movement.ends_on,
        source_text=movement.source_text,
        verification=movement.verification,
        target_ids=sorted(link.target_id for link in links if link.target_id is not None),
        targets=[
            TargetLink(id=link.target_id, plan=link.plan, indicator=link.indicator, org_unit=link.org_unit)
            for link in links
        ],
        milestones=[
            MilestoneOut(
                kind=milestone.kind,
                name=milestone.name,
                review_on=milestone.review_on,
                source=milestone.source,
                round_id=milestone.round_id,
            )
            for milestone in milestones
        ],
        registered_units=registered,
        version=movement.version,
    )


async def outs(session: AsyncSession, movements: Sequence[Movement]) -> list[MovementOut]:
    ids = [movement.id for movement in movements]
    links: dict[int, list[MovementTarget]] = defaultdict(list)
    for link in await repository.links(session, ids):
        links[link.movement_id].append(link)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in await repository.milestones(session, ids):
        milestones[milestone.movement_id].append(milestone)
    counts = await repository.registered_counts(session, ids)
    return [_out(m, links[m.id], milestones[m.id], counts.get(m.id, 0)) for m in movements]


async def resolve_links(
    session: AsyncSession, targets: TargetsClient, token: str | None, movements: Sequence[Movement]
) -> None:
    """Give the links loaded before the targets service answered (the seed) their target ids. A staff
    read does it, with the caller's token; the targets service being down leaves them for the next read."""
    unresolved = [
        link for link in await repository.links(session, [m.id for m in movements]) if link.target_id is None
    ]
    if not unresolved or token is None:
        return
    resolved: list[tuple[MovementTarget, int]] = []
    try:
        for plan in sorted({link.plan for link in unresolved}):
            ids = await targets.plan_targets(plan, token)
            resolved.extend(
                (link, ids[(link.indicator, link.org_unit)])
                for link in unresolved
                if link.plan == plan and (link.indicator, link.org_unit) in ids
            )
    except TargetsUnavailable as exc:
        log.warning("movement target links left unresolved: %s", exc.detail)
        return
    await repository.set_target_ids(session, resolved)
    for link, target_id in resolved:
        link.target_id = target_id


async def get(session: AsyncSession, code: str) -> Movement:
    movement = await repository.by_code(session, code)
    if movement is None:
        raise MovementNotFound(f"No movement has the code {code!r}.")
    return movement


async def list_movements(
    session: AsyncSession,
    targets: TargetsClient | None,
    token: str | None,
    *,
    area: str | None,
    plan: str | None,
    limit: int,
    cursor: str | None,
) -> Page[MovementOut]:
    after = decode_keyset(cursor, as_code)
    rows = await repository.page(
        session, area=area, plan=plan, limit=limit, after=after[0] if after else None
    )
    shown = rows[:limit]
    if targets is not None:
        await resolve_links(session, targets, token, shown)
    return Page(
        items=await outs(session, shown),
        next_cursor=encode_cursor([shown[-1].code]) if len(rows) > limit else None,
    )


async def _links_of(
    targets: TargetsClient, token: str | None, plan: str, target_ids: Sequence[int]
) -> list[MovementTarget]:
    """The targets named by id, read from the targets service; each must be a target of the movement's
    plan."""
    links: list[MovementTarget] = []
    for index, target_id in enumerate(target_ids):
        target = await targets.target(target_id, token)
        if target is None or target["plan"] != plan:
            raise MovementTargetUnknown(
                f"Target {target_id} is not a target of the plan {plan} in the targets service.",
                errors=[{"name": f"target_ids[{index}]", "reason": "no such target in the plan"}],
            )
        links.append(
            MovementTarget(
                plan=plan, indicator=target["indicator"], org_unit=target["org_unit"], target_id=target_id
            )
        )
    return links


def milestone_rows(movement_id: int, milestones: Sequence[MilestoneIn]) -> list[Milestone]:
    return [
        Milestone(
            movement_id=movement_id,
            kind=milestone.kind.value,
            name=milestone.name,
            review_on=milestone.review_on,
            source=milestone.source,
        )
        for milestone in milestones
    ]


async def create(
    session: AsyncSession, targets: TargetsClient, token: str | None, body: MovementIn, actor: str
) -> Movement:
    links = await _links_of(targets, token, body.plan_code, body.target_ids)
    fields = body.model_dump(exclude={"target_ids", "milestones"})
    movement = Movement(**fields, created_by=actor, seeded=False)
    try:
        async with session.begin_nested():
            session.add(movement)
            await session.flush()
    except IntegrityError:
        raise MovementExists(f"A movement with the code {body.code!r} exists.") from None
    for link in links:
        link.movement_id = movement.id
    await repository.replace_links(session, movement.id, links)
    await repository.replace_milestones(session, movement.id, milestone_rows(movement.id, body.milestones))
    return movement


async def update(
    session: AsyncSession,
    targets: TargetsClient,
    token: str | None,
    movement: Movement,
    body: MovementPatch,
) -> None:
    """Change the record; a review that opened its round keeps it (its day and kind are the round's)."""
    given = body.model_dump(exclude_unset=True, exclude={"target_ids", "milestones"})
    ends_on = given.get("ends_on", movement.ends_on)
    if ends_on is not None and ends_on < movement.starts_on:
        raise MovementNotRunning(f"ends_on {ends_on} is before the movement starts ({movement.starts_on}).")
    for name, value in given.items():
        setattr(movement, name, value)
    if body.target_ids is not None:
        links = await _links_of(targets, token, movement.plan_code, body.target_ids)
        for link in links:
            link.movement_id = movement.id
        await repository.replace_links(session, movement.id, links)
    if body.milestones is not None:
        opened = {m.kind: m for m in await repository.milestones(session, [movement.id]) if m.round_id}
        rows = milestone_rows(movement.id, body.milestones)
        for row in rows:
            kept = opened.get(row.kind)
            if kept is not None:
                if row.review_on != kept.review_on:
                    raise MilestoneRoundExists(
                        f"The {row.kind} review opened round {kept.round_id}: its day stays {kept.review_on}."
                    )
                row.round_id = kept.round_id
        if set(opened) - {row.kind for row in rows}:
            raise MilestoneRoundExists("A review that opened its round cannot be removed.")
        await repository.replace_milestones(session, movement.id, rows)
    # The version (the ETag) counts every change, of the links and reviews too: a row always written.
    flag_modified(movement, "name")
    await session.flush()


async def open_round(
    session: AsyncSession, movement: Movement, kind: str, body: MilestoneRoundIn, actor: str
) -> Round:
    """The award round of a review (sơ kết, tổng kết): kind movement_review, judged on the review's day."""
    milestone = await repository.milestone(session, movement.id, kind)
    if milestone is None:
        raise MilestoneNotFound(f"The movement {movement.code} has no {kind} review.")
    if milestone.round_id is not None:
        raise MilestoneRoundExists(f"The {kind} review of {movement.code} opened round {milestone.round_id}.")
    round_ = await rounds.create(
        session,
        RoundIn(
            code=body.code,
            name=body.name or f"Khen thưởng {milestone.name.lower()}: phong trào “{movement.name}”",
            kind=RoundKind.MOVEMENT_REVIEW,
            year=milestone.review_on.year,
            movement_code=movement.code,
            reference_date=milestone.review_on,
            opens_on=body.opens_on,
            submission_working_days=body.submission_working_days,
            screening_working_days=body.screening_working_days,
            council_working_days=body.council_working_days,
            decision_working_days=body.decision_working_days,
        ),
        actor,
    )
    milestone.round_id = round_.id
    await session.flush()
    return round_


async def _unit_name(scope: ScopeCheck, org_unit: str, day: dt.date) -> str:
    unit = (await scope.targets.hierarchy(day, scope.token)).get(org_unit)
    if unit is None:
        raise MovementUnitUnknown(
            f"No org unit has the code {org_unit!r} on {day}.",
            errors=[{"name": "org_unit", "reason": "no such org unit on that day"}],
        )
    return unit.name


def _unit(scope: ScopeCheck, given: str | None) -> str:
    unit = given or scope.principal.org_unit
    if unit is None:
        raise UnitRequired("Say which unit takes part (org_unit): your token names none.")
    return unit


def registration_out(movement: Movement, row: Registration) -> RegistrationOut:
    return RegistrationOut(
        id=row.id,
        movement=movement.code,
        org_unit=row.org_unit,
        org_unit_name=row.org_unit_name,
        commitments=row.commitments,
        registered_by=row.registered_by,
        registered_on=row.registered_on,
    )


async def register(
    session: AsyncSession, scope: ScopeCheck, movement: Movement, body: RegistrationIn
) -> Registration:
    """A unit registers while the movement runs; the secretariat may record an earlier registration."""
    unit = _unit(scope, body.org_unit)
    today = clock.today()
    day = today
    if body.registered_on is not None and body.registered_on != today:
        if not acts_province_wide(scope.principal):
            raise MovementNotRunning("Only the secretariat records a registration of another day.")
        day = body.registered_on
    if not movement.starts_on <= day <= movement.ends_on:
        raise MovementNotRunning(
            f"{movement.name} runs from {movement.starts_on} to {movement.ends_on}; {day} is outside it."
        )
    await scope.require(unit, day)
    row = Registration(
        movement_id=movement.id,
        org_unit=unit,
        org_unit_name=await _unit_name(scope, unit, day),
        commitments=body.commitments,
        registered_by=scope.principal.subject,
        registered_on=day,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise AlreadyRegistered(f"{unit} is registered for {movement.code} already.") from None
    return row


def report_out(movement: Movement, row: UnitReport) -> UnitReportOut:
    return UnitReportOut(
        id=row.id,
        movement=movement.code,
        org_unit=row.org_unit,
        year=row.year,
        summary=row.summary,
        figures=[Figure.model_validate(figure) for figure in row.figures],
        submitted_by=row.submitted_by,
        submitted_on=row.submitted_on,
    )


async def report(
    session: AsyncSession, scope: ScopeCheck, movement: Movement, body: UnitReportIn
) -> UnitReport:
    """What a registered unit did in a year of the movement: once per unit and year."""
    unit = _unit(scope, body.org_unit)
    if not movement.starts_on.year <= body.year <= movement.ends_on.year:
        raise ReportYearOutside(
            f"{movement.name} runs from {movement.starts_on.year} to {movement.ends_on.year}.",
            errors=[{"name": "year", "reason": "outside the movement's period"}],
        )
    await scope.require(unit, dt.date(body.year, 12, 31) if body.year < clock.today().year else clock.today())
    if await repository.registration(session, movement.id, unit) is None:
        raise NotRegistered(f"{unit} has not registered for {movement.code}: register first.")
    row = UnitReport(
        movement_id=movement.id,
        org_unit=unit,
        year=body.year,
        summary=body.summary,
        figures=[figure.model_dump() for figure in body.figures],
        submitted_by=scope.principal.subject,
        submitted_on=clock.today(),
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise ReportExists(f"{unit} has reported on {movement.code} for {body.year} already.") from None
    return row


async def registrations(
    session: AsyncSession, movement: Movement, *, limit: int, cursor: str | None
) -> Page[RegistrationOut]:
    after = decode_keyset(cursor, as_id)
    rows = await repository.registrations(
        session, movement.id, limit=limit, after=after[0] if after else None
    )
    shown = rows[:limit]
    return Page(
        items=[registration_out(movement, row) for row in shown],
        next_cursor=encode_cursor([shown[-1].id]) if len(rows) > limit else None,
    )


async def reports(
    session: AsyncSession, movement: Movement, *, year: int | None, limit: int, cursor: str | None
) -> Page[UnitReportOut]:
    after = decode_keyset(cursor, as_id)
    rows = await repository.reports(
        session, movement.id, year=year, limit=limit, after=after[0] if after else None
    )
    shown = rows[:limit]
    return Page(
        items=[report_out(movement, row) for row in shown],
        next_cursor=encode_cursor([shown[-1].id]) if len(rows) > limit else None,
    )


async def codes_by_id(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    return await repository.codes_by_id(session, sorted(ids))


async def reports_until(session: AsyncSession, movement: Movement, year: int) -> list[UnitReport]:
    return await repository.all_reports(session, movement.id, year)


async def milestone_of(session: AsyncSession, movement: Movement, kind: str) -> Milestone:
    found = next((m for m in await repository.milestones(session, [movement.id]) if m.kind == kind), None)
    if found is None:
        raise MilestoneNotFound(f"The movement {movement.code} has no {kind} review.")
    return found


async def link_rows(session: AsyncSession, movement: Movement) -> list[MovementTarget]:
    return await repository.links(session, [movement.id])


async def registered_count(session: AsyncSession, movement: Movement) -> int:
    return (await repository.registered_counts(session, [movement.id])).get(movement.id, 0)
