"""The facts the rule engine judges a nomination on, gathered from the dossier, the history and the round."""

from __future__ import annotations

import math

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue import repository as catalogue
from nominations.dossiers.models import Nomination, Outcome, Status
from nominations.dossiers.schemas import EligibilityOut, VerdictOut
from nominations.registry.models import Award
from nominations.registry.service import nominee_history
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

# Nominations that no longer count against a quota or as a basis.
NOT_COUNTING = (Status.WITHDRAWN.value,)


def _live(query_round_id: int, award_type: str, unit: str) -> list[ColumnElement[bool]]:
    return [
        Nomination.round_id == query_round_id,
        Nomination.award_type_code == award_type,
        Nomination.nominating_org_unit == unit,
        Nomination.status.not_in(NOT_COUNTING),
        func.coalesce(Nomination.outcome, "") != Outcome.REJECTED.value,
    ]


async def _quota(session: AsyncSession, nomination: Nomination, round_: Round) -> QuotaUse | None:
    quotas = await catalogue.quotas_in_force(session, [nomination.award_type_code], round_.reference_date)
    unit = nomination.nominating_org_unit
    applicable = [q for q in quotas if q.issuing_body in (None, unit)]
    if not applicable:
        return None
    quota = min(applicable, key=lambda q: q.issuing_body is None)  # the unit's own quota first
    used = await session.scalar(
        select(func.count())
        .select_from(Nomination)
        .where(*_live(round_.id, nomination.award_type_code, unit))
    )
    if quota.basis == "headcount":
        if nomination.unit_headcount is None:
            return None
        basis = nomination.unit_headcount
        label = f"{float(quota.max_share):.0%} of a headcount of {basis}"
    elif quota.basis.startswith("award:"):
        code = quota.basis.removeprefix("award:")
        # Holders of the basis title this year: decided already, or nominated in this round and still live.
        decided = await session.scalar(
            select(func.count())
            .select_from(Award)
            .where(
                Award.award_type_code == code, Award.year == round_.year, Award.org_unit_path.contains([unit])
            )
        )
        pending = await session.scalar(
            select(func.count())
            .select_from(Nomination)
            .where(*_live(round_.id, code, unit), Nomination.status != Status.DECIDED.value)
        )
        basis = int(decided or 0) + int(pending or 0)
        if basis == 0:
            return None
        label = f"{float(quota.max_share):.0%} of {basis} holding {code} in {round_.year}"
    else:
        return None
    return QuotaUse(used=int(used or 0), allowed=math.floor(float(quota.max_share) * basis), basis=label)


async def judge(
    session: AsyncSession, nomination: Nomination, round_: Round
) -> tuple[list[Verdict], list[str]]:
    """The verdict per rule, and warnings for the screener (awards under the nominee's key, other names)."""
    rules = await catalogue.rules_in_force(session, [nomination.award_type_code], round_.reference_date)
    members = nomination.members
    history = await nominee_history(
        session,
        nomination.nominee_key,
        nomination.nominee_name,
        by_name=nomination.nominee_kind == "individual",
    )
    other_names = history.other_names
    warnings = []
    if other_names:
        warnings.append(
            f"{len(other_names)} other name(s) hold awards under the key {nomination.nominee_key!r};"
            " their awards are not counted. Check the nominee's key."
        )
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
        quota=await _quota(session, nomination, round_),
    )
    specs = [RuleSpec(rule.kind, rule.params, rule.description, rule.legal_source) for rule in rules]
    return evaluate(specs, facts), warnings


def to_out(
    nomination: Nomination, round_: Round, verdicts: list[Verdict], warnings: list[str]
) -> EligibilityOut:
    overridden = {override["rule"] for override in nomination.overrides}
    out = [
        VerdictOut(
            kind=v.kind,
            status=v.status.value,
            reason=v.reason,
            description=v.description,
            legal_source=v.legal_source,
            overridden=v.kind in overridden and v.status is not VerdictStatus.PASSED,
        )
        for v in verdicts
    ]
    return EligibilityOut(
        nomination_id=nomination.id,
        award_type=nomination.award_type_code,
        judged_on=round_.reference_date,
        overall=overall(verdicts).value,
        verdicts=out,
        overrides=nomination.overrides,
        warnings=warnings,
    )


def blocking(eligibility: EligibilityOut) -> list[str]:
    """Rules that failed and were not overridden: they keep the nomination from the council."""
    return [v.kind for v in eligibility.verdicts if v.status == VerdictStatus.FAILED and not v.overridden]
