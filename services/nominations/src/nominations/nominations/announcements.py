"""What the workflow tells the notifications service: the events an action writes to the outbox.

``ANNOUNCEMENTS`` beside ``WORKFLOW`` says which events each action announces; the transition function writes
them in the same transaction as the change of state and the audit record, after the effects, so each event
tells the nomination as the action left it. The fields are a contract (docs/events.md) that the notifications
service validates strictly, version by version: an event carries exactly the fields listed there, and a
change of them is a new version. Objections are announced without the objector: their text and contact stay
with the secretariat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from nominations.nominations.attempt import Attempt
from nominations.nominations.models import Status
from nominations.rules.engine import VerdictStatus
from shared.outbox import Event

Data = Callable[[Attempt], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Announcement:
    """One event an action writes: its type, what it is about, and its data."""

    event_type: str
    subject: Literal["nomination", "objection"]
    data: Data
    version: int = 1

    async def event(self, attempt: Attempt) -> Event:
        data = await self.data(attempt)
        about = data["nomination_id"] if self.subject == "nomination" else data["objection_id"]
        return Event(self.event_type, f"{self.subject}/{about}", data, version=self.version)


def _nomination(attempt: Attempt) -> dict[str, Any]:
    """The fields every nomination event carries: which nomination, its state after the action, the note."""
    nomination = attempt.nomination
    return {
        "nomination_id": nomination.id,
        "round_id": nomination.round_id,
        "award_type": nomination.award_type_code,
        "nominee_name": nomination.nominee_name,
        "nominating_org_unit": nomination.nominating_org_unit,
        "status": nomination.status,
        "note": attempt.note,
    }


async def _plain(attempt: Attempt) -> dict[str, Any]:
    return _nomination(attempt)


def _nomination_event(event_type: str, data: Data = _plain) -> Announcement:
    return Announcement(event_type, "nomination", data)


def submitted(*, resubmitted: bool) -> Announcement:
    async def data(attempt: Attempt) -> dict[str, Any]:
        return {**_nomination(attempt), "resubmitted": resubmitted}

    return _nomination_event("nomination.submitted", data)


async def _screened(attempt: Attempt) -> dict[str, Any]:
    """The rules the screening found failed (overridden or not: the secretariat's overrides come after)."""
    verdicts = (await attempt.eligibility()).verdicts
    failed = [verdict.kind for verdict in verdicts if verdict.status == VerdictStatus.FAILED]
    return {**_nomination(attempt), "failed_rules": failed}


async def _forwarded(attempt: Attempt) -> dict[str, Any]:
    forwarding = attempt.nomination.forwarding or {}
    return {**_nomination(attempt), "to_authority": forwarding.get("to")}


async def _decided(attempt: Attempt) -> dict[str, Any]:
    outcome = attempt.nomination.outcome
    if attempt.nomination.status != Status.DECIDED.value or outcome is None:
        raise RuntimeError("nomination.decided is announced by an action that decides")
    return {**_nomination(attempt), "outcome": outcome}


def disclosure_opened(stage: Literal["before_council", "after_council"]) -> Announcement:
    async def data(attempt: Attempt) -> dict[str, Any]:
        nomination = attempt.nomination
        opens_on, closes_on = nomination.disclosure_from, nomination.disclosure_until
        # A stage with a public period has working days (the catalogue's check disclosure_stage_days).
        if opens_on is None or closes_on is None:
            raise RuntimeError("disclosure.opened is announced by an action that opens a disclosure")
        return {
            **_nomination(attempt),
            "stage": stage,
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
        }

    return _nomination_event("disclosure.opened", data)


def _objection(attempt: Attempt) -> dict[str, Any]:
    """Which objection on which nomination; never who objected nor what they wrote."""
    if attempt.objection_id is None:
        raise RuntimeError("an objection's action names the objection")
    nomination = attempt.nomination
    return {
        "objection_id": attempt.objection_id,
        "nomination_id": nomination.id,
        "round_id": nomination.round_id,
        "award_type": nomination.award_type_code,
        "nominee_name": nomination.nominee_name,
        "nominating_org_unit": nomination.nominating_org_unit,
    }


async def _objection_filed(attempt: Attempt) -> dict[str, Any]:
    return _objection(attempt)


def objection_resolved(resolution: Literal["dismissed", "upheld"]) -> Announcement:
    async def data(attempt: Attempt) -> dict[str, Any]:
        return {**_objection(attempt), "resolution": resolution, "note": attempt.note}

    return Announcement("objection.resolved", "objection", data)


RETURNED = _nomination_event("nomination.returned")
SCREENED = _nomination_event("nomination.screened", _screened)
SENT_TO_COUNCIL = _nomination_event("nomination.sent_to_council")
FORWARDED = _nomination_event("nomination.forwarded", _forwarded)
WITHDRAWN = _nomination_event("nomination.withdrawn")
DECIDED = _nomination_event("nomination.decided", _decided)
OBJECTION_FILED = Announcement("objection.filed", "objection", _objection_filed)
