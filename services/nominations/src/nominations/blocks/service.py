"""Emulation blocks (khối thi đua): each year its members pledge, score themselves against the block's
sheet, the leader cross-checks (the deputy checks the leader), the block adopts its scores and ranking, and
the leading unit(s) are proposed for the province's Cờ thi đua as nominations of the award workflow.

Cờ thi đua cấp tỉnh goes to the leading units of the province's blocks (Luật Thi đua, khen thưởng
06/2022/QH15; Nghị định 98/2023/NĐ-CP and, from 1/7/2025, Nghị định 152/2025/NĐ-CP: the catalogue's rules).
How Hà Tĩnh's blocks rotate their leaders and break ties is the sheet's and the block's data, not code
(docs/blocks.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.blocks import ranking, repository
from nominations.blocks.models import (
    Block,
    BlockMember,
    BlockStatus,
    Criterion,
    FlagNomination,
    Pledge,
    Score,
    ScoreStage,
)
from nominations.blocks.schemas import (
    AutoScoreIn,
    BlockIn,
    BlockMemberOut,
    BlockOut,
    BlockPatch,
    BlockSummary,
    CommitmentIn,
    CriterionIn,
    CriterionOut,
    FlagProposalIn,
    NextYearIn,
    PledgeIn,
    PledgeOut,
    RankedUnit,
    Ranking,
    ScoreOut,
    ScoresIn,
)
from nominations.catalogue.models import RecipientKind
from nominations.nominations import service as nominations
from nominations.nominations.models import Nomination
from nominations.nominations.schemas import NominationIn, Nominee
from nominations.org_scope import ScopeCheck, acts_province_wide
from shared import clock
from shared.pagination import Page, as_code, as_id, decode_keyset, encode_cursor
from shared.problems import Conflict, Forbidden, NotFound, UnprocessableContent

CENT = Decimal("0.01")


class BlockNotFound(NotFound):
    slug = "block-not-found"
    title = "Emulation block not found"


class BlockExists(Conflict):
    slug = "block-exists"
    title = "The block has a record for this year already"


class BlockInvalid(UnprocessableContent):
    slug = "invalid-block"
    title = "The block does not hold together"


class NotABlockMember(UnprocessableContent):
    slug = "not-a-block-member"
    title = "The unit is not a member of the block"


class BlockClosed(Conflict):
    slug = "block-adopted"
    title = "The block has adopted its scores: they are final"


class PledgeDeadlinePassed(Conflict):
    slug = "pledge-deadline-passed"
    title = "The block's pledge deadline has passed"


class PledgeExists(Conflict):
    slug = "pledge-exists"
    title = "The unit has pledged for this block and year already"


class NotTheChecker(Forbidden):
    slug = "not-the-checker"
    title = "Only the block's leader cross-checks (its deputy for the leader's own scores)"


class NotTheLeader(Forbidden):
    slug = "not-the-block-leader"
    title = "Only the block's leader or the secretariat does this"


class ScoresInvalid(UnprocessableContent):
    slug = "invalid-scores"
    title = "Scores for criteria that are not scored by hand"


class ScoreOutOfRange(UnprocessableContent):
    slug = "score-out-of-range"
    title = "A score is outside 0 to the criterion's maximum"


class ScoresIncomplete(Conflict):
    slug = "scores-incomplete"
    title = "Not every member has a score for every criterion"


class BlockNotAdopted(Conflict):
    slug = "block-not-adopted"
    title = "The block has not adopted its ranking yet"


class FlagAlreadyProposed(Conflict):
    slug = "flag-already-proposed"
    title = "The block's leading units are proposed already"


def _points(value: Decimal) -> float:
    return float(value.quantize(CENT))


def summary(block: Block) -> BlockSummary:
    return BlockSummary(
        id=block.id,
        code=block.code,
        year=block.year,
        name=block.name,
        leader=block.leader_org_unit,
        deputy=block.deputy_org_unit,
        pledge_deadline=block.pledge_deadline,
        status=block.status,
        version=block.version,
    )


def _role(block: Block, unit: str) -> str | None:
    return {block.leader_org_unit: "leader", block.deputy_org_unit: "deputy"}.get(unit)


async def out(session: AsyncSession, block: Block) -> BlockOut:
    members = await repository.members(session, block.id)
    return BlockOut(
        **summary(block).model_dump(),
        description=block.description,
        reference_date=block.reference_date,
        members=[
            BlockMemberOut(
                org_unit=m.org_unit,
                org_unit_name=m.org_unit_name,
                position=m.position,
                role=_role(block, m.org_unit),
            )
            for m in members
        ],
        criteria=[
            CriterionOut(
                code=c.code,
                parent=c.parent_code,
                title=c.title,
                max_points=float(c.max_points),
                auto=AutoScoreIn(plan=c.auto_plan, indicator=c.auto_indicator)
                if c.auto_plan and c.auto_indicator
                else None,
            )
            for c in await repository.criteria(session, block.id)
        ],
        tie_breaks=list(block.tie_breaks),
        adopted_on=block.adopted_on,
        flag_nomination_ids=[f.nomination_id for f in await repository.flag_nominations(session, block.id)],
    )


async def get(session: AsyncSession, block_id: int, *, lock: bool = False) -> Block:
    block = await repository.get(session, block_id, lock=lock)
    if block is None:
        raise BlockNotFound(f"No emulation block has the id {block_id}.")
    return block


async def list_blocks(
    session: AsyncSession, *, year: int | None, limit: int, cursor: str | None
) -> Page[BlockSummary]:
    after = decode_keyset(cursor, as_id, as_id)
    rows = await repository.page(
        session, year=year, limit=limit, after=(after[0], after[1]) if after else None
    )
    shown = rows[:limit]
    return Page(
        items=[summary(block) for block in shown],
        next_cursor=encode_cursor([shown[-1].year, shown[-1].id]) if len(rows) > limit else None,
    )


async def _member_names(scope: ScopeCheck, units: list[str], day: dt.date) -> dict[str, str]:
    hierarchy = await scope.targets.hierarchy(day, scope.token)
    unknown = [(index, unit) for index, unit in enumerate(units) if hierarchy.get(unit) is None]
    if unknown:
        raise BlockInvalid(
            f"Not org units on {day}: {', '.join(unit for _, unit in unknown)}.",
            errors=[
                {"name": f"members[{index}]", "reason": f"no such org unit on {day}"} for index, _ in unknown
            ],
        )
    return {unit: hierarchy.units[unit].name for unit in units}


async def _check_auto_criteria(
    scope: ScopeCheck, year: int, automatic: list[tuple[int, str, str]], *, field: str = "criteria"
) -> None:
    """Each automatic criterion (its index, plan and indicator) names a plan that covers the block's year
    and an indicator the plan has targets for, both read from the targets service: a plan that ended before
    the year would score every member from another period's targets."""
    for index, plan_code, indicator in automatic:
        name = f"{field}[{index}].auto"
        plan = await scope.targets.plan(plan_code, scope.token)
        if plan is None:
            raise BlockInvalid(
                f"The targets service has no plan {plan_code}.",
                errors=[{"name": name, "reason": f"no plan {plan_code}"}],
            )
        start, end = plan.start_date, plan.end_date
        if not start.year <= year <= end.year:
            raise BlockInvalid(
                f"The plan {plan_code} runs from {start} to {end}: it does not cover {year}.",
                errors=[{"name": name, "reason": f"the plan {plan_code} does not cover {year}"}],
            )
        targets = await scope.targets.plan_targets(plan_code, scope.token)
        if not any(code == indicator for code, _ in targets):
            raise BlockInvalid(
                f"The plan {plan_code} has no target for {indicator}.",
                errors=[{"name": name, "reason": "no target for this indicator in the plan"}],
            )


def _criterion_rows(block_id: int, criteria: list[CriterionIn]) -> list[Criterion]:
    return [
        Criterion(
            block_id=block_id,
            code=c.code,
            parent_code=c.parent,
            title=c.title,
            max_points=c.max_points,
            position=position,
            auto_plan=c.auto.plan if c.auto else None,
            auto_indicator=c.auto.indicator if c.auto else None,
        )
        for position, c in enumerate(criteria)
    ]


async def _insert(
    session: AsyncSession,
    block: Block,
    names: dict[str, str],
    members: list[str],
    criteria: list[Criterion],
) -> Block:
    try:
        async with session.begin_nested():
            session.add(block)
            await session.flush()
    except IntegrityError:
        raise BlockExists(f"The block {block.code} has a record for {block.year} already.") from None
    session.add_all(
        BlockMember(block_id=block.id, org_unit=unit, org_unit_name=names[unit], position=position)
        for position, unit in enumerate(members)
    )
    for criterion in criteria:
        criterion.block_id = block.id
    session.add_all(criteria)
    await session.flush()
    return block


async def create(session: AsyncSession, scope: ScopeCheck, body: BlockIn) -> Block:
    day = body.reference_date or dt.date(body.year, 12, 31)
    names = await _member_names(scope, body.members, day)
    await _check_auto_criteria(
        scope,
        body.year,
        [(index, c.auto.plan, c.auto.indicator) for index, c in enumerate(body.criteria) if c.auto],
    )
    assert body.leader is not None  # noqa: S101 - checked by BlockIn
    assert body.deputy is not None  # noqa: S101 - checked by BlockIn
    block = Block(
        code=body.code,
        year=body.year,
        name=body.name,
        description=body.description,
        reference_date=day,
        leader_org_unit=body.leader,
        deputy_org_unit=body.deputy,
        pledge_deadline=body.pledge_deadline,
        tie_breaks=list(body.tie_breaks),
        status=BlockStatus.OPEN.value,
        created_by=scope.principal.subject,
    )
    return await _insert(session, block, names, body.members, _criterion_rows(0, body.criteria))


def _require_open(block: Block) -> None:
    if block.status != BlockStatus.OPEN.value:
        raise BlockClosed(f"The block adopted its scores on {block.adopted_on}.")


async def update(session: AsyncSession, block: Block, body: BlockPatch) -> None:
    _require_open(block)
    members = {m.org_unit for m in await repository.members(session, block.id)}
    leader = body.leader or block.leader_org_unit
    deputy = body.deputy or block.deputy_org_unit
    if leader not in members or deputy not in members or leader == deputy:
        raise BlockInvalid(
            "The leader and the deputy are two different members of the block.",
            errors=[{"name": "leader", "reason": "a member, not the deputy"}],
        )
    for name, value in body.model_dump(exclude_unset=True, exclude={"leader", "deputy"}).items():
        setattr(block, name, value)
    block.leader_org_unit, block.deputy_org_unit = leader, deputy
    await session.flush()


async def next_year(session: AsyncSession, scope: ScopeCheck, block: Block, body: NextYearIn) -> Block:
    """The same members and sheet next year, the deputy leading and the next member in order deputising."""
    members = [m.org_unit for m in await repository.members(session, block.id)]
    year = block.year + 1
    day = dt.date(year, 12, 31)
    names = await _member_names(scope, members, day)
    leader = block.deputy_org_unit
    following = members[members.index(leader) + 1 :] + members[: members.index(leader)]
    deputy = next(unit for unit in following if unit != leader)
    criteria = [
        Criterion(
            code=c.code,
            parent_code=c.parent_code,
            title=c.title,
            max_points=c.max_points,
            position=c.position,
            auto_plan=c.auto_plan,
            auto_indicator=c.auto_indicator,
        )
        for c in await repository.criteria(session, block.id)
    ]
    await _check_auto_criteria(
        scope,
        year,
        [
            (index, c.auto_plan, c.auto_indicator)
            for index, c in enumerate(criteria)
            if c.auto_plan and c.auto_indicator
        ],
        field="sheet.criteria",  # the block's own sheet, copied: not a field of the next-year request
    )
    successor = Block(
        code=block.code,
        year=year,
        name=block.name,
        description=block.description,
        reference_date=day,
        leader_org_unit=leader,
        deputy_org_unit=deputy,
        pledge_deadline=body.pledge_deadline,
        tie_breaks=list(block.tie_breaks),
        status=BlockStatus.OPEN.value,
        created_by=scope.principal.subject,
    )
    return await _insert(session, successor, names, members, criteria)


async def _require_member(session: AsyncSession, block: Block, unit: str) -> None:
    if unit not in {m.org_unit for m in await repository.members(session, block.id)}:
        raise NotABlockMember(
            f"{unit} is not a member of {block.name} in {block.year}.",
            errors=[{"name": "org_unit", "reason": "not a member of the block"}],
        )


def _unit(scope: ScopeCheck, given: str | None) -> str:
    unit = given or scope.principal.org_unit
    if unit is None:
        raise NotABlockMember(
            "Say which member (org_unit): your token names none.",
            errors=[{"name": "org_unit", "reason": "required"}],
        )
    return unit


def pledge_out(row: Pledge) -> PledgeOut:
    return PledgeOut(
        id=row.id,
        org_unit=row.org_unit,
        commitments=[CommitmentIn.model_validate(item) for item in row.commitments],
        pledged_by=row.pledged_by,
        pledged_on=row.pledged_on,
    )


async def pledge(session: AsyncSession, scope: ScopeCheck, block: Block, body: PledgeIn) -> Pledge:
    """A member's pledge, once a year, by the block's deadline; a commitment tied to a target names a
    target of the targets service."""
    _require_open(block)
    unit = _unit(scope, body.org_unit)
    await _require_member(session, block, unit)
    today = clock.today()
    if today > block.pledge_deadline:
        raise PledgeDeadlinePassed(
            f"The pledges of {block.name} were due by {block.pledge_deadline}.",
            pledge_deadline=block.pledge_deadline.isoformat(),
        )
    await scope.require(unit, block.reference_date)
    for index, commitment in enumerate(body.commitments):
        if (
            commitment.target_id is not None
            and await scope.targets.target(commitment.target_id, scope.token) is None
        ):
            raise BlockInvalid(
                f"The targets service has no target {commitment.target_id}.",
                errors=[{"name": f"commitments[{index}].target_id", "reason": "no such target"}],
            )
    row = Pledge(
        block_id=block.id,
        org_unit=unit,
        commitments=[c.model_dump(exclude_none=True) for c in body.commitments],
        pledged_by=scope.principal.subject,
        pledged_on=today,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise PledgeExists(f"{unit} has pledged for {block.name} in {block.year} already.") from None
    return row


async def pledges(session: AsyncSession, block: Block, *, limit: int, cursor: str | None) -> Page[PledgeOut]:
    after = decode_keyset(cursor, as_id)
    rows = await repository.pledges(session, block.id, limit=limit, after=after[0] if after else None)
    shown = rows[:limit]
    return Page(
        items=[pledge_out(row) for row in shown],
        next_cursor=encode_cursor([shown[-1].id]) if len(rows) > limit else None,
    )


def _checker(block: Block, unit: str) -> str:
    """Who cross-checks a member: the leader; the deputy checks the leader's own scores."""
    return block.deputy_org_unit if unit == block.leader_org_unit else block.leader_org_unit


async def score(session: AsyncSession, scope: ScopeCheck, block: Block, body: ScoresIn) -> list[Score]:
    """Write a member's scores at one stage; every score is checked before any is written."""
    _require_open(block)
    unit = _unit(scope, body.org_unit)
    await _require_member(session, block, unit)
    if body.stage is ScoreStage.SELF:
        await scope.require(unit, block.reference_date)
    elif not acts_province_wide(scope.principal) and scope.principal.org_unit != _checker(block, unit):
        raise NotTheChecker(
            f"{_checker(block, unit)} cross-checks {unit} in {block.name}.", checker=_checker(block, unit)
        )
    criteria = {c.code: c for c in await repository.criteria(session, block.id)}
    parents = {c.parent_code for c in criteria.values()}
    wrong: list[dict[str, str]] = []
    out_of_range: list[dict[str, str]] = []
    for index, given in enumerate(body.scores):
        criterion = criteria.get(given.criterion)
        if criterion is None:
            wrong.append(
                {"name": f"scores[{index}].criterion", "reason": f"{given.criterion} is not on the sheet"}
            )
        elif criterion.code in parents:
            wrong.append({"name": f"scores[{index}].criterion", "reason": "totals its children: score them"})
        elif criterion.auto_indicator is not None:
            wrong.append({"name": f"scores[{index}].criterion", "reason": "scored from the targets service"})
        elif given.points > criterion.max_points:
            out_of_range.append(
                {
                    "name": f"scores[{index}].points",
                    "reason": f"{given.criterion} is scored 0 to {criterion.max_points}",
                }
            )
    if wrong:
        raise ScoresInvalid("Some criteria are not scored by hand.", errors=wrong)
    if out_of_range:
        raise ScoreOutOfRange("Some scores are above their criterion's maximum.", errors=out_of_range)
    rows = [
        Score(
            block_id=block.id,
            org_unit=unit,
            criterion_code=given.criterion,
            stage=body.stage.value,
            points=given.points,
            note=given.note,
            scored_by=scope.principal.subject,
            scored_on=clock.today(),
        )
        for given in body.scores
    ]
    await repository.write_scores(session, rows)
    return rows


def score_out(row: Score) -> ScoreOut:
    return ScoreOut(
        org_unit=row.org_unit,
        criterion=row.criterion_code,
        stage=row.stage,
        points=_points(row.points),
        note=row.note,
        scored_by=row.scored_by,
        scored_on=row.scored_on,
    )


async def scores(
    session: AsyncSession, block: Block, *, org_unit: str | None, limit: int, cursor: str | None
) -> Page[ScoreOut]:
    after = decode_keyset(cursor, as_code, as_code, as_code)
    rows = await repository.scores(
        session,
        block.id,
        org_unit=org_unit,
        limit=limit,
        after=(after[0], after[1], after[2]) if after else None,
    )
    shown = rows[:limit]
    last = shown[-1] if shown else None
    return Page(
        items=[score_out(row) for row in shown],
        next_cursor=encode_cursor([last.org_unit, last.criterion_code, last.stage])
        if last is not None and len(rows) > limit
        else None,
    )


def _require_leader(scope: ScopeCheck, block: Block) -> None:
    if not acts_province_wide(scope.principal) and scope.principal.org_unit != block.leader_org_unit:
        raise NotTheLeader(f"{block.leader_org_unit} leads {block.name} in {block.year}.")


def auto_points(criterion: Criterion, row: dict[str, Any] | None) -> tuple[Decimal, str]:
    """The maximum × the achievement percent, capped at 100 %; nothing reported scores nothing."""
    if row is None:
        return Decimal(0), "Không có chỉ tiêu của đơn vị cho chỉ số này"
    percent = row.get("percent")
    if percent is None:
        return Decimal(0), f"Chưa có số liệu ({row.get('status')})"
    share = min(Decimal(100), max(Decimal(0), Decimal(str(percent)))) / 100
    points = (criterion.max_points * share).quantize(CENT, rounding=ROUND_HALF_UP)
    return (
        points,
        f"Đạt {percent:.1f}% chỉ tiêu ({row.get('status')}), số liệu đến {row.get('latest_period')}",
    )


async def auto_score(session: AsyncSession, scope: ScopeCheck, block: Block) -> list[Score]:
    """Score every automatic criterion of every member from the targets service's progress at the end of
    the block's year (the leader or the secretariat, as often as the data changes until adoption)."""
    _require_open(block)
    _require_leader(scope, block)
    automatic = [c for c in await repository.criteria(session, block.id) if c.auto_plan and c.auto_indicator]
    members = await repository.members(session, block.id)
    at = min(dt.date(block.year, 12, 31), clock.today())
    rows: list[Score] = []
    for member in members:
        by_plan: dict[str, dict[str, dict[str, Any]]] = {}
        for criterion in automatic:
            assert criterion.auto_plan is not None  # noqa: S101 - selected above
            if criterion.auto_plan not in by_plan:
                progress = await scope.targets.progress_rows(
                    scope.token, org_unit=member.org_unit, at=at, plan=criterion.auto_plan
                )
                by_plan[criterion.auto_plan] = {item["indicator"]["code"]: item for item in progress}
            points, note = auto_points(
                criterion, by_plan[criterion.auto_plan].get(criterion.auto_indicator or "")
            )
            rows.append(
                Score(
                    block_id=block.id,
                    org_unit=member.org_unit,
                    criterion_code=criterion.code,
                    stage=ScoreStage.AUTO.value,
                    points=points,
                    note=note,
                    scored_by=scope.principal.subject,
                    scored_on=clock.today(),
                )
            )
    await repository.clear_stage(session, block.id, ScoreStage.AUTO.value)
    await repository.write_scores(session, rows)
    return rows


async def compute_ranking(session: AsyncSession, block: Block) -> Ranking:
    criteria = await repository.criteria(session, block.id)
    members = await repository.members(session, block.id)
    names = {m.org_unit: m.org_unit_name for m in members}
    ranked = ranking.rank(
        [ranking.Line(c.code, c.parent_code, c.max_points) for c in criteria],
        [m.org_unit for m in members],
        await repository.score_points(session, block.id),
        block.tie_breaks,
    )
    return Ranking(
        block_id=block.id,
        year=block.year,
        adopted=False,
        tie_breaks=list(block.tie_breaks),
        items=[
            RankedUnit(
                rank=row.rank,
                org_unit=row.org_unit,
                org_unit_name=names[row.org_unit],
                total=_points(row.total),
                subtotals={code: _points(value) for code, value in row.subtotals.items()},
                tie_break_values=[_points(value) for value in row.tie_break_values],
                complete=not row.missing,
                missing=row.missing,
            )
            for row in ranked
        ],
    )


async def current_ranking(session: AsyncSession, block: Block) -> Ranking:
    """The adopted ranking once adopted (what the block's meeting decided), the live one before."""
    if block.adopted_ranking is not None:
        return Ranking(
            block_id=block.id,
            year=block.year,
            adopted=True,
            tie_breaks=list(block.tie_breaks),
            items=[RankedUnit.model_validate(item) for item in block.adopted_ranking],
        )
    return await compute_ranking(session, block)


async def adopt(session: AsyncSession, scope: ScopeCheck, block: Block) -> Ranking:
    """The block's meeting adopts the scores: every member scored on every criterion; final from then on."""
    _require_open(block)
    _require_leader(scope, block)
    ranked = await compute_ranking(session, block)
    incomplete = {item.org_unit: item.missing for item in ranked.items if item.missing}
    if incomplete:
        raise ScoresIncomplete(
            f"{len(incomplete)} member(s) lack scores: {', '.join(sorted(incomplete))}.", missing=incomplete
        )
    block.status = BlockStatus.ADOPTED.value
    block.adopted_on = clock.today()
    block.adopted_ranking = [item.model_dump() for item in ranked.items]
    await session.flush()
    return ranked.model_copy(update={"adopted": True})


async def propose_flag(
    session: AsyncSession, scope: ScopeCheck, block: Block, body: FlagProposalIn
) -> list[tuple[Nomination, Any]]:
    """The leading unit(s) of the adopted ranking (rank 1; several where the sheet's tie-breaks left them
    equal) nominated for the flag by the province (the unit above every member), each through the
    nominations' own door: its create rule decides who may file it (an officer of the province's office)."""
    if block.adopted_ranking is None:
        raise BlockNotAdopted(f"{block.name} has not adopted its ranking for {block.year}.")
    if await repository.flag_nominations(session, block.id):
        raise FlagAlreadyProposed(f"The leading units of {block.name} in {block.year} are proposed already.")
    ranked = await current_ranking(session, block)
    leaders = [item for item in ranked.items if item.rank == 1]
    hierarchy = await scope.targets.hierarchy(block.reference_date, scope.token)
    created: list[tuple[Nomination, Any]] = []
    for leader in leaders:
        province = hierarchy.path(leader.org_unit)[-1]
        achievements = body.achievements or (
            f"Đơn vị dẫn đầu {block.name} năm {block.year}: {leader.total:g} điểm, xếp thứ nhất khối"
            f" (khối thống nhất kết quả chấm điểm ngày {block.adopted_on:%d/%m/%Y})."
        )
        nomination, round_ = await nominations.create(
            session,
            scope,
            NominationIn(
                round_id=body.round_id,
                award_type_code=body.award_type_code,
                nominee=Nominee(
                    kind=RecipientKind.COLLECTIVE,
                    name=leader.org_unit_name,
                    key=f"ORG:{leader.org_unit}",
                    position=None,
                    org_unit=leader.org_unit,
                ),
                nominating_org_unit=province,
                achievements=achievements,
                achievement_keys=[f"BLOCK:{block.code}:{block.year}"],
            ),
        )
        session.add(FlagNomination(block_id=block.id, nomination_id=nomination.id, org_unit=leader.org_unit))
        created.append((nomination, round_))
    await session.flush()
    return created
