"""Rounds: their deadlines, counted in working days from the day the round opens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar.service import load_calendar
from nominations.calendar.working_days import WorkingCalendar
from nominations.catalogue import service as catalogue
from nominations.rounds import repository
from nominations.rounds.models import Round
from nominations.rounds.schemas import Deadlines, RoundDeadlineOut, RoundIn, RoundOut, RoundPatch
from shared.pagination import Page, as_code, as_day, as_id, decode_keyset, encode_cursor
from shared.problems import BadRequest, Conflict, NotFound, UnprocessableContent

# The longest span of deadlines one request reads (a reminder pass looks a few weeks ahead).
MAX_DEADLINE_SPAN_DAYS = 400


class DeadlineSpanInvalid(BadRequest):
    slug = "deadline-span-invalid"
    title = "The span of days asked for is reversed or too long"


class RoundNotFound(NotFound):
    slug = "round-not-found"
    title = "Round not found"


class RoundExists(Conflict):
    slug = "round-exists"
    title = "A round with this code exists"


def set_deadlines(round_: Round, calendar: WorkingCalendar) -> None:
    round_.submission_deadline = calendar.add_working_days(round_.opens_on, round_.submission_working_days)
    round_.screening_deadline = calendar.add_working_days(
        round_.submission_deadline, round_.screening_working_days
    )
    round_.council_deadline = calendar.add_working_days(
        round_.screening_deadline, round_.council_working_days
    )
    round_.decision_deadline = calendar.add_working_days(
        round_.council_deadline, round_.decision_working_days
    )


def to_out(round_: Round) -> RoundOut:
    return RoundOut(
        id=round_.id,
        code=round_.code,
        name=round_.name,
        kind=round_.kind,
        year=round_.year,
        movement_code=round_.movement_code,
        reference_date=round_.reference_date,
        opens_on=round_.opens_on,
        submission_working_days=round_.submission_working_days,
        screening_working_days=round_.screening_working_days,
        council_working_days=round_.council_working_days,
        decision_working_days=round_.decision_working_days,
        resubmission_working_days=round_.resubmission_working_days,
        deadlines=Deadlines(
            submission=round_.submission_deadline,
            screening=round_.screening_deadline,
            council=round_.council_deadline,
            decision=round_.decision_deadline,
        ),
        version=round_.version,
    )


async def get(session: AsyncSession, round_id: int) -> Round:
    round_ = await repository.get(session, round_id)
    if round_ is None:
        raise RoundNotFound(f"No round has the id {round_id}.")
    return round_


class NoCatalogueOnReferenceDate(UnprocessableContent):
    slug = "no-catalogue-on-reference-date"
    title = "No award catalogue is in force on the round's reference date"


async def _has_catalogue(session: AsyncSession, day: dt.date) -> None:
    """A round whose reference date has no catalogue could never take a nomination: refused at once."""
    if not (await catalogue.catalogue_on(session, day, limit=1, cursor=None)).items:
        raise NoCatalogueOnReferenceDate(
            f"No award type is in force on {day}: the catalogue starts on 2021-01-01 (enter older versions"
            " first to run a round of that date).",
            errors=[{"name": "reference_date", "reason": "no catalogue in force"}],
        )


async def create(session: AsyncSession, body: RoundIn, actor: str) -> Round:
    await _has_catalogue(session, body.reference_date)
    round_ = Round(**body.model_dump(), created_by=actor)
    set_deadlines(round_, await load_calendar(session))
    try:
        async with session.begin_nested():
            session.add(round_)
            await session.flush()
    except IntegrityError:
        raise RoundExists(f"A round with the code {body.code!r} exists.") from None
    return round_


async def update(session: AsyncSession, round_: Round, body: RoundPatch) -> Round:
    for name, value in body.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(round_, name, value)
    set_deadlines(round_, await load_calendar(session))
    await session.flush()
    return round_


async def list_rounds(
    session: AsyncSession, year: int | None, *, limit: int, cursor: str | None
) -> Page[RoundOut]:
    rows = await repository.page(session, year=year, limit=limit, after=decode_keyset(cursor, as_day, as_id))
    shown = rows[:limit]
    return Page(
        items=[to_out(round_) for round_ in shown],
        next_cursor=encode_cursor([shown[-1].opens_on.isoformat(), shown[-1].id])
        if len(rows) > limit
        else None,
    )


async def by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Round]:
    return {round_.id: round_ for round_ in await repository.by_ids(session, ids)}


async def reference_dates(session: AsyncSession, ids: Iterable[int]) -> dict[int, dt.date]:
    """Each round's reference date: the day whose hierarchy judges its nominations (and, unless a regime
    began before they were sent, whose catalogue and rules)."""
    return {round_id: round_.reference_date for round_id, round_ in (await by_ids(session, ids)).items()}


async def deadlines_between(
    session: AsyncSession, start: dt.date, end: dt.date, *, limit: int, cursor: str | None
) -> Page[RoundDeadlineOut]:
    """Every round deadline (submission, screening, council, decision) due from ``start`` to ``end``, both
    included, by day: what the notifications service reminds of. Resubmission deadlines belong to one
    returned nomination each, not to the round, and are not listed."""
    if end < start or (end - start).days > MAX_DEADLINE_SPAN_DAYS:
        raise DeadlineSpanInvalid(
            f"Ask from a day to a later one, at most {MAX_DEADLINE_SPAN_DAYS} days on; {start}..{end} is not."
        )
    after = decode_keyset(cursor, as_day, as_id, as_code)
    rows = (
        await session.execute(
            repository.deadlines_between(
                start, end, after=(after[0], after[1], after[2]) if after else None, limit=limit + 1
            )
        )
    ).all()
    shown = rows[:limit]
    return Page(
        items=[
            RoundDeadlineOut.model_validate(
                {"round_id": round_id, "round_name": name, "deadline": deadline, "due_on": due_on}
            )
            for due_on, round_id, deadline, name in shown
        ],
        next_cursor=encode_cursor([shown[-1][0].isoformat(), shown[-1][1], shown[-1][2]])
        if len(rows) > limit
        else None,
    )


async def ids_of_year(session: AsyncSession, year: int) -> list[int]:
    return await repository.ids_of_year(session, year)


async def of_movement(session: AsyncSession, movement_code: str, until: dt.date) -> list[Round]:
    """The movement's rounds (its reviews' and any other naming it) judged on or before ``until``."""
    return await repository.of_movement(session, movement_code, until)
