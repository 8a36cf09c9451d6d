"""The facts the rule engine judges a nomination on (the dossier, the history, the round's quota), and the
verdicts as the API shows them. Pure: :func:`nominations.nominations.service.judge` reads what it needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from nominations.catalogue.models import EligibilityRule, Quota
from nominations.nominations.models import Nomination
from nominations.nominations.schemas import EligibilityOut, VerdictOut
from nominations.registry.service import NomineeHistory
from nominations.rounds.models import Round
from nominations.rules.engine import (
    Facts,
    Initiative,
    Members,
    QuotaUse,
    RuleSpec,
    Verdict,
    VerdictStatus,
    evaluate,
    overall,
)


@dataclass(frozen=True, slots=True)
class QuotaBasis:
    """What a quota is a share of, and how many nominations of the unit already count against it."""

    quota: Quota
    used: int
    basis: int | None  # the headcount, or the holders of the basis title; None: not known
    label: str


def applicable_quota(quotas: list[Quota], unit: str) -> Quota | None:
    """The unit's own quota first, else the general one."""
    applicable = [quota for quota in quotas if quota.issuing_body in (None, unit)]
    return min(applicable, key=lambda quota: quota.issuing_body is None) if applicable else None


def quota_use(basis: QuotaBasis | None) -> QuotaUse | None:
    if basis is None or basis.basis is None or basis.basis == 0:
        return None
    allowed = math.floor(float(basis.quota.max_share) * basis.basis)
    return QuotaUse(used=basis.used, allowed=allowed, basis=basis.label)


def judge(
    nomination: Nomination,
    round_: Round,
    rules: list[EligibilityRule],
    history: NomineeHistory,
    quota: QuotaBasis | None,
) -> EligibilityOut:
    """The verdict per rule, with warnings for the screener (awards under the nominee's key, other names)."""
    warnings = []
    if history.other_names:
        warnings.append(
            f"{len(history.other_names)} other name(s) hold awards under the key {nomination.nominee_key!r};"
            " their awards are not counted. Check the nominee's key."
        )
    members = nomination.members
    facts = Facts(
        round_year=round_.year,
        history=history.held,
        rewarded_achievements=history.rewarded_achievements,
        initiatives=[Initiative(i["title"], i["scope"], int(i["year"])) for i in nomination.initiatives],
        open_discipline=nomination.open_discipline,
        achievement_keys=nomination.achievement_keys,
        members=Members(
            headcount=int(members["headcount"]),
            titles={str(k): int(v) for k, v in members.get("titles", {}).items()},
            completed_duties=members.get("completed_duties"),
        )
        if members
        else None,
        quota=quota_use(quota),
    )
    specs = [RuleSpec(rule.kind, rule.params, rule.description, rule.legal_source) for rule in rules]
    return to_out(nomination, round_, evaluate(specs, facts), warnings)


def to_out(
    nomination: Nomination, round_: Round, verdicts: list[Verdict], warnings: list[str]
) -> EligibilityOut:
    overridden = {override["rule"] for override in nomination.overrides}
    out = [
        VerdictOut(
            kind=v.kind,
            status=v.status.value,
            reason=v.reason,
            reason_vi=v.reason_vi or None,
            description=v.description,
            legal_source=v.legal_source,
            overridden=v.kind in overridden and v.status is not VerdictStatus.PASSED,
        )
        for v in verdicts
    ]
    return EligibilityOut(
        nomination_id=nomination.id,
        award_type=nomination.award_type_code,
        judged_on=nomination.catalogue_date,
        overall=overall(verdicts).value,
        verdicts=out,
        overrides=nomination.overrides,
        warnings=warnings,
    )


def blocking(eligibility: EligibilityOut) -> list[str]:
    """Rules that failed and were not overridden: they keep the nomination from the council."""
    return [v.kind for v in eligibility.verdicts if v.status == VerdictStatus.FAILED and not v.overridden]
