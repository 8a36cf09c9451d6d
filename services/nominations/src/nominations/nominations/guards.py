"""The guards of the workflow: what an action needs besides the right state and the right caller.

Each guard is named for the rule it keeps and refuses with the problem that says which rule; the table
``GUARDS`` beside ``WORKFLOW`` (:mod:`nominations.nominations.workflow`) says which guards each action has,
and the transition function runs them, in that order, after checking the state and the caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nominations.catalogue.models import Authority, DisclosureStage
from nominations.nominations.attempt import Attempt, DecisionTerms
from nominations.nominations.eligibility import blocking
from nominations.nominations.models import Nomination, Outcome, Status
from shared import clock
from shared.problems import BadRequest, Conflict, Forbidden, UnprocessableContent

Guard = Callable[[Attempt], Awaitable[None]]
# The forms the Prime Minister or the President decide: the province forwards them, it does not award them.
NATIONAL_AUTHORITIES = frozenset({Authority.PRIME_MINISTER.value, Authority.PRESIDENT.value})


class DeadlinePassed(Conflict):
    slug = "deadline-passed"
    title = "The deadline has passed"


class OverrideRuleRequired(BadRequest):
    slug = "override-rule-required"
    title = "Name a failed or unknown rule to override"


class NotEligible(Conflict):
    slug = "not-eligible"
    title = "Rules failed without an override"


class ForwardingRequired(BadRequest):
    slug = "forwarding-required"
    title = "The forwarding record is required"


class NotForwardable(Conflict):
    slug = "not-forwardable"
    title = "The province decides this award itself"


class DisclosureNotOver(Conflict):
    slug = "disclosure-not-over"
    title = "The public disclosure period is not over"


class OpenObjections(Conflict):
    slug = "open-objections"
    title = "Objections are still open"


class NotTheForwardingOffice(Forbidden):
    slug = "not-the-forwarding-office"
    title = "Only the office that forwarded the nomination records the answer"


class InvalidDecision(UnprocessableContent):
    slug = "invalid-decision"
    title = "The decision cannot be recorded as given"


class WrongAuthority(UnprocessableContent):
    slug = "wrong-authority"
    title = "The award type is decided by another authority"


class DisclosureClosed(Conflict):
    slug = "disclosure-closed"
    title = "The public disclosure period is not running"


class DisclosureStageMismatch(Conflict):
    slug = "disclosure-stage-mismatch"
    title = "The award type puts the public's say at another stage"


class AwardTypeEnded(Conflict):
    slug = "award-type-ended"
    title = "The award type is not in force in the catalogue that judges a dossier sent today"


class NotRejected(Conflict):
    slug = "not-rejected"
    title = "The nomination was not rejected"


async def submission_open(attempt: Attempt) -> None:
    """Nominations are drafted and submitted up to the round's submission deadline (a Vietnamese date)."""
    deadline = attempt.round_.submission_deadline
    if attempt.today > deadline:
        raise DeadlinePassed(
            f"Round {attempt.round_.code} closed for submissions on {deadline}.",
            deadline=deadline.isoformat(),
        )


async def in_force_when_sent(attempt: Attempt) -> None:
    """A dossier sent after a new legal regime began is judged by it (Nghị định 152/2025/NĐ-CP, Điều 60
    khoản 3, read the other way): its award type must be in force then."""
    nomination = attempt.nomination
    if nomination.first_submitted_at is not None:
        return  # judged by the catalogue of its first sending
    day = await attempt.judging_day()
    if day == nomination.catalogue_date:
        return
    version = await attempt.version_on(day)
    fits = version is not None and (
        nomination.occasion in version.occasions and nomination.nominee_kind == version.recipient_kind
    )
    if not fits:
        raise AwardTypeEnded(
            f"{nomination.award_type_code} is not in force on {day} for this nominee and occasion: a dossier"
            f" of this round sent today is judged by the catalogue of {day} (a new legal regime began after"
            " the round's reference date). Withdraw it, or nominate for an award in force then.",
            catalogue_date=day.isoformat(),
        )


async def resubmission_open(attempt: Attempt) -> None:
    """A returned dossier comes back within the round's resubmission working days, counted from the day it
    was returned, and never before the submission deadline."""
    nomination, round_ = attempt.nomination, attempt.round_
    returned_on = (
        attempt.today if nomination.returned_at is None else clock.local_date(nomination.returned_at)
    )
    calendar = await attempt.calendar()
    deadline = max(
        round_.submission_deadline, calendar.add_working_days(returned_on, round_.resubmission_working_days)
    )
    if attempt.today > deadline:
        raise DeadlinePassed(
            f"A returned dossier had to be resubmitted by {deadline}.", deadline=deadline.isoformat()
        )


async def override_names_a_rule_not_passed(attempt: Attempt) -> None:
    """Only a rule that failed or could not be judged is overridden, and it is named."""
    if attempt.override_rule is None:
        raise OverrideRuleRequired("Name the rule to override (override.rule) and say why (note).")
    statuses = {verdict.kind: verdict.status for verdict in (await attempt.eligibility()).verdicts}
    if statuses.get(attempt.override_rule) in (None, "passed"):
        open_ = [kind for kind, status in statuses.items() if status != "passed"]
        raise OverrideRuleRequired(
            f"{attempt.override_rule!r} is not a failed or unknown rule of this nomination; "
            f"those are {', '.join(open_) or 'none'}.",
            rules=open_,
        )


async def no_rule_failed_without_override(attempt: Attempt) -> None:
    """The council considers only dossiers that meet every rule, or whose failures were overridden in
    writing by the secretariat."""
    failing = blocking(await attempt.eligibility())
    if failing:
        raise NotEligible(
            f"Rules failed: {', '.join(failing)}. Return the dossier, reject it, or override each rule "
            "with a written reason.",
            failed_rules=failing,
        )


async def _stage(attempt: Attempt) -> DisclosureStage:
    """When the public has its say, by the award type version that judges the nomination."""
    award_type = await attempt.award_type()
    if award_type is None:
        return DisclosureStage.NONE
    return DisclosureStage(award_type.disclosure_stage)


async def disclosed_before_the_council(attempt: Attempt) -> None:
    """A list is published before the council only for the award types whose version says so (high
    honours: Nghị định 98/2023/NĐ-CP, Điều 46); the others are disclosed after the council or not at all."""
    stage = await _stage(attempt)
    if stage is not DisclosureStage.BEFORE_COUNCIL:
        when = "has no public period" if stage is DisclosureStage.NONE else "is disclosed after the council"
        raise DisclosureStageMismatch(
            f"{attempt.nomination.award_type_code} {when}, not before it; send it to the council.",
            disclosure_stage=stage.value,
        )


async def public_heard_before_the_council(attempt: Attempt) -> None:
    """Where the public's say comes before the council, the council considers only a list that was
    disclosed (the period's end and open objections are the guards after this one)."""
    stage = await _stage(attempt)
    disclosed = attempt.nomination.status == Status.PUBLIC_COMMENT.value
    if stage is DisclosureStage.BEFORE_COUNCIL and not disclosed:
        raise DisclosureStageMismatch(
            f"{attempt.nomination.award_type_code} is publicly disclosed before the council considers it;"
            " disclose it first.",
            disclosure_stage=stage.value,
            allowed_actions=["disclose"],
        )


def disclosed_after(stage: str, nomination: Nomination) -> bool:
    """Whether the council's pass leads to public disclosure: where the version puts it after the council,
    and for a list the version puts before the council that never was disclosed (before the council when its
    version's stage changed): the public has its say before the decision either way."""
    if stage == DisclosureStage.AFTER_COUNCIL.value:
        return True
    return stage == DisclosureStage.BEFORE_COUNCIL.value and nomination.disclosure_from is None


async def disclosed_after_the_council(attempt: Attempt) -> None:
    """The council's pass leads to public disclosure only as :func:`disclosed_after` says."""
    stage = await _stage(attempt)
    if not disclosed_after(stage.value, attempt.nomination):
        raise DisclosureStageMismatch(
            f"{attempt.nomination.award_type_code} is not disclosed after the council ({stage.value}).",
            disclosure_stage=stage.value,
        )


async def not_disclosed_after_the_council(attempt: Attempt) -> None:
    """The council's pass leads straight to ``approved`` only where the public had its say before the council,
    or has none."""
    stage = await _stage(attempt)
    if disclosed_after(stage.value, attempt.nomination):
        raise DisclosureStageMismatch(
            f"{attempt.nomination.award_type_code} is disclosed after the council before its decision.",
            disclosure_stage=stage.value,
        )


async def forwarding_given(attempt: Attempt) -> None:
    if attempt.forwarding is None:
        raise ForwardingRequired("Give the forwarding record: to, document_number, sent_on.")


async def decided_above_the_province(attempt: Attempt) -> None:
    """Only forms the Prime Minister or the President decide are forwarded (Luật Thi đua, khen thưởng
    06/2022/QH15, Điều 78-79); the province awards the others itself."""
    award_type = await attempt.award_type()
    authority = award_type.deciding_authority if award_type else None
    if authority not in NATIONAL_AUTHORITIES:
        raise NotForwardable(
            f"{attempt.nomination.award_type_code} is decided by the {authority or 'unknown authority'},"
            " not forwarded; record the decision instead.",
            deciding_authority=authority,
        )


async def disclosure_over(attempt: Attempt) -> None:
    """The public has its full say: nothing is decided or forwarded while the disclosure period runs."""
    nomination = attempt.nomination
    until = nomination.disclosure_until
    under_disclosure = nomination.status in {Status.DISCLOSURE.value, Status.PUBLIC_COMMENT.value}
    if under_disclosure and until is not None and attempt.today <= until:
        raise DisclosureNotOver(
            f"Nomination {nomination.id} is publicly disclosed until {until}.",
            disclosure_until=until.isoformat(),
        )


async def no_open_objection(attempt: Attempt) -> None:
    """An objection left open blocks the decision until the secretariat resolves it."""
    count = attempt.nomination.open_objections
    if count:
        raise OpenObjections(
            f"Nomination {attempt.nomination.id} has {count} open objection(s) for the secretariat to"
            " resolve.",
            open_objections=count,
        )


async def recorded_by_the_forwarding_office(attempt: Attempt) -> None:
    """The refusal of the Prime Minister or the President is recorded by the office that forwarded it."""
    addressee = (attempt.nomination.forwarding or {}).get("to")
    levels = (
        frozenset() if attempt.caller is None else (await attempt.caller.authority_levels(attempt.today))[1]
    )
    if addressee not in levels:
        raise NotTheForwardingOffice(
            f"The refusal of the {addressee} is recorded by the office that forwarded the nomination.",
            allowed_actions=[],
        )


def _terms(attempt: Attempt) -> DecisionTerms:
    if attempt.decision is None:
        raise RuntimeError("an award is made by a decision")
    return attempt.decision


async def signed_after_disclosure(attempt: Attempt) -> None:
    """A decision signed before the public had its full say is not valid, whatever day it is recorded,
    and it may not predate the council's vote that passed the nomination."""
    signed_on = _terms(attempt).signed_on
    nomination = attempt.nomination
    until, since = nomination.disclosure_until, nomination.disclosure_from
    counted = (nomination.council_result or {}).get("counted_on")
    if (until is not None and signed_on <= until) or (
        until is None and since is not None and signed_on < since
    ):
        raise DisclosureNotOver(
            f"{nomination.id}: signed on {signed_on}, within its disclosure period (until {until})",
            disclosure_until=until.isoformat() if until else None,
        )
    if counted is not None and signed_on.isoformat() < counted:
        raise InvalidDecision(
            f"{nomination.id}: signed on {signed_on}, before the council passed it on {counted}",
            errors=[{"name": "signed_on", "reason": "before the council's vote"}],
        )


async def award_type_in_force(attempt: Attempt) -> None:
    if await attempt.award_type() is None:
        raise InvalidDecision(
            f"{attempt.nomination.id}: {attempt.nomination.award_type_code} is not in the catalogue in force"
            f" on {attempt.nomination.catalogue_date}"
        )


async def decided_by_this_authority(attempt: Attempt) -> None:
    """Each authority awards the forms of its level (Luật 06/2022/QH15, Điều 78-79); where that office's
    tier ended before the decision was signed (the district chairs on 2025-07-01), the office the catalogue
    names as its successor signs in its place."""
    terms = _terms(attempt)
    award_type = await attempt.award_type()
    if award_type is None or terms.authority == award_type.deciding_authority:
        return  # the common case: no successor is looked up for each nomination of a decision
    deciders = await attempt.deciders(award_type.deciding_authority, terms.signed_on)
    if terms.authority not in deciders:
        raise WrongAuthority(
            f"{attempt.nomination.id}: {award_type.code} is decided by "
            + " or ".join(sorted(deciders))
            + f" on {terms.signed_on}, not {terms.authority}"
        )


async def disclosure_running(attempt: Attempt) -> None:
    """Objections are taken from ``disclosure_from`` to ``disclosure_until``, both inclusive, in Vietnam's
    dates."""
    nomination, today = attempt.nomination, attempt.today
    starts, ends = nomination.disclosure_from, nomination.disclosure_until
    if (starts is not None and today < starts) or (ends is not None and today > ends):
        raise DisclosureClosed(
            f"Objections to nomination {nomination.id} are taken from {starts or 'its publication'} to "
            f"{ends or 'the decision'}; today is {today}.",
            disclosure_from=starts.isoformat() if starts else None,
            disclosure_until=ends.isoformat() if ends else None,
        )


async def already_rejected(attempt: Attempt) -> None:
    """An objection upheld after another one rejected the nomination changes nothing but its own record."""
    if attempt.nomination.outcome != Outcome.REJECTED.value:
        raise NotRejected(
            f"Nomination {attempt.nomination.id} was {attempt.nomination.outcome}, not rejected."
        )
