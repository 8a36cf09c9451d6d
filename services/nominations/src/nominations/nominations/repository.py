"""Every query on nominations and their audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.nominations.models import Nomination, NominationEvent, Outcome, Status
from shared.clock import VIETNAM

SUMMARY_COLUMNS = (
    Nomination.id,
    Nomination.round_id,
    Nomination.award_type_code,
    Nomination.nominee_name,
    Nomination.nominee_kind,
    Nomination.nominating_org_unit,
    Nomination.status,
    Nomination.outcome,
    Nomination.submitted_at,
    Nomination.updated_at,
)
PUBLIC_COLUMNS = (
    Nomination.id,
    Nomination.round_id,
    Nomination.award_type_code,
    Nomination.award_name,
    Nomination.nominee_name,
    Nomination.nominee_kind,
    Nomination.nominee_position,
    Nomination.nominating_org_unit_name,
    Nomination.achievements,
    Nomination.disclosure_from,
    Nomination.disclosure_until,
    Nomination.open_objections,
    # Disclosed before the council considers it (high honours), or after the council passed it.
    case((Nomination.status == Status.PUBLIC_COMMENT.value, "before_council"), else_="after_council").label(
        "stage"
    ),
)


def _ids(name: str, ids: Sequence[int]) -> Any:
    """One array parameter (``= ANY(:ids)``) instead of one parameter per id."""
    return any_(bindparam(name, list(ids), type_=ARRAY(Integer)))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def get(session: AsyncSession, nomination_id: int, *, for_update: bool = False) -> Nomination | None:
    return await session.get(Nomination, nomination_id, with_for_update=for_update or None)


async def page(
    session: AsyncSession,
    *,
    visible: set[str] | None,
    round_id: int | None,
    status: str | None,
    award_type: str | None,
    org_unit: str | None,
    q: str | None,
    limit: int,
    after_id: int | None,
) -> Sequence[Any]:
    """Newest first, keyset-paged by id; ``visible`` limits to the caller's units (None: all)."""
    query = select(*SUMMARY_COLUMNS).order_by(Nomination.id.desc()).limit(limit + 1)
    if visible is not None:
        query = query.where(Nomination.nominating_org_unit.in_(sorted(visible)))
    if round_id is not None:
        query = query.where(Nomination.round_id == round_id)
    if status is not None:
        query = query.where(Nomination.status == status)
    if award_type is not None:
        query = query.where(Nomination.award_type_code == award_type)
    if org_unit is not None:
        query = query.where(Nomination.nominating_org_unit == org_unit)
    if q:
        query = query.where(Nomination.nominee_name.ilike(f"%{_escape(q)}%", escape="\\"))
    if after_id is not None:
        query = query.where(Nomination.id < after_id)
    return (await session.execute(query)).all()


async def lock(session: AsyncSession, ids: Sequence[int]) -> list[Nomination]:
    """The nominations, locked in id order (so two requests locking overlapping sets cannot deadlock)."""
    query = (
        select(Nomination)
        .where(Nomination.id == _ids("nomination_ids", ids))
        .order_by(Nomination.id)
        .with_for_update()
    )
    return list((await session.execute(query)).scalars())


async def briefs(session: AsyncSession, ids: Sequence[int]) -> Sequence[Any]:
    """What a council's agenda shows of each nomination."""
    query = select(
        Nomination.id,
        Nomination.award_type_code,
        Nomination.nominee_name,
        Nomination.nominating_org_unit,
        Nomination.status,
        Nomination.council_result,
    ).where(Nomination.id == _ids("nomination_ids", ids))
    return (await session.execute(query)).all()


async def units_and_rounds(session: AsyncSession, ids: Sequence[int]) -> list[tuple[int, str, int]]:
    """Each nomination's nominating unit and round (no lock taken)."""
    query = select(Nomination.id, Nomination.nominating_org_unit, Nomination.round_id).where(
        Nomination.id == _ids("nomination_ids", ids)
    )
    return [(row[0], row[1], row[2]) for row in await session.execute(query)]


async def events_of(
    session: AsyncSession, nomination_id: int, *, limit: int, after_id: int | None
) -> list[NominationEvent]:
    query = (
        select(NominationEvent)
        .where(NominationEvent.nomination_id == nomination_id)
        .order_by(NominationEvent.id)
        .limit(limit + 1)
    )
    if after_id is not None:
        query = query.where(NominationEvent.id > after_id)
    return list((await session.execute(query)).scalars())


def _running(today: dt.date, states: frozenset[Status]) -> ColumnElement[bool]:
    """In a disclosure state and inside its period (an open end on either side counts as running)."""
    return and_(
        Nomination.status.in_(sorted(states)),
        or_(Nomination.disclosure_from.is_(None), Nomination.disclosure_from <= today),
        or_(Nomination.disclosure_until.is_(None), Nomination.disclosure_until >= today),
    )


async def under_disclosure(
    session: AsyncSession,
    today: dt.date,
    states: frozenset[Status],
    *,
    award_type: str | None,
    round_id: int | None,
    limit: int,
    before_id: int | None,
) -> Sequence[Any]:
    """Public columns only, newest first, keyset-paged by id."""
    query: Select[*tuple[Any, ...]] = (
        select(*PUBLIC_COLUMNS).where(_running(today, states)).order_by(Nomination.id.desc()).limit(limit + 1)
    )
    if award_type is not None:
        query = query.where(Nomination.award_type_code == award_type)
    if round_id is not None:
        query = query.where(Nomination.round_id == round_id)
    if before_id is not None:
        query = query.where(Nomination.id < before_id)
    rows: Sequence[Any] = (await session.execute(query)).all()
    return rows


def _local_day(moment: Any) -> ColumnElement[dt.date]:
    """The Vietnamese calendar day of a moment, as ``shared.clock.local_date`` gives it (a fixed offset); the
    offset is a literal so that the same expression can be grouped by."""
    offset = VIETNAM.utcoffset(None)
    assert offset is not None  # noqa: S101 - a fixed-offset zone
    shift: ColumnElement[Any] = literal_column(f"INTERVAL '{int(offset.total_seconds())} seconds'")
    return (func.timezone("UTC", moment) + shift).cast(Date)


async def stage_day_counts(
    session: AsyncSession, round_id: int, *, visible: set[str] | None
) -> Sequence[Any]:
    """A round's nominations (of the ``visible`` nominating units, all when None) counted by award type,
    status, day of first submission and day of decision: the timeliness report's input, a few hundred rows
    however many nominations the round has."""
    submitted, decided = _local_day(Nomination.first_submitted_at), _local_day(Nomination.decided_at)
    query = (
        select(Nomination.award_type_code, Nomination.status, submitted, decided, func.count())
        .where(Nomination.round_id == round_id)
        .group_by(Nomination.award_type_code, Nomination.status, submitted, decided)
    )
    if visible is not None:
        query = query.where(Nomination.nominating_org_unit.in_(sorted(visible)))
    return (await session.execute(query)).all()


async def late_nominations(
    session: AsyncSession,
    round_id: int,
    *,
    unsubmitted: Sequence[str],
    unsubmitted_late: bool,
    submission_deadline: dt.date,
    late_submissions: bool,
    waiting_late: Sequence[str],
    visible: set[str] | None,
    limit: int,
    after: int | None,
) -> Sequence[Any]:
    """A round's nominations past a deadline, by id: still in an ``unsubmitted`` state (when
    ``unsubmitted_late``: the submission deadline has passed), first submitted after the submission deadline
    (when ``late_submissions``), or submitted on time and in a ``waiting_late`` state, one whose deadline
    has passed; of the ``visible`` nominating units (all when None). Rows: id, award type, status, nominating
    unit, day of first submission."""
    submitted = _local_day(Nomination.first_submitted_at)
    pending = Nomination.status.in_(unsubmitted)
    clauses: list[ColumnElement[bool]] = []
    if unsubmitted_late:
        clauses.append(pending)
    if late_submissions:
        clauses.append(and_(~pending, submitted > submission_deadline))
    if waiting_late:
        on_time = or_(Nomination.first_submitted_at.is_(None), submitted <= submission_deadline)
        clauses.append(and_(Nomination.status.in_(waiting_late), on_time))
    if not clauses:
        return []
    query = (
        select(
            Nomination.id,
            Nomination.award_type_code,
            Nomination.status,
            Nomination.nominating_org_unit,
            submitted,
        )
        .where(Nomination.round_id == round_id, or_(*clauses))
        .order_by(Nomination.id)
        .limit(limit + 1)
    )
    if visible is not None:
        query = query.where(Nomination.nominating_org_unit.in_(sorted(visible)))
    if after is not None:
        query = query.where(Nomination.id > after)
    return (await session.execute(query)).all()


# Nominations that no longer count against a quota, nor as holders of a basis title.
NOT_COUNTING_STATES = (Status.WITHDRAWN.value,)


async def live_count(
    session: AsyncSession, *, round_id: int, award_type: str, unit: str, undecided_only: bool = False
) -> int:
    """The unit's nominations of an award type in a round that still count (not withdrawn nor rejected)."""
    query = (
        select(func.count())
        .select_from(Nomination)
        .where(
            Nomination.round_id == round_id,
            Nomination.award_type_code == award_type,
            Nomination.nominating_org_unit == unit,
            Nomination.status.not_in(NOT_COUNTING_STATES),
            func.coalesce(Nomination.outcome, "") != Outcome.REJECTED.value,
        )
    )
    if undecided_only:
        query = query.where(Nomination.status != Status.DECIDED.value)
    return int(await session.scalar(query) or 0)


# Drafts were never sent and withdrawn ones were taken back: neither is a nomination the province judged.
NOT_SENT = (Status.DRAFT.value, Status.WITHDRAWN.value)
ALL_GROUPS = "*"


async def group_counts(
    session: AsyncSession, *, round_ids: Sequence[int], units: Sequence[str] | None
) -> list[tuple[str | None, str, int, int, int]]:
    """(nominating unit or None for all, group or ``*`` for all, nominations, awards, decided) of the
    rounds' sent nominations, grouped by (group) and by (unit, group) in one pass."""
    groups = (
        func.unnest(func.array_append(Nomination.nominee_groups, literal(ALL_GROUPS)))
        .table_valued("grp")
        .render_derived(name="each_group")
        .lateral()
    )
    group = groups.c.grp
    awarded = func.count().filter(Nomination.outcome == Outcome.AWARDED.value)
    decided = func.count().filter(Nomination.status == Status.DECIDED.value)
    query = (
        select(Nomination.nominating_org_unit, group, func.count(), awarded, decided)
        .select_from(Nomination)
        .join(groups, true())
        .where(Nomination.round_id.in_(round_ids), Nomination.status.not_in(NOT_SENT))
        .group_by(func.grouping_sets(tuple_(group), tuple_(Nomination.nominating_org_unit, group)))
    )
    if units is not None:
        query = query.where(Nomination.nominating_org_unit.in_(sorted(units)))
    return [(row[0], row[1], row[2], row[3], row[4]) for row in await session.execute(query)]


async def awarded_ids(session: AsyncSession, round_ids: Sequence[int]) -> list[int]:
    query = select(Nomination.id).where(
        Nomination.round_id.in_(round_ids), Nomination.outcome == Outcome.AWARDED.value
    )
    return list((await session.execute(query)).scalars())
