"""Council sessions: the agenda, secret ballots, and the count that sends each nomination on.

The secret ballot (bỏ phiếu kín) is kept by what is stored, not by who may read it: a ballot leaves a receipt
(this member voted in this session) and adds one to a counter per agenda item; nothing relates the two, and
neither the audit trail nor the outbox hears of a single ballot. The count happens once, when the session
closes, against the vote threshold of each award type in force on the nomination's catalogue date (Law on
Emulation and Commendation 06/2022/QH15 and its decrees: the threshold is data in the catalogue).

The notifications service hears of a session when it opens (its members are invited) and when it closes
(how many ballots, how many nominations passed and failed): never of a ballot, nor of who chose what.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar.service import load_calendar
from nominations.catalogue import service as catalogue
from nominations.catalogue.models import AwardType, VoteBase
from nominations.council import repository
from nominations.council.models import CLOSED, OPEN, AgendaItem, CouncilMember, CouncilSession
from nominations.council.schemas import (
    MIN_MEMBERS,
    AgendaItemOut,
    BallotIn,
    Choice,
    CouncilMemberOut,
    CouncilSessionIn,
    CouncilSessionOut,
    CouncilSessionSummary,
    MemberIn,
    TallyOut,
)
from nominations.models import outbox
from nominations.nominations import guards, workflow
from nominations.nominations import service as nominations
from nominations.nominations.attempt import Attempt, CouncilCount
from nominations.nominations.models import Nomination
from nominations.nominations.workflow import Action
from nominations.org_scope import ScopeCheck
from nominations.rounds import service as rounds
from shared import clock
from shared.auth import Principal
from shared.concurrency import check_if_match
from shared.outbox import Event, emit_many
from shared.pagination import Page, as_day, as_id, decode_keyset, encode_cursor
from shared.problems import Conflict, Forbidden, NotFound, UnprocessableContent


class CouncilSessionNotFound(NotFound):
    slug = "council-session-not-found"
    title = "Council session not found"


class InvalidAgenda(UnprocessableContent):
    slug = "invalid-agenda"
    title = "The agenda names nominations that cannot be put to this council"


class NotBeforeCouncil(Conflict):
    slug = "not-before-council"
    title = "Nominations not waiting for the council"


class AlreadyOnAgenda(Conflict):
    slug = "already-on-agenda"
    title = "Nominations already on an open council session"


class NotAMember(Forbidden):
    slug = "not-a-member"
    title = "Not a member of this council session"


class AlreadyVoted(Conflict):
    slug = "already-voted"
    title = "You have already voted in this session"


class SessionClosed(Conflict):
    slug = "session-closed"
    title = "The council session is closed"


class InvalidBallot(UnprocessableContent):
    slug = "invalid-ballot"
    title = "A ballot must choose once on every agenda item, and on nothing else"


class QuorumNotMet(Conflict):
    slug = "quorum-not-met"
    title = "Too few ballots to close the session"


class AwardTypeNotInForce(Conflict):
    slug = "award-type-not-in-force"
    title = "No version of the award type is in force on the nomination's catalogue date"


def default_quorum(members: int) -> int:
    """Two thirds of the members, and never fewer than three ballots (two would reveal each other)."""
    return max(MIN_MEMBERS, math.ceil(2 * members / 3))


async def get(session: AsyncSession, session_id: int, *, for_update: bool = False) -> CouncilSession:
    council = await repository.get(session, session_id, for_update=for_update)
    if council is None:
        raise CouncilSessionNotFound(f"No council session has the id {session_id}.")
    return council


async def create(session: AsyncSession, principal: Principal, body: CouncilSessionIn) -> CouncilSession:
    """Open a session on nominations of one round that wait for the council and are on no other open session.

    The nominations are locked while they are checked, so two sessions created at once cannot both take one.
    """
    round_ = await rounds.get(session, body.round_id)
    wanted = sorted(body.nomination_ids)
    found = {n.id: n for n in await nominations.lock(session, wanted)}
    unknown = [i for i in wanted if i not in found]
    other_round = [i for i in wanted if i in found and found[i].round_id != round_.id]
    if unknown or other_round:
        errors = [{"name": "nomination_ids", "reason": "unknown", "ids": unknown}] if unknown else []
        if other_round:
            errors.append({"name": "nomination_ids", "reason": "of another round", "ids": other_round})
        raise InvalidAgenda(
            "; ".join(f"{', '.join(map(str, e['ids']))}: {e['reason']}" for e in errors) + ".",
            errors=errors,
            unknown_ids=unknown,
            other_round_ids=other_round,
        )
    not_ready = [i for i in wanted if found[i].status not in workflow.AWAITING_COUNCIL]
    if not_ready:
        raise NotBeforeCouncil(
            f"Nominations {', '.join(map(str, not_ready))} are not in state 'council'.",
            nomination_ids=not_ready,
            statuses={str(i): found[i].status for i in not_ready},
        )
    taken = await repository.on_open_sessions(session, wanted)
    if taken:
        raise AlreadyOnAgenda(
            f"Nominations {', '.join(map(str, sorted(taken)))} are on open council sessions already.",
            nomination_ids=sorted(taken),
            sessions={str(i): s for i, s in sorted(taken.items())},
        )
    council = CouncilSession(
        round_id=round_.id,
        name=body.name,
        held_on=body.held_on,
        quorum=body.quorum or default_quorum(len(body.members)),
        status=OPEN,
        opened_by=principal.subject,
        opened_at=clock.now(),
        ballots_cast=0,
        version=1,
    )
    session.add(council)
    await session.flush()
    await repository.add_members_and_agenda(
        session, council.id, [(m.subject, m.name) for m in body.members], wanted
    )
    members = sorted(body.members, key=lambda member: member.subject)  # as the session lists them
    opened = _session_event("council_session.opened", council, members, {"agenda_size": len(wanted)})
    await emit_many(session, outbox, [opened], occurred_at=council.opened_at)
    return council


def _session_event(
    event_type: str,
    council: CouncilSession,
    members: Sequence[MemberIn | CouncilMember],
    extra: dict[str, int],
) -> Event:
    """A council session event (docs/events.md): the session and who sits on it, and only counts besides."""
    return Event(
        event_type,
        f"council_session/{council.id}",
        {
            "session_id": council.id,
            "round_id": council.round_id,
            "name": council.name,
            "held_on": council.held_on.isoformat(),
            "members": [{"subject": member.subject, "name": member.name} for member in members],
            **extra,
        },
    )


async def list_sessions(
    session: AsyncSession, round_id: int | None, *, limit: int, cursor: str | None
) -> Page[CouncilSessionSummary]:
    """Latest first (by the day held, then id)."""
    rows = await repository.list_summaries(
        session, round_id, limit=limit, after=decode_keyset(cursor, as_day, as_id)
    )
    items = [CouncilSessionSummary.model_validate(row._mapping) for row in rows[:limit]]
    last = items[-1] if items else None
    more = len(rows) > limit and last is not None
    return Page(
        items=items, next_cursor=encode_cursor([last.held_on.isoformat(), last.id]) if more and last else None
    )


def _tally(status: str, result: dict[str, Any] | None) -> TallyOut | None:
    if status != CLOSED or result is None:
        return None
    return TallyOut(
        approve=result["approve"],
        reject=result["reject"],
        abstain=result["abstain"],
        base=result["base"],
        threshold=float(result["threshold"]),
        comparison=result["comparison"],
        passed=result["passed"],
    )


async def read(session: AsyncSession, council: CouncilSession) -> CouncilSessionOut:
    """The session as every reader sees it: who voted, never how; the tallies only once it is closed."""
    members = await repository.members(session, council.id)
    voted = await repository.voters(session, council.id)
    items = await repository.agenda_items(session, council.id)
    briefs = await nominations.briefs(session, [item.nomination_id for item in items])
    return CouncilSessionOut(
        id=council.id,
        round_id=council.round_id,
        name=council.name,
        held_on=council.held_on,
        status="open" if council.status == OPEN else "closed",
        quorum=council.quorum,
        ballots_cast=council.ballots_cast,
        members=[CouncilMemberOut(subject=m.subject, name=m.name, voted=m.subject in voted) for m in members],
        agenda=[
            AgendaItemOut(
                nomination_id=item.nomination_id,
                award_type_code=brief.award_type_code,
                nominee_name=brief.nominee_name,
                nominating_org_unit=brief.nominating_org_unit,
                status=brief.status,
                tally=_tally(council.status, _result_of(council.id, brief.council_result)),
            )
            for item in items
            for brief in [briefs[item.nomination_id]]
        ],
        opened_by=council.opened_by,
        opened_at=council.opened_at,
        closed_by=council.closed_by,
        closed_at=council.closed_at,
        version=council.version,
    )


def _result_of(session_id: int, result: dict[str, Any] | None) -> dict[str, Any] | None:
    """The nomination's count, if it was this session's (a nomination may come before a later one)."""
    return result if result is not None and result.get("session_id") == session_id else None


async def cast_ballot(session: AsyncSession, principal: Principal, session_id: int, body: BallotIn) -> None:
    """Count one member's ballot, secretly.

    In one transaction: the session's ballot count (which also refuses a closed session and holds the
    session row so that closing waits for the ballot), the member's receipt (refusing a second ballot), and
    one set-based counter update per choice value. Nothing stored, returned or logged links the member to a
    choice: the receipt has no time or order, the counters no author, and no audit or outbox event is written.
    """
    council = await get(session, session_id)
    if not await repository.is_member(session, council.id, principal.subject):
        raise NotAMember(f"You ({principal.subject}) do not sit on council session {council.id}.")
    agenda = await repository.agenda_ids(session, council.id)
    missing = sorted(agenda - body.choices.keys())
    extra = sorted(body.choices.keys() - agenda)
    if missing or extra:
        raise InvalidBallot(
            " ".join(
                part
                for part in (
                    f"Choose on {', '.join(map(str, missing))}." if missing else "",
                    f"{', '.join(map(str, extra))} are not on the agenda." if extra else "",
                )
                if part
            ),
            missing_ids=missing,
            extra_ids=extra,
        )
    if not await repository.count_ballot(session, council.id):
        raise SessionClosed(f"Council session {council.id} is closed; ballots are no longer counted.")
    if not await repository.add_receipt(session, council.id, principal.subject):
        raise AlreadyVoted(f"Your ballot in council session {council.id} has been counted already.")
    by_choice: dict[Choice, list[int]] = defaultdict(list)
    for nomination_id, choice in body.choices.items():
        by_choice[choice].append(nomination_id)
    await repository.count_choices(
        session, council.id, {choice.value: sorted(by_choice[choice]) for choice in Choice}
    )
    await session.flush()


def passes(approve: int, base: int, threshold: Decimal, comparison: str) -> bool:
    """approve / base against the threshold, exactly (no floating point): ``gte`` "từ … trở lên", ``gt``
    "trên …"."""
    share = Decimal(approve)
    needed = threshold * base
    return share > needed if comparison == "gt" else share >= needed


VersionKey = tuple[str, dt.date]


async def _award_types(session: AsyncSession, keys: set[VersionKey]) -> dict[VersionKey, AwardType]:
    """The version judging each (award type, catalogue date) on the agenda."""
    award_types: dict[VersionKey, AwardType] = {}
    for code, day in sorted(keys):
        award_type = await catalogue.version_in_force(session, code, day)
        if award_type is None:
            raise AwardTypeNotInForce(f"{code} is not in force on {day}.", award_type=code)
        award_types[code, day] = award_type
    return award_types


async def _counts(
    session: AsyncSession,
    council: CouncilSession,
    nominations_: list[Nomination],
    items: dict[int, AgendaItem],
    award_types: dict[VersionKey, AwardType],
    member_count: int,
    now: dt.datetime,
) -> list[CouncilCount]:
    """Each nomination's count against its award type's threshold and base; one that passed is disclosed
    from today for its award type's working days (none: no public period)."""
    calendar = await load_calendar(session)
    today = clock.local_date(now)
    until: dict[int, dt.date | None] = {}
    counts = []
    for nomination in nominations_:
        item = items[nomination.id]
        award_type = award_types[nomination.award_type_code, nomination.catalogue_date]
        base = member_count if award_type.vote_base == VoteBase.ALL_MEMBERS.value else council.ballots_cast
        passed = passes(item.approve, base, award_type.vote_threshold, award_type.vote_comparison)
        result = {
            "session_id": council.id,
            "approve": item.approve,
            "reject": item.reject,
            "abstain": item.abstain,
            "members": member_count,
            "ballots_cast": council.ballots_cast,
            "base": base,
            "threshold": float(award_type.vote_threshold),
            "comparison": award_type.vote_comparison,
            "passed": passed,
            "counted_on": today.isoformat(),
        }
        if not passed:
            counts.append(CouncilCount(result, False))
            continue
        if not guards.disclosed_after(award_type.disclosure_stage, nomination):
            # Disclosed before the council, or never to be: the nomination awaits its decision.
            counts.append(CouncilCount(result, True))
            continue
        days = award_type.disclosure_working_days
        if days not in until:
            until[days] = calendar.add_working_days(today, days) if days else None
        counts.append(CouncilCount(result, True, today, until[days]))
    return counts


def _action(count: CouncilCount) -> Action:
    if not count.passed:
        return Action.COUNCIL_FAIL
    return Action.COUNCIL_PASS if count.disclosure_from is not None else Action.COUNCIL_APPROVE


async def close(
    session: AsyncSession, scope: ScopeCheck, session_id: int, if_match: str | None
) -> CouncilSession:
    """Close the session and count: each nomination passes to public disclosure or is rejected.

    The base is all members or the ballots cast, per the award type version in force on each nomination's
    catalogue date; a passed nomination is disclosed from today for the award type's working days (none: no
    public period). Refused, changing nothing, while fewer members than the quorum have voted, or when the
    session changed (a ballot more) since the secretariat read it (``If-Match``).
    """
    council = await get(session, session_id, for_update=True)
    check_if_match(if_match, council.version)
    if council.status != OPEN:
        raise SessionClosed(f"Council session {council.id} was closed at {council.closed_at}.")
    if council.ballots_cast < council.quorum:
        raise QuorumNotMet(
            f"{council.ballots_cast} of the members have voted; the quorum is {council.quorum}.",
            ballots_cast=council.ballots_cast,
            quorum=council.quorum,
        )
    round_ = await rounds.get(session, council.round_id)
    items = {item.nomination_id: item for item in await repository.agenda_items(session, council.id)}
    locked = await nominations.lock(session, sorted(items))
    moved = [n.id for n in locked if n.status not in workflow.AWAITING_COUNCIL]
    if moved:
        raise NotBeforeCouncil(
            f"Nominations {', '.join(map(str, moved))} are no longer before the council.",
            nomination_ids=moved,
        )
    award_types = await _award_types(session, {(n.award_type_code, n.catalogue_date) for n in locked})
    now = clock.now()
    members = await repository.members(session, council.id)
    counts = await _counts(session, council, locked, items, award_types, len(members), now)
    batch = [
        (
            Attempt(session, scope, nomination, round_, council=count, now=now),
            _action(count),
        )
        for nomination, count in zip(locked, counts, strict=True)
    ]
    await workflow.transition_all(batch, mixed=NotBeforeCouncil)
    for passed in (True, False):
        ids = [n.id for n, count in zip(locked, counts, strict=True) if count.passed is passed]
        await repository.set_passed(session, council.id, passed, ids)
    council.status = CLOSED
    council.closed_by = scope.principal.subject
    council.closed_at = now
    council.version += 1
    passed_count = sum(1 for count in counts if count.passed)
    tally = {
        "ballots_cast": council.ballots_cast,
        "passed": passed_count,
        "failed": len(counts) - passed_count,
    }
    await emit_many(
        session, outbox, [_session_event("council_session.closed", council, members, tally)], occurred_at=now
    )
    await session.flush()
    return council
