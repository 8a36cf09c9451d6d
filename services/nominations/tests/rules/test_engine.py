"""The eligibility engine on the rules of the domain brief (Luật 06/2022/QH15, Nghị định 98/2023/NĐ-CP)."""

import pytest

from nominations.rules.engine import (
    Facts,
    HeldAward,
    Initiative,
    Members,
    QuotaUse,
    RuleSpec,
    VerdictStatus,
    evaluate,
    overall,
)

PASSED, FAILED, UNKNOWN = VerdictStatus.PASSED, VerdictStatus.FAILED, VerdictStatus.UNKNOWN


def rule(kind: str, **params: object) -> RuleSpec:
    return RuleSpec(kind=kind, params=params, description=kind, legal_source="Luật 06/2022/QH15")


PROVINCIAL_FIGHTER = [
    rule("consecutive_titles", award_type="CSTD_CO_SO", years=3),
    rule("initiative", min_scope="provincial", within_years=3),
    rule("no_open_discipline"),
]


def held(code: str, *years: int, occasion: str = "annual") -> list[HeldAward]:
    return [HeldAward(code, year, occasion) for year in years]


def test_three_consecutive_grassroots_titles_and_a_provincial_initiative() -> None:
    facts = Facts(
        round_year=2024,
        history=held("CSTD_CO_SO", 2022, 2023, 2024),
        initiatives=[Initiative("Số hóa hồ sơ khen thưởng", "provincial", 2023)],
        open_discipline=False,
    )
    verdicts = evaluate(PROVINCIAL_FIGHTER, facts)
    assert [v.status for v in verdicts] == [PASSED, PASSED, PASSED]
    assert overall(verdicts) is PASSED


def test_a_gap_in_the_consecutive_years_fails_and_names_the_missing_year() -> None:
    facts = Facts(round_year=2024, history=held("CSTD_CO_SO", 2021, 2022, 2024), open_discipline=False)
    verdict = evaluate(PROVINCIAL_FIGHTER[:1], facts)[0]
    assert verdict.status is FAILED
    assert "missing 2023" in verdict.reason
    # Said in Vietnamese too, for the dossier's readers.
    assert verdict.reason_vi == "Cần có CSTD_CO_SO các năm 2022, 2023, 2024, còn thiếu năm 2023"


def test_every_check_gives_its_reason_in_vietnamese() -> None:
    facts = Facts(
        round_year=2024,
        history=held("CSTD_CO_SO", 2022, 2023, 2024),
        initiatives=[Initiative("Số hóa hồ sơ khen thưởng", "provincial", 2023)],
        open_discipline=False,
    )
    verdicts = evaluate(PROVINCIAL_FIGHTER, facts)
    assert [v.reason_vi for v in verdicts] == [
        "Đã có CSTD_CO_SO các năm 2022, 2023, 2024",
        "Có sáng kiến được công nhận: Số hóa hồ sơ khen thưởng (cấp tỉnh, 2023)",
        "Không đang bị xem xét kỷ luật, điều tra hay khiếu nại",
    ]
    unknown = evaluate([rule("member_share", award_type="LDTT", min_share=0.7), rule("quota")], Facts(2024))
    assert [v.reason_vi for v in unknown] == [
        "Hồ sơ chưa nêu thành viên của tập thể",
        "Chưa có căn cứ tính tỷ lệ, số lượng khen thưởng của cơ quan đề nghị",
    ]


def test_ad_hoc_awards_do_not_count_towards_a_higher_award() -> None:
    facts = Facts(
        round_year=2024,
        history=[*held("CSTD_CO_SO", 2022, 2024), *held("CSTD_CO_SO", 2023, occasion="ad_hoc")],
    )
    verdict = evaluate(PROVINCIAL_FIGHTER[:1], facts)[0]
    assert verdict.status is FAILED
    assert "2023 were ad-hoc or thematic" in verdict.reason


def test_this_years_title_still_being_decided_is_unknown_not_failed() -> None:
    verdict = evaluate(
        PROVINCIAL_FIGHTER[:1], Facts(round_year=2024, history=held("CSTD_CO_SO", 2022, 2023))
    )[0]
    assert verdict.status is UNKNOWN


def test_national_fighter_needs_two_consecutive_provincial_titles_before_the_round() -> None:
    rules = [rule("consecutive_titles", award_type="CSTD_CAP_TINH", years=2, through="previous_year")]
    assert evaluate(rules, Facts(2025, history=held("CSTD_CAP_TINH", 2023, 2024)))[0].status is PASSED
    assert evaluate(rules, Facts(2025, history=held("CSTD_CAP_TINH", 2022, 2024)))[0].status is FAILED


@pytest.mark.parametrize(
    ("titles", "completed", "expected"),
    [
        ({"LDTT": 21, "CSTD_CO_SO": 1}, True, [PASSED, PASSED, PASSED]),
        ({"LDTT": 20, "CSTD_CO_SO": 1}, True, [FAILED, PASSED, PASSED]),  # 20 of 30 = 66.7 % < 70 %
        ({"LDTT": 25, "CSTD_CO_SO": 0}, True, [PASSED, FAILED, PASSED]),
        ({"LDTT": 25, "CSTD_CO_SO": 2}, None, [PASSED, PASSED, UNKNOWN]),
    ],
)
def test_excellent_collective_member_rules(
    titles: dict[str, int], completed: bool | None, expected: list[VerdictStatus]
) -> None:
    rules = [
        rule("member_share", award_type="LDTT", min_share=0.7),
        rule("member_count", award_type="CSTD_CO_SO", min=1),
        rule("members_completed_duties"),
    ]
    facts = Facts(round_year=2024, members=Members(headcount=30, titles=titles, completed_duties=completed))
    assert [v.status for v in evaluate(rules, facts)] == expected


def test_member_rules_without_members_are_unknown() -> None:
    verdicts = evaluate([rule("member_share", award_type="LDTT", min_share=0.7)], Facts(2024))
    assert verdicts[0].status is UNKNOWN


@pytest.mark.parametrize(("open_case", "status"), [(True, FAILED), (False, PASSED), (None, UNKNOWN)])
def test_open_discipline_blocks(open_case: bool | None, status: VerdictStatus) -> None:
    assert evaluate([rule("no_open_discipline")], Facts(2024, open_discipline=open_case))[0].status is status


def test_one_achievement_one_award() -> None:
    history = [HeldAward("BK_CT_TINH", 2023, "ad_hoc", achievement_key="cuu-nan-lu-2023")]
    rules = [rule("one_achievement_one_award")]
    assert (
        evaluate(rules, Facts(2024, history=history, achievement_keys=["cuu-nan-lu-2023"]))[0].status
        is FAILED
    )
    assert evaluate(rules, Facts(2024, history=history, achievement_keys=["so-hoa-2024"]))[0].status is PASSED


@pytest.mark.parametrize(("used", "status"), [(3, PASSED), (4, FAILED)])
def test_quota(used: int, status: VerdictStatus) -> None:
    facts = Facts(2024, quota=QuotaUse(used=used, allowed=3, basis="15 % of 20 Lao động tiên tiến"))
    assert evaluate([rule("quota")], facts)[0].status is status


def test_an_unknown_kind_or_broken_parameters_are_unknown_not_a_crash() -> None:
    verdicts = evaluate([rule("astrology"), rule("consecutive_titles", years=3)], Facts(2024))
    assert [v.status for v in verdicts] == [UNKNOWN, UNKNOWN]
    assert overall(verdicts) is UNKNOWN
