"""How timely a round has been: working days from first submission to decision, and who is past which
deadline (Kế hoạch thi đua 2021-2025, IV: commendation must be timely)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar.service import load_calendar
from nominations.calendar.working_days import WorkingCalendar
from nominations.nominations import service as nominations
from nominations.nominations.models import Status
from nominations.rounds.models import Round
from nominations.timeliness.schemas import AwardTypeTimeliness, LateNomination, Timeliness
from shared.clock import local_date

# The stage each state is waiting for, and so the deadline a nomination in it can miss.
WAITING_FOR = {
    Status.SUBMITTED: "screening",
    Status.SCREENING: "council",
    Status.COUNCIL: "council",
    Status.PUBLIC_COMMENT: "council",  # a high honour's list, published for comment before the council
    Status.DISCLOSURE: "decision",
    Status.APPROVED: "decision",
}
# Drafts and returned dossiers wait for the unit's submission.
NOT_YET_SUBMITTED = (Status.DRAFT, Status.RETURNED)


async def timeliness(session: AsyncSession, round_: Round, as_of: dt.date) -> Timeliness:
    """Working days from first submission to decision per award type, and who is past which deadline."""
    calendar = await load_calendar(session)
    rows = await nominations.stage_times(session, round_.id)
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
        if status in NOT_YET_SUBMITTED:
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
