"""Exemplars through the plan's four steps (Kế hoạch thi đua 2021-2025, IV.3: "Phát hiện - bồi dưỡng - tổng
kết - nhân rộng điển hình tiên tiến"), each step forward through :func:`advance` alone, and from any step a
nomination drafted through the nominations' own door."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.exemplars import repository
from nominations.exemplars.models import (
    STAGES,
    Exemplar,
    ExemplarEntry,
    ExemplarNomination,
    Replication,
    Stage,
)
from nominations.exemplars.schemas import (
    AdvanceIn,
    EntryOut,
    ExemplarEvidenceIn,
    ExemplarIn,
    ExemplarOut,
    ExemplarSummary,
    NoteIn,
    ReplicationIn,
    ReplicationOut,
)
from nominations.movements import service as movements
from nominations.nominations import service as nominations
from nominations.nominations.models import Nomination
from nominations.nominations.schemas import NominationIn
from nominations.org_scope import ScopeCheck
from nominations.rounds.models import Round
from shared import clock
from shared.pagination import Page, as_id, decode_keyset, encode_cursor
from shared.problems import BadRequest, Conflict, NotFound, UnprocessableContent


class ExemplarNotFound(NotFound):
    slug = "exemplar-not-found"
    title = "Exemplar not found"


class ExemplarInvalid(UnprocessableContent):
    slug = "invalid-exemplar"
    title = "The exemplar does not hold together"


class ExemplarUnitRequired(BadRequest):
    slug = "exemplar-unit-required"
    title = "Say which unit (org_unit): your token names none"


class StageOrder(Conflict):
    slug = "exemplar-stage-order"
    title = "Not the exemplar's next step"


class NotReplicatedAnywhere(Conflict):
    slug = "exemplar-not-replicated-anywhere"
    title = "Record where the exemplar was replicated first"


class ReplicationExists(Conflict):
    slug = "exemplar-replication-exists"
    title = "The exemplar's replication in this unit is recorded already"


def _evidence(items: list[ExemplarEvidenceIn]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", exclude_none=True) for item in items]


def next_stage(exemplar: Exemplar) -> Stage | None:
    index = STAGES.index(Stage(exemplar.stage))
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def summary(exemplar: Exemplar, movement_codes: dict[int, str]) -> ExemplarSummary:
    return ExemplarSummary(
        id=exemplar.id,
        kind=exemplar.kind,
        name=exemplar.name,
        org_unit=exemplar.org_unit,
        org_unit_name=exemplar.org_unit_name,
        movement=movement_codes.get(exemplar.movement_id) if exemplar.movement_id else None,
        stage=exemplar.stage,
        detected_on=exemplar.detected_on,
        version=exemplar.version,
    )


async def _movement_codes(session: AsyncSession, exemplars: list[Exemplar]) -> dict[int, str]:
    ids = {e.movement_id for e in exemplars if e.movement_id is not None}
    return await movements.codes_by_id(session, ids) if ids else {}


async def out(session: AsyncSession, exemplar: Exemplar) -> ExemplarOut:
    after = next_stage(exemplar)
    return ExemplarOut(
        **summary(exemplar, await _movement_codes(session, [exemplar])).model_dump(),
        description=exemplar.description,
        allowed_stages=[after.value] if after else [],
        history=[
            EntryOut(
                id=entry.id,
                kind=entry.kind,
                stage=entry.stage,
                note=entry.note,
                evidence=entry.evidence,
                details=entry.details,
                actor=entry.actor,
                recorded_on=entry.recorded_on,
            )
            for entry in await repository.history(session, exemplar.id)
        ],
        replications=[
            ReplicationOut(
                org_unit=row.org_unit,
                org_unit_name=row.org_unit_name,
                replicated_on=row.replicated_on,
                note=row.note,
            )
            for row in await repository.replications(session, [exemplar.id])
        ],
        nomination_ids=[n for _, n in await repository.nomination_ids(session, [exemplar.id])],
    )


async def _unit_name(scope: ScopeCheck, org_unit: str, day: dt.date, field: str) -> str:
    unit = (await scope.targets.hierarchy(day, scope.token)).get(org_unit)
    if unit is None:
        raise ExemplarInvalid(
            f"No org unit has the code {org_unit!r} on {day}.",
            errors=[{"name": field, "reason": "no such org unit on that day"}],
        )
    return unit.name


def _entry(exemplar: Exemplar, kind: str, actor: str, **fields: Any) -> ExemplarEntry:
    return ExemplarEntry(
        exemplar_id=exemplar.id,
        kind=kind,
        stage=exemplar.stage,
        actor=actor,
        recorded_on=clock.today(),
        **fields,
    )


async def create(session: AsyncSession, scope: ScopeCheck, body: ExemplarIn) -> Exemplar:
    """A unit records an exemplar it detected (its officers; the secretariat for any unit)."""
    unit = body.org_unit or scope.principal.org_unit
    if unit is None:
        raise ExemplarUnitRequired("Say which unit detected the exemplar (org_unit): your token names none.")
    today = clock.today()
    day = body.detected_on or today
    if day > today:
        raise ExemplarInvalid(
            f"detected_on {day} is after today ({today}).",
            errors=[{"name": "detected_on", "reason": "in the future"}],
        )
    await scope.require(unit, day)
    movement_id: int | None = None
    if body.movement is not None:
        try:
            movement_id = (await movements.get(session, body.movement)).id
        except movements.MovementNotFound:
            raise ExemplarInvalid(
                f"No movement has the code {body.movement!r}.",
                errors=[{"name": "movement", "reason": "no such movement"}],
            ) from None
    exemplar = Exemplar(
        kind=body.kind.value,
        name=body.name,
        description=body.description,
        org_unit=unit,
        org_unit_name=await _unit_name(scope, unit, day, "org_unit"),
        movement_id=movement_id,
        stage=Stage.DETECTED.value,
        detected_on=day,
        created_by=scope.principal.subject,
    )
    session.add(exemplar)
    await session.flush()
    session.add(
        _entry(
            exemplar,
            "detected",
            scope.principal.subject,
            note=body.description,
            evidence=_evidence(body.evidence),
        )
    )
    await session.flush()
    return exemplar


async def get(session: AsyncSession, scope: ScopeCheck, exemplar_id: int, *, lock: bool = False) -> Exemplar:
    """An exemplar of a unit the caller reads; another is reported as missing, not forbidden."""
    exemplar = await (repository.lock if lock else repository.get)(session, exemplar_id)
    if exemplar is not None:
        visible = await scope.visible_units(clock.today())
        if visible is None or exemplar.org_unit in visible:
            return exemplar
    raise ExemplarNotFound(f"No exemplar has the id {exemplar_id}.")


async def list_exemplars(
    session: AsyncSession,
    scope: ScopeCheck,
    *,
    stage: Stage | None,
    movement: str | None,
    org_unit: str | None,
    limit: int,
    cursor: str | None,
) -> Page[ExemplarSummary]:
    after = decode_keyset(cursor, as_id)
    movement_id = (await movements.get(session, movement)).id if movement else None
    rows = await repository.page(
        session,
        visible=await scope.visible_units(clock.today()),
        stage=stage.value if stage else None,
        movement_id=movement_id,
        org_unit=org_unit,
        limit=limit,
        after=after[0] if after else None,
    )
    shown = rows[:limit]
    codes = await _movement_codes(session, shown)
    return Page(
        items=[summary(exemplar, codes) for exemplar in shown],
        next_cursor=encode_cursor([shown[-1].id]) if len(rows) > limit else None,
    )


async def add_note(session: AsyncSession, scope: ScopeCheck, exemplar: Exemplar, body: NoteIn) -> None:
    await scope.require(exemplar.org_unit, clock.today())
    session.add(
        _entry(exemplar, "note", scope.principal.subject, note=body.note, evidence=_evidence(body.evidence))
    )
    await session.flush()


async def advance(session: AsyncSession, scope: ScopeCheck, exemplar: Exemplar, body: AdvanceIn) -> None:
    """The one door of an exemplar's stage: one step forward at a time, replicated only once it has been
    replicated somewhere."""
    await scope.require(exemplar.org_unit, clock.today())
    expected = next_stage(exemplar)
    if body.to is not expected:
        raise StageOrder(
            f"The exemplar is {exemplar.stage}: its next step is {expected.value if expected else 'none'}.",
            stage=exemplar.stage,
            allowed_stages=[expected.value] if expected else [],
        )
    if body.to is Stage.REPLICATED and not await repository.replications(session, [exemplar.id]):
        raise NotReplicatedAnywhere("Record the units where it was replicated before marking it replicated.")
    before = exemplar.stage
    exemplar.stage = body.to.value
    session.add(
        _entry(
            exemplar,
            "advanced",
            scope.principal.subject,
            note=body.note,
            evidence=_evidence(body.evidence),
            details={"from": before, "to": body.to.value},
        )
    )
    await session.flush()


async def replicate(
    session: AsyncSession, scope: ScopeCheck, exemplar: Exemplar, body: ReplicationIn
) -> None:
    """Where a summarised exemplar was taken up (nhân rộng): a unit that existed on that day."""
    await scope.require(exemplar.org_unit, clock.today())
    if STAGES.index(Stage(exemplar.stage)) < STAGES.index(Stage.SUMMARISED):
        raise StageOrder(
            f"The exemplar is {exemplar.stage}: it is replicated once it has been summarised.",
            stage=exemplar.stage,
            allowed_stages=[],
        )
    if not exemplar.detected_on <= body.replicated_on <= clock.today():
        raise ExemplarInvalid(
            f"replicated_on is from {exemplar.detected_on} (detected) to today.",
            errors=[
                {"name": "replicated_on", "reason": "before the exemplar was detected, or in the future"}
            ],
        )
    row = Replication(
        exemplar_id=exemplar.id,
        org_unit=body.org_unit,
        org_unit_name=await _unit_name(scope, body.org_unit, body.replicated_on, "org_unit"),
        replicated_on=body.replicated_on,
        note=body.note,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise ReplicationExists(f"The replication in {body.org_unit} is recorded already.") from None
    session.add(
        _entry(
            exemplar,
            "replicated",
            scope.principal.subject,
            note=body.note,
            details={"org_unit": body.org_unit, "replicated_on": body.replicated_on.isoformat()},
        )
    )
    await session.flush()


async def nominate(
    session: AsyncSession, scope: ScopeCheck, exemplar: Exemplar, body: NominationIn
) -> tuple[Nomination, Round]:
    """A nomination drafted from the exemplar at any step, through the nominations' own door (its scope,
    award type and round checks), and kept in the exemplar's history."""
    nomination, round_ = await nominations.create(session, scope, body)
    session.add(
        ExemplarNomination(exemplar_id=exemplar.id, nomination_id=nomination.id, stage=exemplar.stage)
    )
    session.add(
        _entry(
            exemplar,
            "nominated",
            scope.principal.subject,
            details={"nomination_id": nomination.id, "award_type": nomination.award_type_code},
        )
    )
    await session.flush()
    return nomination, round_


async def of_movement(
    session: AsyncSession, movement_id: int
) -> list[tuple[Exemplar, list[Replication], list[int]]]:
    """A movement's exemplars with where each was replicated and what it was nominated for (review packs)."""
    exemplars = await repository.of_movement(session, movement_id)
    ids = [exemplar.id for exemplar in exemplars]
    places: dict[int, list[Replication]] = defaultdict(list)
    for row in await repository.replications(session, ids):
        places[row.exemplar_id].append(row)
    nominated: dict[int, list[int]] = defaultdict(list)
    for exemplar_id, nomination_id in await repository.nomination_ids(session, ids):
        nominated[exemplar_id].append(nomination_id)
    return [(exemplar, places[exemplar.id], nominated[exemplar.id]) for exemplar in exemplars]
