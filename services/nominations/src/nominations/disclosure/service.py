"""Public disclosure (công khai) of the nominations the council passed, and the objections it draws.

Before high awards are proposed the list is made public for at least 10 working days and anyone may object
(Luật Thi đua, khen thưởng 06/2022/QH15; Nghị định 98/2023/NĐ-CP). The public sees only what the award is for
and who is proposed; an objector's contact reaches the secretariat alone. An objection left open blocks the
decision (:func:`nominations.dossiers.service.ready_for_decision`); one upheld rejects the nomination.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.disclosure import repository
from nominations.disclosure.models import Objection
from nominations.disclosure.schemas import ObjectionIn, ObjectionOut, PublicDisclosure, ResolutionIn
from nominations.dossiers.models import Nomination, Outcome, Status
from nominations.dossiers.workflow import Action, record, transition
from nominations.org_scope import ScopeCheck
from nominations.rounds import service as rounds
from shared import clock
from shared.pagination import Page, decode_int_cursor, encode_cursor
from shared.problems import Conflict, NotFound


class DisclosureNotFound(NotFound):
    slug = "disclosure-not-found"
    title = "No such nomination under public disclosure"


class DisclosureClosed(Conflict):
    slug = "disclosure-closed"
    title = "The public disclosure period is not running"


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
    query = repository.public_page(
        clock.today(),
        award_type=award_type,
        round_id=round_id,
        limit=limit,
        before_id=decode_int_cursor(cursor),
    )
    rows = (await session.execute(query)).all()
    items = [PublicDisclosure.model_validate(row._mapping) for row in rows[:limit]]
    more = len(rows) > limit
    return Page[PublicDisclosure](items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def object_to(session: AsyncSession, nomination_id: int, body: ObjectionIn) -> Objection:
    """Take an objection from anyone while the period runs (from ``disclosure_from`` to ``disclosure_until``,
    both inclusive, in Vietnam's dates); a nomination never disclosed is reported as missing."""
    # Locked: two objections at once are both taken, one after the other (each audits the nomination).
    nomination = await session.get(Nomination, nomination_id, with_for_update=True)
    if nomination is None or nomination.status != Status.DISCLOSURE.value:
        raise DisclosureNotFound(f"No nomination {nomination_id} is under public disclosure.")
    today = clock.today()
    starts, ends = nomination.disclosure_from, nomination.disclosure_until
    if (starts is not None and today < starts) or (ends is not None and today > ends):
        raise DisclosureClosed(
            f"Objections to nomination {nomination_id} are taken from {starts or 'its publication'} to "
            f"{ends or 'the decision'}; today is {today}.",
            disclosure_from=starts.isoformat() if starts else None,
            disclosure_until=ends.isoformat() if ends else None,
        )
    objection = Objection(
        nomination_id=nomination.id, body=body.text, contact=body.contact or None, status="open"
    )
    session.add(objection)
    await session.flush()
    # The audit trail and the secretariat's notification; the text and the contact stay in the objection.
    await record(
        session, "public", [], nomination, Action.OBJECTION_FILED, None, {"objection_id": objection.id}
    )
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


async def objections(session: AsyncSession, nomination: Nomination) -> list[ObjectionOut]:
    return [to_out(objection) for objection in await repository.objections_of(session, nomination.id)]


async def resolve(
    session: AsyncSession, scope: ScopeCheck, nomination: Nomination, objection_id: int, body: ResolutionIn
) -> Objection:
    """Resolve an open objection once, with the secretariat's written finding.

    An upheld objection rejects the nomination through the workflow (``uphold_objection``: audit record and
    outbox event in the same transaction). A nomination already rejected by another upheld objection stays
    as it is; the objection is still recorded as upheld.
    """
    await session.refresh(nomination, with_for_update=True)
    objection = await repository.objection_for_update(session, nomination.id, objection_id)
    if objection is None:
        raise ObjectionNotFound(f"Nomination {nomination.id} has no objection {objection_id}.")
    if objection.status != "open":
        raise ObjectionAlreadyResolved(
            f"Objection {objection_id} is already {objection.status}.",
            objection_status=objection.status,
            resolved_by=objection.resolved_by,
            resolved_at=objection.resolved_at.isoformat() if objection.resolved_at else None,
        )
    now = clock.now()
    if body.outcome == "upheld" and not (
        nomination.status == Status.DECIDED.value and nomination.outcome == Outcome.REJECTED.value
    ):
        round_ = await rounds.get(session, nomination.round_id)
        await transition(
            session,
            scope,
            nomination,
            Action.UPHOLD_OBJECTION,
            round_.reference_date,
            note=body.note,
            details={"objection_id": objection.id},
            now=now,
        )
    else:  # dismissed, or upheld against a nomination another upheld objection has rejected already
        await record(
            session,
            scope.principal.subject,
            sorted(scope.principal.roles),
            nomination,
            Action.DISMISS_OBJECTION if body.outcome == "dismissed" else Action.UPHOLD_OBJECTION_AGAIN,
            body.note,
            {"objection_id": objection.id},
            now,
        )
    objection.status = body.outcome
    objection.resolution = body.note
    objection.resolved_by = scope.principal.subject
    objection.resolved_at = now
    await session.flush()
    return objection
