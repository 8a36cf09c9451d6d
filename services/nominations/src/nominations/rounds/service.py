"""Rounds: deadlines counted in working days, and how timely the round has been."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar.service import load_calendar
from nominations.calendar.working_days import WorkingCalendar
from nominations.dossiers.models import Nomination, Status
from nominations.rounds.models import Round
from nominations.rounds.schemas import (
    AwardTypeTimeliness,
    Deadlines,
    LateNomination,
    RoundIn,
    RoundOut,
    RoundPatch,
    Timeliness,
)
from shared.clock import local_date
from shared.problems import Conflict, NotFound

# The stage each state is waiting for, and so the deadline a nomination in it can miss.
WAITING_FOR = {
    Status.SUBMITTED: "screening",
    Status.SCREENING: "council",
    Status.COUNCIL: "council",
    Status.DISCLOSURE: "decision",
}


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
    round_ = await session.get(Round, round_id)
    if round_ is None:
        raise RoundNotFound(f"No round has the id {round_id}.")
    return round_


async def create(session: AsyncSession, body: RoundIn, actor: str) -> Round:
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


async def list_rounds(session: AsyncSession, year: int | None) -> list[Round]:
    query = select(Round).order_by(Round.opens_on.desc(), Round.id.desc())
    if year is not None:
        query = query.where(Round.year == year)
    return list((await session.execute(query)).scalars())


async def timeliness(session: AsyncSession, round_: Round, as_of: dt.date) -> Timeliness:
    """Working days from first submission to decision per award type, and who is past which deadline."""
    calendar = await load_calendar(session)
    rows = (
        await session.execute(
            select(
                Nomination.id,
                Nomination.award_type_code,
                Nomination.status,
                Nomination.first_submitted_at,
                Nomination.decided_at,
            ).where(Nomination.round_id == round_.id)
        )
    ).all()
    durations: dict[str, list[int]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    late: list[LateNomination] = []
    deadlines = {
        "submission": round_.submission_deadline,
        "screening": round_.screening_deadline,
        "council": round_.council_deadline,
        "decision": round_.decision_deadline,
    }
    for nomination_id, award_type, status, first_submitted_at, decided_at in rows:
        counts[award_type] += 1
        if decided_at is not None and first_submitted_at is not None:
            durations[award_type].append(
                calendar.working_days_between(local_date(first_submitted_at), local_date(decided_at))
            )
        stage: str | None = None
        if status in (Status.DRAFT, Status.RETURNED):
            stage = "submission"
        elif first_submitted_at is not None and local_date(first_submitted_at) > round_.submission_deadline:
            late.append(
                _late(
                    nomination_id,
                    award_type,
                    status,
                    "submission",
                    deadlines,
                    local_date(first_submitted_at),
                    calendar,
                )
            )
            continue
        else:
            stage = WAITING_FOR.get(Status(status))
        if stage is not None and as_of > deadlines[stage]:
            late.append(_late(nomination_id, award_type, status, stage, deadlines, as_of, calendar))
    return Timeliness(
        round_id=round_.id,
        as_of=as_of,
        by_award_type=[
            AwardTypeTimeliness(
                award_type=code,
                nominations=counts[code],
                decided=len(durations[code]),
                median_working_days_to_decision=statistics.median(durations[code])
                if durations[code]
                else None,
                max_working_days_to_decision=max(durations[code]) if durations[code] else None,
            )
            for code in sorted(counts)
        ],
        late=late,
    )


def _late(
    nomination_id: int,
    award_type: str,
    status: str,
    stage: str,
    deadlines: dict[str, dt.date],
    when: dt.date,
    calendar: WorkingCalendar,
) -> LateNomination:
    return LateNomination(
        nomination_id=nomination_id,
        award_type=award_type,
        status=status,
        stage=stage,
        deadline=deadlines[stage],
        working_days_late=calendar.working_days_between(deadlines[stage], when),
    )
