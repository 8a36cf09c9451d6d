"""How timely a round has been: working days from first submission to decision, and who is past which
deadline (Kế hoạch thi đua 2021-2025, IV: commendation must be timely).

The report is computed from the round's nominations counted by award type, status and the days of first
submission and decision (a few hundred groups for a round of 100,000, docs/benchmarks.md); the late
nominations themselves are read a page at a time, chosen in SQL by the same rule (``verdict``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import get_args

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar.service import load_calendar
from nominations.calendar.working_days import WorkingCalendar
from nominations.nominations import service as nominations
from nominations.nominations.models import Status
from nominations.org_scope import ScopeCheck
from nominations.rounds.models import Round
from nominations.timeliness.schemas import (
    AwardTypeTimeliness,
    LateNomination,
    RoundDeadlines,
    Stage,
    StageLateness,
    Timeliness,
)
from shared.pagination import Page, as_id, decode_keyset, encode_cursor

# The stage each state is waiting for, and so the deadline a nomination in it can miss.
WAITING_FOR: dict[str, Stage] = {
    Status.SUBMITTED: "screening",
    Status.SCREENING: "council",
    Status.COUNCIL: "council",
    Status.PUBLIC_COMMENT: "council",  # a high honour's list, published for comment before the council
    Status.DISCLOSURE: "decision",
    Status.APPROVED: "decision",
}
# Drafts and returned dossiers wait for the unit's submission.
NOT_YET_SUBMITTED: tuple[str, ...] = (Status.DRAFT, Status.RETURNED)


def deadlines_of(round_: Round) -> RoundDeadlines:
    """The round's four deadlines, by stage."""
    return RoundDeadlines(
        submission=round_.submission_deadline,
        screening=round_.screening_deadline,
        council=round_.council_deadline,
        decision=round_.decision_deadline,
    )


def verdict(
    status: str, submitted_on: dt.date | None, deadlines: RoundDeadlines, as_of: dt.date
) -> tuple[Stage, dt.date] | None:
    """The deadline a nomination has missed on ``as_of`` and the day it is late up to, or None: still
    unsubmitted after the submission deadline; submitted after it (late on that day, whatever came next);
    or waiting, past the deadline of the stage its state waits for."""
    if status in NOT_YET_SUBMITTED:
        return ("submission", as_of) if as_of > deadlines.submission else None
    if submitted_on is not None and submitted_on > deadlines.submission:
        return "submission", submitted_on
    stage = WAITING_FOR.get(status)
    if stage is not None and as_of > deadlines.of(stage):
        return stage, as_of
    return None


async def timeliness(session: AsyncSession, scope: ScopeCheck, round_: Round, as_of: dt.date) -> Timeliness:
    """Working days from first submission to decision per award type, and the late per award type and
    stage, with the most working days any of them is late, over the nominations the caller may read."""
    calendar = await load_calendar(session)
    deadlines = deadlines_of(round_)
    counts: dict[str, int] = defaultdict(int)
    late: dict[str, int] = defaultdict(int)
    durations: dict[str, list[int]] = defaultdict(list)
    by_stage: dict[tuple[str, Stage], list[int]] = {}
    for award_type, status, submitted_on, decided_on, n in await nominations.stage_day_counts(
        session, scope, round_
    ):
        counts[award_type] += n
        if decided_on is not None and submitted_on is not None:
            durations[award_type].extend([calendar.working_days_between(submitted_on, decided_on)] * n)
        missed = verdict(status, submitted_on, deadlines, as_of)
        if missed is None:
            continue
        stage, when = missed
        late[award_type] += n
        days_late = calendar.working_days_between(deadlines.of(stage), when)
        tally = by_stage.setdefault((award_type, stage), [0, days_late])
        tally[0] += n
        tally[1] = max(tally[1], days_late)
    return Timeliness(
        round_id=round_.id,
        as_of=as_of,
        deadlines=deadlines,
        by_award_type=[
            AwardTypeTimeliness(
                award_type=code,
                nominations=counts[code],
                decided=len(durations[code]),
                median_working_days_to_decision=statistics.median(durations[code])
                if durations[code]
                else None,
                max_working_days_to_decision=max(durations[code]) if durations[code] else None,
                late=late[code],
            )
            for code in sorted(counts)
        ],
        late_by_stage=[
            StageLateness(
                award_type=award_type,
                stage=stage,
                deadline=deadlines.of(stage),
                nominations=tally[0],
                max_working_days_late=tally[1],
            )
            for (award_type, stage), tally in sorted(by_stage.items(), key=lambda item: _stage_order(item[0]))
        ],
    )


STAGES: tuple[Stage, ...] = get_args(Stage)


def _stage_order(key: tuple[str, Stage]) -> tuple[str, int]:
    return key[0], STAGES.index(key[1])


async def late_nominations(
    session: AsyncSession,
    scope: ScopeCheck,
    round_: Round,
    as_of: dt.date,
    *,
    stage: Stage | None,
    limit: int,
    cursor: str | None,
) -> Page[LateNomination]:
    """The round's nominations past a deadline on ``as_of`` (of one stage if given) that the caller may
    read, by id."""
    deadlines = deadlines_of(round_)
    wanted = (stage,) if stage else STAGES
    after = decode_keyset(cursor, as_id)
    rows = await nominations.late_nominations(
        session,
        scope,
        round_,
        unsubmitted=NOT_YET_SUBMITTED,
        unsubmitted_late="submission" in wanted and as_of > deadlines.submission,
        submission_deadline=deadlines.submission,
        late_submissions="submission" in wanted,
        waiting_late=[
            status for status, waits in WAITING_FOR.items() if waits in wanted and as_of > deadlines.of(waits)
        ],
        limit=limit,
        after=after[0] if after else None,
    )
    calendar = await load_calendar(session)
    shown = rows[:limit]
    return Page(
        items=[_late(row, deadlines, as_of, calendar) for row in shown],
        next_cursor=encode_cursor([shown[-1][0]]) if len(rows) > limit else None,
    )


def _late(
    row: tuple[int, str, str, str, dt.date | None],
    deadlines: RoundDeadlines,
    as_of: dt.date,
    calendar: WorkingCalendar,
) -> LateNomination:
    nomination_id, award_type, status, unit, submitted_on = row
    missed = verdict(status, submitted_on, deadlines, as_of)
    assert missed is not None  # noqa: S101 - chosen in SQL by the same rule (tested state by state)
    stage, when = missed
    return LateNomination(
        nomination_id=nomination_id,
        award_type=award_type,
        nominating_org_unit=unit,
        status=status,
        stage=stage,
        deadline=deadlines.of(stage),
        working_days_late=calendar.working_days_between(deadlines.of(stage), when),
    )
