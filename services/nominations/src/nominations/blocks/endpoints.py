"""HTTP for emulation blocks: the secretariat's records, members' pledges and scores, the leader's
cross-check, the ranking and its adoption, and the flag proposal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from nominations.blocks import service
from nominations.blocks.schemas import (
    BlockIn,
    BlockOut,
    BlockPatch,
    BlockSummary,
    FlagProposalIn,
    NextYearIn,
    PledgeIn,
    PledgeOut,
    Ranking,
    ScoreOut,
    ScoresIn,
)
from nominations.deps import BlockParticipant, CatalogueEditor, Idempotent, NominationDrafter
from nominations.nominations import service as nominations
from nominations.nominations.schemas import NominationOut
from nominations.nominations.workflow import ActionForbidden
from nominations.org_scope import OutOfScope, Scope, TargetsUnavailable
from nominations.rounds.service import RoundNotFound
from shared.auth import AnyUser
from shared.bounds import RowId
from shared.concurrency import IfMatch, PreconditionRequired, VersionMismatch, check_if_match, etag
from shared.database import SessionDep
from shared.idempotency import Created, IdempotencyKeyReused
from shared.pagination import Cursor, InvalidCursor, Limit, Page
from shared.problems import problem_responses

router = APIRouter(tags=["emulation blocks"])


@router.get(
    "/v1/blocks", summary="Emulation blocks, newest year first", responses=problem_responses(InvalidCursor)
)
async def list_blocks(
    session: SessionDep,
    principal: AnyUser,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[BlockSummary]:
    return await service.list_blocks(session, year=year, limit=limit, cursor=cursor)


@router.post(
    "/v1/blocks",
    status_code=201,
    summary="Record a block of a year: members, leader, deputy, pledge deadline, score sheet (secretariat)",
    response_model=BlockOut,
    responses=problem_responses(
        service.BlockExists, service.BlockInvalid, TargetsUnavailable, IdempotencyKeyReused
    ),
)
async def create_block(
    session: SessionDep, scope: Scope, principal: CatalogueEditor, body: BlockIn, idempotent: Idempotent
) -> JSONResponse:
    async def create() -> Created:
        block = await service.create(session, scope, body)
        return Created(await service.out(session, block), f"/api/v1/blocks/{block.id}", etag(block.version))

    return await idempotent(create)


@router.get(
    "/v1/blocks/{block_id}",
    summary="One block with its members, roles and score sheet",
    responses=problem_responses(service.BlockNotFound),
)
async def get_block(session: SessionDep, principal: AnyUser, block_id: RowId, response: Response) -> BlockOut:
    block = await service.get(session, block_id)
    response.headers["ETag"] = etag(block.version)
    return await service.out(session, block)


@router.patch(
    "/v1/blocks/{block_id}",
    summary="Change a block's name, pledge deadline, leader or deputy before adoption (If-Match required)",
    responses=problem_responses(
        service.BlockNotFound,
        service.BlockInvalid,
        service.BlockClosed,
        PreconditionRequired,
        VersionMismatch,
    ),
)
async def patch_block(
    session: SessionDep,
    principal: CatalogueEditor,
    block_id: RowId,
    body: BlockPatch,
    response: Response,
    if_match: IfMatch = None,
) -> BlockOut:
    block = await service.get(session, block_id, lock=True)
    check_if_match(if_match, block.version)
    await service.update(session, block, body)
    response.headers["ETag"] = etag(block.version)
    return await service.out(session, block)


@router.post(
    "/v1/blocks/{block_id}/actions/next-year",
    status_code=201,
    summary="Next year's block: same members and sheet, the deputy leads, the next member deputises",
    response_model=BlockOut,
    responses=problem_responses(
        service.BlockNotFound, service.BlockExists, service.BlockInvalid, IdempotencyKeyReused
    ),
)
async def next_year(
    session: SessionDep,
    scope: Scope,
    principal: CatalogueEditor,
    block_id: RowId,
    body: NextYearIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        block = await service.next_year(session, scope, await service.get(session, block_id), body)
        return Created(await service.out(session, block), f"/api/v1/blocks/{block.id}", etag(block.version))

    return await idempotent(create)


@router.get(
    "/v1/blocks/{block_id}/pledges",
    summary="The members' pledges of the block's year",
    responses=problem_responses(service.BlockNotFound, InvalidCursor),
)
async def list_pledges(
    session: SessionDep, principal: AnyUser, block_id: RowId, limit: Limit = 50, cursor: Cursor = None
) -> Page[PledgeOut]:
    return await service.pledges(session, await service.get(session, block_id), limit=limit, cursor=cursor)


@router.post(
    "/v1/blocks/{block_id}/pledges",
    status_code=201,
    summary="A member's pledge of the year, by the block's deadline (its officers; the secretariat)",
    response_model=PledgeOut,
    responses=problem_responses(
        service.BlockNotFound,
        service.NotABlockMember,
        service.PledgeDeadlinePassed,
        service.PledgeExists,
        service.BlockClosed,
        service.BlockInvalid,
        OutOfScope,
        IdempotencyKeyReused,
    ),
)
async def pledge(
    session: SessionDep,
    scope: Scope,
    principal: BlockParticipant,
    block_id: RowId,
    body: PledgeIn,
    idempotent: Idempotent,
) -> JSONResponse:
    async def create() -> Created:
        block = await service.get(session, block_id)
        row = await service.pledge(session, scope, block, body)
        return Created(service.pledge_out(row), f"/api/v1/blocks/{block.id}/pledges", None)

    return await idempotent(create)


@router.get(
    "/v1/blocks/{block_id}/scores",
    summary="Scores by member, criterion and stage (self, checked, auto)",
    responses=problem_responses(service.BlockNotFound, InvalidCursor),
)
async def list_scores(
    session: SessionDep,
    principal: AnyUser,
    block_id: RowId,
    org_unit: Annotated[str | None, Query(max_length=50)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ScoreOut]:
    block = await service.get(session, block_id)
    return await service.scores(session, block, org_unit=org_unit, limit=limit, cursor=cursor)


@router.post(
    "/v1/blocks/{block_id}/scores",
    summary="A member's own scores, or the leader's cross-check of them; all checked before any is written",
    responses=problem_responses(
        service.BlockNotFound,
        service.NotABlockMember,
        service.ScoresInvalid,
        service.ScoreOutOfRange,
        service.NotTheChecker,
        service.BlockClosed,
        OutOfScope,
    ),
)
async def post_scores(
    session: SessionDep, scope: Scope, principal: BlockParticipant, block_id: RowId, body: ScoresIn
) -> list[ScoreOut]:
    block = await service.get(session, block_id, lock=True)
    return [service.score_out(row) for row in await service.score(session, scope, block, body)]


@router.post(
    "/v1/blocks/{block_id}/actions/auto-score",
    summary="Score the automatic criteria from each member's target achievement (leader, secretariat)",
    responses=problem_responses(
        service.BlockNotFound, service.NotTheLeader, service.BlockClosed, TargetsUnavailable
    ),
)
async def auto_score(
    session: SessionDep, scope: Scope, principal: BlockParticipant, block_id: RowId
) -> list[ScoreOut]:
    block = await service.get(session, block_id, lock=True)
    return [service.score_out(row) for row in await service.auto_score(session, scope, block)]


@router.get(
    "/v1/blocks/{block_id}/ranking",
    summary="The block's ranking: the adopted one once adopted, the live one before",
    responses=problem_responses(service.BlockNotFound),
)
async def get_ranking(session: SessionDep, principal: AnyUser, block_id: RowId) -> Ranking:
    return await service.current_ranking(session, await service.get(session, block_id))


@router.post(
    "/v1/blocks/{block_id}/actions/adopt",
    summary="The block adopts its scores and ranking; final from then on (leader, secretariat)",
    responses=problem_responses(
        service.BlockNotFound, service.NotTheLeader, service.BlockClosed, service.ScoresIncomplete
    ),
)
async def adopt(session: SessionDep, scope: Scope, principal: BlockParticipant, block_id: RowId) -> Ranking:
    block = await service.get(session, block_id, lock=True)
    return await service.adopt(session, scope, block)


@router.post(
    "/v1/blocks/{block_id}/actions/propose-flag",
    status_code=201,
    summary="Nominate the leading unit(s) for the province's Cờ thi đua (an officer of the province)",
    responses=problem_responses(
        service.BlockNotFound,
        service.BlockNotAdopted,
        service.FlagAlreadyProposed,
        RoundNotFound,
        nominations.InvalidNomination,
        ActionForbidden,
        OutOfScope,
    ),
)
async def propose_flag(
    session: SessionDep, scope: Scope, principal: NominationDrafter, block_id: RowId, body: FlagProposalIn
) -> list[NominationOut]:
    block = await service.get(session, block_id, lock=True)
    created = await service.propose_flag(session, scope, block, body)
    return [await nominations.out(scope, nomination, round_) for nomination, round_ in created]
