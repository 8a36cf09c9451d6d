"""The eligibility engine: one function judges a nomination against its award type's rules, which are data.

Each rule yields a verdict, ``passed``, ``failed`` or ``unknown`` (a fact the platform does not have yet, such
as this year's grassroots title still being decided in the same round), with its reason twice: in English
(``reason``, for logs, tests and integrators) and in Vietnamese (``reason_vi``, for the dossier's readers).
The legal principles the checks follow (Luật Thi đua, khen thưởng 06/2022/QH15, Nghị định
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
    reason_vi: str = ""


Result = tuple[VerdictStatus, str, str]  # status, reason in English, reason in Vietnamese


def _years(years: Sequence[int]) -> str:
    return ", ".join(map(str, years))


# Scopes and the collective's members as the dossier's readers say them.
SCOPE_VI: Mapping[str, str] = {
    "grassroots": "cấp cơ sở",
    "provincial": "cấp tỉnh",
    "national": "cấp toàn quốc",
}
NO_MEMBERS_VI = "Hồ sơ chưa nêu thành viên của tập thể"


def _scope_vi(scope: str) -> str:
    return SCOPE_VI.get(scope, scope)


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
        return (
            VerdictStatus.PASSED,
            f"{code} held in {_years(wanted)}",
            f"Đã có {code} các năm {_years(wanted)}",
        )
    if missing == [facts.round_year]:
        return (
            VerdictStatus.UNKNOWN,
            f"{code} of {facts.round_year} is not decided yet (held in the years before)",
            f"{code} năm {facts.round_year} chưa có quyết định (các năm trước đã có)",
        )
    others = sorted(y for y in {h.year for h in facts.history if h.award_type_code == code} - held)
    note = f"; {_years(others)} were ad-hoc or thematic and do not count" if others else ""
    note_vi = f"; năm {_years(others)} là khen đột xuất hoặc chuyên đề, không được tính" if others else ""
    return (
        VerdictStatus.FAILED,
        f"{code} needed in {_years(wanted)}, missing {_years(missing)}{note}",
        f"Cần có {code} các năm {_years(wanted)}, còn thiếu năm {_years(missing)}{note_vi}",
    )


def _holds_title(facts: Facts, params: Mapping[str, Any]) -> Result:
    code = str(params["award_type"])
    year = facts.round_year
    if year in {h.year for h in facts.history if h.award_type_code == code}:
        return VerdictStatus.PASSED, f"{code} held in {year}", f"Đã có {code} năm {year}"
    return (
        VerdictStatus.UNKNOWN,
        f"{code} of {year} is not recorded (yet)",
        f"Chưa có dữ liệu {code} năm {year}",
    )


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
        first = found[0]
        return (
            VerdictStatus.PASSED,
            f"accepted initiative: {first.title} ({first.scope}, {first.year})",
            f"Có sáng kiến được công nhận: {first.title} ({_scope_vi(first.scope)}, {first.year})",
        )
    return (
        VerdictStatus.FAILED,
        f"no accepted initiative of {scope} scope or wider in {first_year}-{facts.round_year}",
        f"Chưa có sáng kiến được công nhận {_scope_vi(scope)} trở lên trong {first_year}-{facts.round_year}",
    )


def _member_share(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.members is None or facts.members.headcount <= 0:
        return VerdictStatus.UNKNOWN, "the collective's members are not given", NO_MEMBERS_VI
    code, minimum = str(params["award_type"]), Fraction(str(params["min_share"]))
    # "từ 70% trở lên" is at least the share (gte); "trên 50%" is more than it (gt), as the law words it.
    strict = params.get("comparison", "gte") == "gt"
    holders, headcount = facts.members.titles.get(code, 0), facts.members.headcount
    share = Fraction(holders, headcount)  # exact: 1 of 2 is half, not 0.49999
    passed = share > minimum if strict else share >= minimum
    status = VerdictStatus.PASSED if passed else VerdictStatus.FAILED
    wanted = "more than" if strict else "at least"
    wanted_vi = "trên" if strict else "từ"
    return (
        status,
        f"{holders} of {headcount} members hold {code} ({float(share):.0%}; {wanted} {float(minimum):.0%})",
        f"{holders}/{headcount} thành viên có {code} ({float(share):.0%};"
        f" cần {wanted_vi} {float(minimum):.0%}{'' if strict else ' trở lên'})",
    )


def _member_count(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.members is None:
        return VerdictStatus.UNKNOWN, "the collective's members are not given", NO_MEMBERS_VI
    code, minimum = str(params["award_type"]), int(params["min"])
    holders = facts.members.titles.get(code, 0)
    status = VerdictStatus.PASSED if holders >= minimum else VerdictStatus.FAILED
    return (
        status,
        f"{holders} members hold {code} (at least {minimum})",
        f"{holders} thành viên có {code} (cần ít nhất {minimum})",
    )


def _members_completed_duties(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.members is None or facts.members.completed_duties is None:
        return (
            VerdictStatus.UNKNOWN,
            "the dossier does not say whether every member completed their duties",
            "Hồ sơ chưa nêu việc mọi thành viên đã hoàn thành nhiệm vụ hay chưa",
        )
    if facts.members.completed_duties:
        return (
            VerdictStatus.PASSED,
            "every member completed their duties",
            "Mọi thành viên đã hoàn thành nhiệm vụ",
        )
    return (
        VerdictStatus.FAILED,
        "not every member completed their duties",
        "Có thành viên chưa hoàn thành nhiệm vụ",
    )


def _no_open_discipline(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.open_discipline is None:
        return (
            VerdictStatus.UNKNOWN,
            "discipline, investigation and complaint records are not known",
            "Chưa có thông tin về kỷ luật, điều tra, khiếu nại",
        )
    if facts.open_discipline:
        return (
            VerdictStatus.FAILED,
            "under discipline, investigation or an open complaint",
            "Đang bị xem xét kỷ luật, điều tra hoặc có khiếu nại chưa giải quyết",
        )
    return (
        VerdictStatus.PASSED,
        "no open discipline, investigation or complaint",
        "Không đang bị xem xét kỷ luật, điều tra hay khiếu nại",
    )


def _one_achievement_one_award(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.rewarded_achievements is not None:
        rewarded = set(facts.rewarded_achievements)
    else:
        rewarded = {held.achievement_key for held in facts.history if held.achievement_key}
    again = sorted(set(facts.achievement_keys) & rewarded)
    if again:
        listed = ", ".join(again)
        return (
            VerdictStatus.FAILED,
            f"already rewarded for: {listed}",
            f"Thành tích đã được khen thưởng: {listed}",
        )
    return (
        VerdictStatus.PASSED,
        "no achievement of this nomination has been rewarded before",
        "Chưa thành tích nào của hồ sơ được khen thưởng trước đây",
    )


def _quota(facts: Facts, params: Mapping[str, Any]) -> Result:
    if facts.quota is None:
        return (
            VerdictStatus.UNKNOWN,
            "the quota's basis is not known for this issuing body",
            "Chưa có căn cứ tính tỷ lệ, số lượng khen thưởng của cơ quan đề nghị",
        )
    use = facts.quota
    status = VerdictStatus.PASSED if use.used <= use.allowed else VerdictStatus.FAILED
    return (
        status,
        f"{use.used} of at most {use.allowed} ({use.basis})",
        f"{use.used} trên tối đa {use.allowed} ({use.basis})",
    )


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
            reason_vi = f"Nền tảng chưa có cách kiểm tra loại điều kiện {rule.kind!r}"
        else:
            try:
                status, reason, reason_vi = check(facts, rule.params)
            except (KeyError, TypeError, ValueError) as exc:
                status, reason = VerdictStatus.UNKNOWN, f"the rule's parameters are incomplete ({exc})"
                reason_vi = f"Tham số của điều kiện chưa đủ ({exc})"
        verdicts.append(Verdict(rule.kind, status, reason, rule.description, rule.legal_source, reason_vi))
    return verdicts


def overall(verdicts: Sequence[Verdict]) -> VerdictStatus:
    statuses = {verdict.status for verdict in verdicts}
    if VerdictStatus.FAILED in statuses:
        return VerdictStatus.FAILED
    return VerdictStatus.UNKNOWN if VerdictStatus.UNKNOWN in statuses else VerdictStatus.PASSED
