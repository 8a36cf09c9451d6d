"""The effects of the workflow: what an action changes on the nomination besides its state.

Each effect returns what the audit record keeps of it; the table ``EFFECTS`` beside ``WORKFLOW`` says which
effects an action has, and the transition function applies them once every guard has passed, in the same
transaction as the change of state, the audit record and the outbox event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nominations.nominations.attempt import Attempt

Effect = Callable[[Attempt], Awaitable[dict[str, Any] | None]]
# Fields a unit changes by editing its dossier; the state, the outcome and the council's, the disclosure's
# and the decision's fields are never among them.
EDITABLE_FIELDS = frozenset(
    {
        "nominee_kind",
        "nominee_name",
        "nominee_key",
        "nominee_position",
        "nominee_org_unit",
        "nominee_groups",
        "achievements",
        "achievement_keys",
        "initiatives",
        "members",
        "open_discipline",
        "unit_headcount",
    }
)


async def apply_edit(attempt: Attempt) -> None:
    unknown = set(attempt.changes) - EDITABLE_FIELDS
    if unknown:
        raise RuntimeError(f"not editable: {sorted(unknown)}")
    for name, value in attempt.changes.items():
        setattr(attempt.nomination, name, value)


async def fix_the_catalogue_date(attempt: Attempt) -> dict[str, Any]:
    """On its first sending, the dossier's catalogue date is fixed: the round's reference date, or the
    regime change the sending came after (nominations.catalogue.regimes)."""
    nomination = attempt.nomination
    if nomination.first_submitted_at is not None:
        return {}
    day = await attempt.judging_day()
    if day == nomination.catalogue_date:
        return {}
    version = await attempt.version_on(day)
    if version is None:
        raise RuntimeError("the guard in_force_when_sent checks the version first")
    before = nomination.catalogue_date
    nomination.catalogue_date, nomination.award_name = day, version.name
    attempt.forget_award_type()
    return {"catalogue_date": day.isoformat(), "catalogue_date_before": before.isoformat()}


async def store_eligibility(attempt: Attempt) -> dict[str, Any]:
    """The screening's verdicts are kept with the dossier, as the council will read them."""
    verdicts = await attempt.eligibility()
    attempt.nomination.eligibility = verdicts.model_dump(mode="json")
    return {"overall": verdicts.overall}


async def record_override(attempt: Attempt) -> dict[str, Any]:
    """The secretariat's override of one rule, with its written reason (the note), who and when."""
    nomination = attempt.nomination
    nomination.overrides = [
        *nomination.overrides,
        {
            "rule": attempt.override_rule,
            "reason": attempt.note,
            "by": attempt.caller.principal.subject if attempt.caller else "public",
            "at": attempt.now.isoformat(),
        },
    ]
    return {"rule": attempt.override_rule}


async def open_disclosure(attempt: Attempt) -> dict[str, Any]:
    """The list is published for comment from today for the version's working days (before the council)."""
    award_type = await attempt.award_type()
    days = award_type.disclosure_working_days if award_type else 0
    calendar = await attempt.calendar()
    nomination = attempt.nomination
    nomination.disclosure_from = attempt.today
    nomination.disclosure_until = calendar.add_working_days(attempt.today, days) if days else None
    return {
        "disclosure_from": attempt.today.isoformat(),
        "disclosure_until": nomination.disclosure_until.isoformat() if nomination.disclosure_until else None,
        "stage": "before_council",
    }


async def record_forwarding(attempt: Attempt) -> dict[str, Any]:
    nomination = attempt.nomination
    by = attempt.caller.principal.subject if attempt.caller else "public"
    nomination.forwarding = {**(attempt.forwarding or {}), "by": by}
    return {"forwarding": nomination.forwarding}


async def record_count(attempt: Attempt) -> dict[str, Any]:
    """The council's count; a nomination that passed into disclosure is disclosed for its working days."""
    if attempt.council is None:
        raise RuntimeError("a council's pass or failure is its count")
    nomination, count = attempt.nomination, attempt.council
    nomination.council_result = count.result
    if count.passed and count.disclosure_from is not None:
        nomination.disclosure_from = count.disclosure_from
        nomination.disclosure_until = count.disclosure_until
    return count.result


async def record_decision(attempt: Attempt) -> dict[str, Any]:
    if attempt.decision is None:
        raise RuntimeError("an award is made by a decision")
    attempt.nomination.decision_id = attempt.decision.decision_id
    return {"decision_id": attempt.decision.decision_id, "decision_number": attempt.decision.number}


async def count_objection(attempt: Attempt) -> dict[str, Any]:
    attempt.nomination.open_objections += 1
    return {"objection_id": attempt.objection_id}


async def resolve_objection(attempt: Attempt) -> dict[str, Any]:
    attempt.nomination.open_objections -= 1
    return {"objection_id": attempt.objection_id}
