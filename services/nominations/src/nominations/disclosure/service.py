"""Public disclosure (công khai) of the nominations the council passed, and the objections it draws.

Before high awards are proposed the list is made public for at least 10 working days and anyone may object
(Luật Thi đua, khen thưởng 06/2022/QH15; Nghị định 98/2023/NĐ-CP). The public sees only what the award is for
and who is proposed; an objector's contact reaches the secretariat alone. An objection left open blocks the
decision (the workflow's guard ``no_open_objection``); one upheld rejects the nomination.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.disclosure import repository
from nominations.disclosure.models import Objection
from nominations.disclosure.schemas import ObjectionIn, ObjectionOut, PublicDisclosure, ResolutionIn
from nominations.nominations import service as nominations
from nominations.nominations import workflow
from nominations.nominations.attempt import Attempt
from nominations.nominations.models import Nomination
from nominations.nominations.workflow import Action
from nominations.org_scope import ScopeCheck
from nominations.rounds import service as rounds
from shared import clock
from shared.pagination import Page, decode_int_cursor, encode_cursor
from shared.problems import Conflict, NotFound

OPEN, DISMISSED = "open", "dismissed"


class DisclosureNotFound(NotFound):
    slug = "disclosure-not-found"
    title = "No such nomination under public disclosure"


class ObjectionNotFound(NotFound):
    slug = "objection-not-found"
    title = "Objection not found"


class ObjectionAlreadyResolved(Conflict):
    slug = "objection-already-resolved"
    title = "The objection is already resolved"


async def public_disclosures(
    session: AsyncSession,
    *,
    award_type: str | None,
    round_id: int | None,
    limit: int,
    cursor: str | None,
) -> Page[PublicDisclosure]:
    """The nominations whose disclosure period runs today, newest first, public fields only."""
    rows = await nominations.under_disclosure(
        session,
        clock.today(),
        award_type=award_type,
        round_id=round_id,
        limit=limit,
        before_id=decode_int_cursor(cursor),
    )
    items = [PublicDisclosure.model_validate(row._mapping) for row in rows[:limit]]
    more = len(rows) > limit
    return Page[PublicDisclosure](items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def object_to(session: AsyncSession, nomination_id: int, body: ObjectionIn) -> Objection:
    """Take an objection from anyone while the period runs (from ``disclosure_from`` to ``disclosure_until``,
    both inclusive, in Vietnam's dates); a nomination never disclosed is reported as missing."""
    # Locked: two objections at once are both taken, one after the other (each audits the nomination).
    locked = await nominations.lock(session, [nomination_id])
    if not locked or locked[0].status not in workflow.UNDER_DISCLOSURE:
        raise DisclosureNotFound(f"No nomination {nomination_id} is under public disclosure.")
    nomination = locked[0]
    attempt = Attempt(session, None, nomination, await rounds.get(session, nomination.round_id))
    await workflow.check(attempt, Action.OBJECTION_FILED)
    objection = Objection(
        nomination_id=nomination.id, body=body.text, contact=body.contact or None, status=OPEN
    )
    session.add(objection)
    await session.flush()
    # The audit trail and the secretariat's notification; the text and the contact stay in the objection.
    attempt.objection_id = objection.id
    await workflow.transition(attempt, Action.OBJECTION_FILED)
    return objection


def to_out(objection: Objection) -> ObjectionOut:
    return ObjectionOut(
        id=objection.id,
        nomination_id=objection.nomination_id,
        text=objection.body,
        contact=objection.contact,
        status=objection.status,
        resolution=objection.resolution,
        resolved_by=objection.resolved_by,
        resolved_at=objection.resolved_at,
        created_at=objection.created_at,
    )


async def objections(
    session: AsyncSession, nomination: Nomination, *, limit: int, cursor: str | None
) -> Page[ObjectionOut]:
    """Oldest first."""
    rows = await repository.objections_of(
        session, nomination.id, limit=limit, after_id=decode_int_cursor(cursor)
    )
    items = [to_out(objection) for objection in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


async def resolve(
    session: AsyncSession, scope: ScopeCheck, nomination: Nomination, objection_id: int, body: ResolutionIn
) -> Objection:
    """Resolve an open objection once, with the secretariat's written finding.

    An upheld objection rejects the nomination through the workflow (``uphold_objection``). A nomination
    already rejected by another upheld objection stays as it is (``uphold_objection_again``); the objection is
    still recorded as upheld. A dismissal changes no state (``dismiss_objection``).
    """
    await nominations.lock_one(session, nomination)
    objection = await repository.objection_for_update(session, nomination.id, objection_id)
    if objection is None:
        raise ObjectionNotFound(f"Nomination {nomination.id} has no objection {objection_id}.")
    if objection.status != OPEN:
        raise ObjectionAlreadyResolved(
            f"Objection {objection_id} is already {objection.status}.",
            objection_status=objection.status,
            resolved_by=objection.resolved_by,
            resolved_at=objection.resolved_at.isoformat() if objection.resolved_at else None,
        )
    if body.outcome == DISMISSED:
        action = Action.DISMISS_OBJECTION
    elif nomination.status in workflow.sources(Action.UPHOLD_OBJECTION):
        action = Action.UPHOLD_OBJECTION
    else:  # upheld against a nomination another upheld objection has rejected already
        action = Action.UPHOLD_OBJECTION_AGAIN
    round_ = await rounds.get(session, nomination.round_id)
    attempt = Attempt(session, scope, nomination, round_, note=body.note, objection_id=objection.id)
    await workflow.transition(attempt, action)
    objection.status = body.outcome
    objection.resolution = body.note
    objection.resolved_by = scope.principal.subject
    objection.resolved_at = attempt.now
    await session.flush()
    return objection
