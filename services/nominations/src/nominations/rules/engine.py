"""The eligibility engine: one function judges a nomination against its award type's rules, which are data.

Each rule yields a verdict, ``passed``, ``failed`` or ``unknown`` (a fact the platform does not have yet, such
as this year's grassroots title still being decided in the same round), with the reason in Vietnamese-facing
English. The legal principles the checks follow (Luật Thi đua, khen thưởng 06/2022/QH15, Nghị định
98/2023/NĐ-CP):

* prerequisite titles held for N consecutive years, counting only awards for regular merit: ad-hoc and
  thematic awards do not count towards a higher award;
* a collective's member shares (e.g. at least 70 % Lao động tiên tiến, at least one Chiến sĩ thi đua cơ sở);
* an accepted initiative of a given scope;
* no open discipline, investigation or complaint;
* one achievement, one award;
* quotas per issuing body.

Adding a rule kind means adding one function to ``CHECKS``; the catalogue refuses kinds the engine does not
know (:data:`RULE_KINDS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from nominations.catalogue.models import COUNTING_OCCASIONS


class VerdictStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"


SCOPE_RANK = {"grassroots": 1, "provincial": 2, "national": 3}


@dataclass(frozen=True, slots=True)
class HeldAward:
    award_type_code: str
    year: int
    occasion: str = "annual"
    achievement_key: str | None = None


@dataclass(frozen=True, slots=True)
class Initiative:
    title: str
    scope: str  # grassroots, provincial, national: how far its effect was recognised
    year: int


@dataclass(frozen=True, slots=True)
class Members:
    """A collective's members in the round's year."""

    headcount: int
    titles: Mapping[str, int] = field(default_factory=dict)  # award type code → members holding it
    completed_duties: bool | None = None  # all members completed their duties (declared in the dossier)


@dataclass(frozen=True, slots=True)
class QuotaUse:
    used: int  # nominations counted against the quota, this one included
    allowed: int
    basis: str


@dataclass(frozen=True)
class Facts:
    round_year: int
    history: Sequence[HeldAward] = ()
    initiatives: Sequence[Initiative] = ()
    open_discipline: bool | None = None
    achievement_keys: Sequence[str] = ()
    members: Members | None = None
    quota: QuotaUse | None = None
    # Achievement keys rewarded under the nominee's key whatever the name written with them: a restriction
    # is judged on everything recorded (None: those of ``history``).
    rewarded_achievements: Sequence[str] | None = None


@dataclass(frozen=True, slots=True)
class RuleSpec:
    kind: str
    params: Mapping[str, Any]
    description: str
    legal_source: str


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str
    status: VerdictStatus
    reason: str
    description: str
    legal_source: str


Result = tuple[VerdictStatus, str]


def _counting_years(facts: Facts, code: str) -> set[int]:
    return {
        held.year
        for held in facts.history
        if held.award_type_code == code and held.occasion in COUNTING_OCCASIONS
    }


def _consecutive_titles(facts: Facts, params: Mapping[str, Any]) -> Result:
    code, needed = str(params["award_type"]), int(params["years"])
    last = facts.round_year if params.get("through", "round_year") == "round_year" else facts.round_year - 1
    held = _counting_years(facts, code)
    wanted = list(range(last - needed + 1, last + 1))
    missing = [year for year in wanted if year not in held]
    if not missing:
        return VerdictStatus.PASSED, f"{code} held in {', '.join(map(str, wanted))}"
    if missing == [facts.round_year]:
        return (
            VerdictStatus.UNKNOWN,
            f"{code} of {facts.round_year} is not decided yet (held in the years before)",
        )
    others = sorted(y for y in {h.year for h in facts.history if h.award_type_code == code} - held)
    note = f"; {', '.join(map(str, others))} were ad-hoc or thematic and do not count" if others else ""
    return (
        VerdictStatus.FAILED,
        f"{code} needed in {', '.join(map(str, wanted))}, missing {', '.join(map(str, missing))}{note}",
    )


def _holds_title(facts: Facts, params: Mapping[str, Any]) -> Result:
    code = str(params["award_type"])
    if facts.round_year in {h.year for h in facts.history if h.award_type_code == code}:
        return VerdictStatus.PASSED, f"{code} held in {facts.round_year}"
    return VerdictStatus.UNKNOWN, f"{code} of {facts.round_year} is not recorded (yet)"


def _initiative(facts: Facts, params: Mapping[str, Any]) -> Result:
    scope = str(params.get("min_scope", "grassroots"))
    within = int(params.get("within_years", 1))
    first_year = facts.round_year - within + 1
    found = [
        initiative
        for initiative in facts.initiatives
        if SCOPE_RANK.get(initiative.scope, 0) >= SCOPE_RANK[scope]
        and first_year <= initiative.year <= facts.round_year
    ]
    if found:
        return (
            VerdictStatus.PASSED,
            f"accepted initiative: {found[0].title} ({found[0].scope}, {found[0].year})",
        )
    return (
        VerdictStatus.FAILED,
        f"no accepted initiative of {scope} scope or wider in {first_year}-{facts.round_year}",
    )


def _member_share(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.members is None or facts.members.headcount <= 0:
        return VerdictStatus.UNKNOWN, "the collective's members are not given"
    code, minimum = str(params["award_type"]), Fraction(str(params["min_share"]))
    # "từ 70% trở lên" is at least the share (gte); "trên 50%" is more than it (gt), as the law words it.
    strict = params.get("comparison", "gte") == "gt"
    holders, headcount = facts.members.titles.get(code, 0), facts.members.headcount
    share = Fraction(holders, headcount)  # exact: 1 of 2 is half, not 0.49999
    passed = share > minimum if strict else share >= minimum
    status = VerdictStatus.PASSED if passed else VerdictStatus.FAILED
    wanted = "more than" if strict else "at least"
    return (
        status,
        f"{holders} of {headcount} members hold {code} ({float(share):.0%}; {wanted} {float(minimum):.0%})",
    )


def _member_count(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.members is None:
        return VerdictStatus.UNKNOWN, "the collective's members are not given"
    code, minimum = str(params["award_type"]), int(params["min"])
    holders = facts.members.titles.get(code, 0)
    status = VerdictStatus.PASSED if holders >= minimum else VerdictStatus.FAILED
    return status, f"{holders} members hold {code} (at least {minimum})"


def _members_completed_duties(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.members is None or facts.members.completed_duties is None:
        return VerdictStatus.UNKNOWN, "the dossier does not say whether every member completed their duties"
    if facts.members.completed_duties:
        return VerdictStatus.PASSED, "every member completed their duties"
    return VerdictStatus.FAILED, "not every member completed their duties"


def _no_open_discipline(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.open_discipline is None:
        return VerdictStatus.UNKNOWN, "discipline, investigation and complaint records are not known"
    if facts.open_discipline:
        return VerdictStatus.FAILED, "under discipline, investigation or an open complaint"
    return VerdictStatus.PASSED, "no open discipline, investigation or complaint"


def _one_achievement_one_award(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.rewarded_achievements is not None:
        rewarded = set(facts.rewarded_achievements)
    else:
        rewarded = {held.achievement_key for held in facts.history if held.achievement_key}
    again = sorted(set(facts.achievement_keys) & rewarded)
    if again:
        return VerdictStatus.FAILED, f"already rewarded for: {', '.join(again)}"
    return VerdictStatus.PASSED, "no achievement of this nomination has been rewarded before"


def _quota(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.quota is None:
        return VerdictStatus.UNKNOWN, "the quota's basis is not known for this issuing body"
    use = facts.quota
    status = VerdictStatus.PASSED if use.used <= use.allowed else VerdictStatus.FAILED
    return status, f"{use.used} of at most {use.allowed} ({use.basis})"


CHECKS: dict[str, Callable[[Facts, Mapping[str, Any]], Result]] = {
    "consecutive_titles": _consecutive_titles,
    "holds_title": _holds_title,
    "initiative": _initiative,
    "member_share": _member_share,
    "member_count": _member_count,
    "members_completed_duties": _members_completed_duties,
    "no_open_discipline": _no_open_discipline,
    "one_achievement_one_award": _one_achievement_one_award,
    "quota": _quota,
}
RULE_KINDS = frozenset(CHECKS)


def evaluate(rules: Sequence[RuleSpec], facts: Facts) -> list[Verdict]:
    """A verdict per rule, in the rules' order."""
    verdicts = []
    for rule in rules:
        check = CHECKS.get(rule.kind)
        if check is None:
            status, reason = VerdictStatus.UNKNOWN, f"this platform has no check for rule kind {rule.kind!r}"
        else:
            try:
                status, reason = check(facts, rule.params)
            except (KeyError, TypeError, ValueError) as exc:
                status, reason = VerdictStatus.UNKNOWN, f"the rule's parameters are incomplete ({exc})"
        verdicts.append(Verdict(rule.kind, status, reason, rule.description, rule.legal_source))
    return verdicts


def overall(verdicts: Sequence[Verdict]) -> VerdictStatus:
    statuses = {verdict.status for verdict in verdicts}
    if VerdictStatus.FAILED in statuses:
        return VerdictStatus.FAILED
    return VerdictStatus.UNKNOWN if VerdictStatus.UNKNOWN in statuses else VerdictStatus.PASSED
