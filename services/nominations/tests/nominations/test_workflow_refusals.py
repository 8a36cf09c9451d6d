"""The workflow's one door: every guard's refusal, the sets derived from the table, and nothing else writing a
nomination's state."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from devstack.flows import etag
from devstack.testing import dates
from devstack.testing.assertions import assert_problem
from nominations.nominations import guards, workflow
from nominations.nominations.attempt import Attempt, DecisionTerms
from nominations.nominations.models import Nomination, Status
from nominations.nominations.workflow import GUARDS, WORKFLOW, Action, StatusWrittenOutsideWorkflow
from nominations.org_scope import ScopeCheck
from nominations.rounds.models import Round
from services.nominations.tests.arrange import DISCLOSURE_UNTIL, Arrange
from shared import clock
from shared.auth import Principal, Role
from shared.problems import ProblemError

SOURCE = Path(__file__).resolve().parents[2] / "src" / "nominations"
FORWARDING = {"to": "prime_minister", "document_number": "456/TTr-UBND", "sent_on": "2026-03-25"}
OBJECTION = {
    "text": "Thành tích sáng kiến được kê khai trùng với hồ sơ năm trước.",
    "contact": "a@example.vn",
}


def after_disclosure() -> Any:
    return clock.pinned(dt.datetime.combine(DISCLOSURE_UNTIL + dt.timedelta(days=1), dt.time(3), dt.UTC))


async def disclosed_and_forwardable(arrange: Arrange) -> dict[str, Any]:
    """Bằng khen của Thủ tướng, decided by the Prime Minister: the province forwards it."""
    return await arrange.disclosed("BANG_KHEN_TTG")


async def refuse_create_after_the_deadline(arrange: Arrange) -> httpx.Response:
    round_ = await arrange.steps.create_round(opens_on="2026-01-05", submission_working_days=5)
    body = arrange.steps.nomination_body(round_["id"], "HT-THA")
    return await arrange.client.post("/v1/nominations", json=body, headers=arrange.steps.officer("HT-THA"))


async def refuse_submit_after_the_deadline(arrange: Arrange) -> httpx.Response:
    round_ = await arrange.steps.create_round(submission_working_days=1)
    nomination = await arrange.steps.nominate(round_["id"], "HT-THA")
    with clock.pinned(dates.days_later(7)):
        return await arrange.steps.act(nomination["id"], "submit", arrange.steps.officer("HT-THA"))


async def refuse_resubmit_after_the_window(arrange: Arrange) -> httpx.Response:
    steps, officer = arrange.steps, arrange.steps.officer("HT-THA")
    round_ = await steps.create_round(submission_working_days=1, resubmission_working_days=1)
    nomination = await steps.nominate(round_["id"], "HT-THA")
    await steps.must(nomination["id"], "submit", officer)
    await steps.must(nomination["id"], "return", steps.secretariat(), note="Bổ sung biên bản")
    # Returned on Tuesday 10/3: one working day, and the submission deadline, end on Wednesday 11/3.
    with clock.pinned(dates.days_later(2)):
        return await steps.act(nomination["id"], "resubmit", officer)


async def _screened(arrange: Arrange, **overrides: Any) -> dict[str, Any]:
    steps = arrange.steps
    round_ = await steps.create_round()
    nomination = await steps.nominate(round_["id"], "HT-THA", **overrides)
    await steps.must(nomination["id"], "submit", steps.officer("HT-THA"))
    return await steps.must(nomination["id"], "screen", steps.secretariat())


async def refuse_an_override_without_a_rule(arrange: Arrange) -> httpx.Response:
    screened = await _screened(arrange)
    steps = arrange.steps
    passed = next(v["kind"] for v in screened["eligibility"]["verdicts"] if v["status"] == "passed")
    named_passed = await steps.act(
        screened["id"], "override", steps.secretariat(), override={"rule": passed}, note="x"
    )
    assert_problem(named_passed, 400, "override-rule-required")
    return await steps.act(screened["id"], "override", steps.secretariat(), note="Không nêu quy tắc")


async def refuse_the_council_with_a_failed_rule(arrange: Arrange) -> httpx.Response:
    screened = await _screened(arrange, initiatives=[])  # CSTD_CO_SO needs a recognised initiative
    return await arrange.steps.act(screened["id"], "send_to_council", arrange.steps.secretariat())


async def refuse_to_forward_what_the_province_decides(arrange: Arrange) -> httpx.Response:
    nomination = await arrange.disclosed("CSTD_CAP_TINH")  # decided by the provincial chair
    with after_disclosure():
        return await arrange.steps.act(
            nomination["id"], "forward", arrange.steps.secretariat(), forwarding=FORWARDING
        )


async def refuse_to_forward_without_the_record(arrange: Arrange) -> httpx.Response:
    nomination = await disclosed_and_forwardable(arrange)
    with after_disclosure():
        return await arrange.steps.act(nomination["id"], "forward", arrange.steps.secretariat())


async def refuse_to_forward_during_disclosure(arrange: Arrange) -> httpx.Response:
    nomination = await disclosed_and_forwardable(arrange)
    return await arrange.steps.act(
        nomination["id"], "forward", arrange.steps.secretariat(), forwarding=FORWARDING
    )


async def refuse_to_forward_with_an_open_objection(arrange: Arrange) -> httpx.Response:
    nomination = await disclosed_and_forwardable(arrange)
    objected = await arrange.client.post(
        f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION
    )
    assert objected.status_code == 201, objected.text
    with after_disclosure():
        return await arrange.steps.act(
            nomination["id"], "forward", arrange.steps.secretariat(), forwarding=FORWARDING
        )


async def refuse_a_decline_from_another_office(arrange: Arrange) -> httpx.Response:
    nomination = await disclosed_and_forwardable(arrange)
    with after_disclosure():
        await arrange.steps.must(
            nomination["id"], "forward", arrange.steps.secretariat(), forwarding=FORWARDING
        )
        district = arrange.auth("authority", org_unit="HT-THA", subject="district-chair")
        return await arrange.steps.act(nomination["id"], "decline", district, note="Không được khen")


def _decision(nomination_ids: list[int], signed_on: dt.date, **overrides: Any) -> dict[str, Any]:
    return {
        "number": f"{nomination_ids[0]}-{signed_on}/QĐ-UBND",
        "signed_on": signed_on.isoformat(),
        "signer": "Võ Trọng Hải",
        "authority": "provincial_chair",
        "nomination_ids": nomination_ids,
    } | overrides


async def refuse_a_decision_during_disclosure(arrange: Arrange) -> httpx.Response:
    nomination = await arrange.disclosed()
    body = _decision([nomination["id"]], dates.SUITE_TODAY)
    return await arrange.client.post("/v1/decisions", json=body, headers=arrange.authority())


async def refuse_a_decision_with_an_open_objection(arrange: Arrange) -> httpx.Response:
    nomination = await arrange.disclosed()
    await arrange.client.post(f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION)
    with after_disclosure():
        body = _decision([nomination["id"]], clock.today())
        return await arrange.client.post("/v1/decisions", json=body, headers=arrange.authority())


async def refuse_a_decision_signed_within_the_period(arrange: Arrange) -> httpx.Response:
    nomination = await arrange.disclosed()
    with after_disclosure():
        body = _decision([nomination["id"]], DISCLOSURE_UNTIL)
        return await arrange.client.post("/v1/decisions", json=body, headers=arrange.authority())


async def refuse_a_decision_by_another_authority(arrange: Arrange) -> httpx.Response:
    nomination = await arrange.passed("LDTT")  # decided by the head of the unit
    with after_disclosure():
        body = _decision([nomination["id"]], clock.today())
        return await arrange.client.post("/v1/decisions", json=body, headers=arrange.authority())


async def refuse_an_objection_after_the_period(arrange: Arrange) -> httpx.Response:
    nomination = await arrange.disclosed()
    with after_disclosure():
        return await arrange.client.post(
            f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION
        )


async def refuse_to_disclose_a_provincial_form_before_the_council(arrange: Arrange) -> httpx.Response:
    round_ = await arrange.steps.create_round()
    screened = await arrange.steps.screened(round_["id"], "HT-THA", award_type_code="CSTD_CAP_TINH")
    return await arrange.steps.act(screened["id"], "disclose", arrange.steps.secretariat())


async def refuse_a_high_honour_to_the_council_before_the_public(arrange: Arrange) -> httpx.Response:
    round_ = await arrange.steps.create_round()
    screened = await arrange.steps.screened(round_["id"], "HT-THA", award_type_code="HUAN_CHUONG_LD_3")
    return await arrange.steps.act(screened["id"], "send_to_council", arrange.steps.secretariat())


async def refuse_a_district_form_after_the_tier(arrange: Arrange) -> httpx.Response:
    """A 2024 round's draft for the district chair's Giấy khen, sent on 2/7/2025: judged by Nghị định
    152/2025/NĐ-CP (Điều 60 khoản 3), in which the district chair's form no longer exists."""
    steps = arrange.steps
    with clock.pinned(dt.datetime(2025, 6, 20, 3, tzinfo=dt.UTC)):
        round_ = await steps.create_round()
        draft = await steps.nominate(round_["id"], "HT-THA", award_type_code="GIAY_KHEN_CT_HUYEN")
        assert draft["catalogue_date"] == "2024-12-31"
    with clock.pinned(dt.datetime(2025, 7, 2, 3, tzinfo=dt.UTC)):
        return await steps.act(draft["id"], "submit", steps.officer("HT-THA"))


Refusal = Callable[[Arrange], Any]
Guard = guards.Guard
# Each guard beside WORKFLOW, the problem it answers with, and how the API is brought to refuse with it.
THROUGH_THE_API: list[tuple[Guard, int, str, Refusal]] = [
    (guards.submission_open, 409, "deadline-passed", refuse_create_after_the_deadline),
    (guards.submission_open, 409, "deadline-passed", refuse_submit_after_the_deadline),
    (guards.in_force_when_sent, 409, "award-type-ended", refuse_a_district_form_after_the_tier),
    (guards.resubmission_open, 409, "deadline-passed", refuse_resubmit_after_the_window),
    (
        guards.override_names_a_rule_not_passed,
        400,
        "override-rule-required",
        refuse_an_override_without_a_rule,
    ),
    (guards.no_rule_failed_without_override, 409, "not-eligible", refuse_the_council_with_a_failed_rule),
    (guards.decided_above_the_province, 409, "not-forwardable", refuse_to_forward_what_the_province_decides),
    (guards.forwarding_given, 400, "forwarding-required", refuse_to_forward_without_the_record),
    (guards.disclosure_over, 409, "disclosure-not-over", refuse_to_forward_during_disclosure),
    (guards.disclosure_over, 409, "disclosure-not-over", refuse_a_decision_during_disclosure),
    (guards.no_open_objection, 409, "open-objections", refuse_to_forward_with_an_open_objection),
    (guards.no_open_objection, 409, "open-objections", refuse_a_decision_with_an_open_objection),
    (
        guards.recorded_by_the_forwarding_office,
        403,
        "not-the-forwarding-office",
        refuse_a_decline_from_another_office,
    ),
    (guards.signed_after_disclosure, 409, "disclosure-not-over", refuse_a_decision_signed_within_the_period),
    (guards.decided_by_this_authority, 422, "wrong-authority", refuse_a_decision_by_another_authority),
    (guards.disclosure_running, 409, "disclosure-closed", refuse_an_objection_after_the_period),
    (
        guards.disclosed_before_the_council,
        409,
        "disclosure-stage-mismatch",
        refuse_to_disclose_a_provincial_form_before_the_council,
    ),
    (
        guards.public_heard_before_the_council,
        409,
        "disclosure-stage-mismatch",
        refuse_a_high_honour_to_the_council_before_the_public,
    ),
]
# Guards no API call can reach today (the service chooses the action, or the catalogue keeps every version a
# round needs); they are refused here by calling the door itself.
# The council's count chooses between council_pass and council_approve by the stage (test_disclosure_stage).
DIRECTLY = {
    guards.award_type_in_force,
    guards.already_rejected,
    guards.disclosed_after_the_council,
    guards.not_disclosed_after_the_council,
}


def test_every_guard_has_its_refusal_tested() -> None:
    in_table = {guard for table in GUARDS.values() for guard in table}
    assert in_table == {guard for guard, *_ in THROUGH_THE_API} | DIRECTLY
    assert set(GUARDS) <= set(WORKFLOW)


@pytest.mark.parametrize(
    ("guard", "status", "slug", "refuse"),
    THROUGH_THE_API,
    ids=[refuse.__name__ for *_, refuse in THROUGH_THE_API],
)
async def test_the_guard_refuses(
    arrange: Arrange, guard: Guard, status: int, slug: str, refuse: Refusal
) -> None:
    response = await refuse(arrange)
    assert_problem(response, status, slug)


def _secretariat(app: FastAPI) -> ScopeCheck:
    principal = Principal("secretariat-1", frozenset({Role.SECRETARIAT}), "HT-SNV", {})
    return ScopeCheck(principal, app.state.targets, None)


async def _disclosed(arrange: Arrange, db_session: AsyncSession) -> tuple[Nomination, Round]:
    nomination = await arrange.disclosed()
    found = await db_session.get(Nomination, nomination["id"])
    round_ = await db_session.get(Round, nomination["round_id"])
    assert found is not None
    assert round_ is not None
    return found, round_


async def test_an_award_type_out_of_force_refuses_the_award(
    arrange: Arrange, db_session: AsyncSession, running_app: FastAPI
) -> None:
    nomination, round_ = await _disclosed(arrange, db_session)
    set_committed_value(nomination, "catalogue_date", dt.date(1990, 12, 31))  # no catalogue then
    terms = DecisionTerms(None, "1/QĐ", DISCLOSURE_UNTIL + dt.timedelta(days=1), "provincial_chair")
    attempt = Attempt(db_session, _secretariat(running_app), nomination, round_, decision=terms)
    with pytest.raises(guards.InvalidDecision, match="not in the catalogue in force on 1990-12-31"):
        await guards.award_type_in_force(attempt)


async def test_an_objection_upheld_again_needs_a_rejected_nomination(
    arrange: Arrange, db_session: AsyncSession, running_app: FastAPI
) -> None:
    nomination, round_ = await _disclosed(arrange, db_session)
    attempt = Attempt(db_session, _secretariat(running_app), nomination, round_, note="x", objection_id=1)
    with pytest.raises(ProblemError) as refused:
        await workflow.transition(attempt, Action.UPHOLD_OBJECTION_AGAIN)
    assert refused.value.slug == "action-not-allowed"  # not decided at all
    # As if it had been awarded (loaded so from the database): no API call leads there with an open objection.
    set_committed_value(nomination, "status", Status.DECIDED.value)
    set_committed_value(nomination, "outcome", "awarded")
    with pytest.raises(guards.NotRejected):
        await guards.already_rejected(attempt)


async def test_nothing_but_the_transition_writes_a_nominations_state(
    arrange: Arrange, db_session: AsyncSession
) -> None:
    nomination, _ = await _disclosed(arrange, db_session)
    with pytest.raises(StatusWrittenOutsideWorkflow):
        nomination.status = Status.DECIDED.value
    with pytest.raises(StatusWrittenOutsideWorkflow):
        nomination.outcome = "awarded"
    with pytest.raises(StatusWrittenOutsideWorkflow):
        Nomination(status=Status.DRAFT.value)


def _writes(path: Path) -> list[str]:
    """Every assignment to a ``status`` or ``outcome`` attribute, every UPDATE or INSERT of nominations."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in {"status", "outcome"}:
                found.append(ast.unparse(target))
        called = ast.unparse(node.func) if isinstance(node, ast.Call) else ""
        if isinstance(node, ast.Call) and called in {"update", "insert"} and node.args[:1]:
            found += [ast.unparse(node)] if ast.unparse(node.args[0]) == "Nomination" else []
        text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
        if "nominations.nominations" in text and any(v in text.upper() for v in ("UPDATE ", "INSERT INTO")):
            found.append("SQL: " + text[:40])
    return found


def test_the_source_writes_a_nominations_state_only_in_the_workflow() -> None:
    writers = {
        str(path.relative_to(SOURCE)): sorted(set(writes))
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts and (writes := _writes(path))
    }
    assert writers == {
        "nominations/workflow.py": ["nomination.outcome", "nomination.status"],
        # Other tables' own states: a council session's, an objection's and an emulation block's.
        "blocks/service.py": ["block.status"],
        "council/service.py": ["council.status"],
        "disclosure/service.py": ["objection.status"],
    }


def test_the_derived_sets_are_the_tables() -> None:
    assert workflow.sources(Action.AWARD) == {Status.DISCLOSURE, Status.APPROVED, Status.FORWARDED}
    assert workflow.sources(Action.SEND_TO_COUNCIL) == {Status.SCREENING, Status.PUBLIC_COMMENT}
    assert workflow.AWAITING_COUNCIL == WORKFLOW[Action.COUNCIL_PASS].sources == {Status.COUNCIL}
    assert (
        workflow.UNDER_DISCLOSURE
        == WORKFLOW[Action.OBJECTION_FILED].sources
        == {Status.PUBLIC_COMMENT, Status.DISCLOSURE}
    )
    for action in (Action.ATTACH, Action.DETACH, Action.CAPTURE_EVIDENCE):
        assert WORKFLOW[action].sources == WORKFLOW[Action.EDIT].sources == {Status.DRAFT, Status.RETURNED}
    assert {a for a, rule in WORKFLOW.items() if not rule.internal} == set(
        map(Action, workflow.PUBLIC_ACTIONS)
    )


async def test_a_refused_batch_changes_nothing_and_names_each(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    ready = await arrange.disclosed()
    early = await arrange.disclosed()
    objected = await client.post(f"/v1/public/disclosures/{early['id']}/objections", json=OBJECTION)
    assert objected.status_code == 201
    with after_disclosure():
        body = _decision([ready["id"], early["id"]], clock.today())
        refused = await client.post("/v1/decisions", json=body, headers=arrange.authority())
    problem = assert_problem(refused, 409, "open-objections")
    assert [n["nomination_id"] for n in problem["nominations"]] == [early["id"]]
    read = await client.get(f"/v1/nominations/{ready['id']}", headers=arrange.steps.secretariat())
    assert (read.json()["status"], read.headers["ETag"]) == ("disclosure", etag(ready))
