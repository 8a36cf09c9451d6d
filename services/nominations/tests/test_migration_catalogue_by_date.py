"""Migration 0006 on a database as the earlier seed and the API left it: the seed's rows become its own, the
API's stay the API's, each nomination gets the catalogue date of the regime it was sent under, and a pass with
no public period that was left in 'disclosure' awaits its decision as 'approved'."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from devstack.postgres import PostgresServer
from shared import migrations
from shared.database import to_async_url

AWARD_TYPE = """
INSERT INTO nominations.award_types (code, valid_from, name, category, recipient_kind, level,
    deciding_authority, occasions, vote_threshold, vote_base, vote_comparison, disclosure_working_days,
    bonus_coefficient, required_documents, legal_source)
VALUES (:code, :start, 'x', 'title', 'collective', 'national', 'prime_minister', '{annual}', 0.9,
    'all_members', 'gte', :days, 24.5, '[]', 'x')
"""
ROUND = """
INSERT INTO nominations.rounds (code, name, kind, year, reference_date, opens_on, submission_working_days,
    screening_working_days, council_working_days, decision_working_days, resubmission_working_days,
    submission_deadline, screening_deadline, council_deadline, decision_deadline, created_by, version)
VALUES ('KT-2024', 'x', 'annual', 2024, '2024-12-31', '2025-01-05', 15, 10, 10, 10, 5, '2025-01-26',
    '2025-02-09', '2025-02-23', '2025-03-09', 't', 1)
RETURNING id
"""
NOMINATION = """
INSERT INTO nominations.nominations (round_id, award_type_code, award_name, occasion, nominee_kind,
    nominee_name, nominee_key, nominee_org_unit, nominating_org_unit, nominating_org_unit_name, achievements,
    achievement_keys, initiatives, status, overrides, created_by, version, first_submitted_at,
    council_result, disclosure_from, disclosure_until, outcome)
VALUES (:round, 'LDTT', 'x', 'annual', 'individual', :nominee, :nominee_key, 'HT-THA', 'HT-THA', 'x', 'x',
    '{}', '[]', :status, '[]', 't', 1, :sent, CAST(:result AS jsonb), :since, :until, NULL)
"""
# (name, status, first sent at (UTC), council's result, disclosure from, until)
NOMINATIONS = [
    ("sent-before", "screening", "2025-06-30 16:59:00+00", None, None, None),  # 23:59 in Vietnam
    ("sent-after", "screening", "2025-06-30 17:00:00+00", None, None, None),  # 00:00 on 1/7 in Vietnam
    ("draft", "draft", None, None, None, None),
    ("passed-no-period", "disclosure", "2025-01-10 03:00:00+00", '{"passed": true}', "2025-03-01", None),
    (
        "passed-with-period",
        "disclosure",
        "2025-01-10 03:00:00+00",
        '{"passed": true}',
        "2025-03-01",
        "2025-03-14",
    ),
]


@pytest.fixture
async def engine(postgres_server: PostgresServer) -> AsyncIterator[AsyncEngine]:
    name = f"m0006_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    config = migrations.alembic_config("nominations:migrations", url, "nominations")
    await asyncio.to_thread(migrations.upgrade, config, "0005")
    engine = create_async_engine(to_async_url(url))
    try:
        async with engine.begin() as connection:
            for code, start, days in (("CO_THI_DUA_CP", "2024-01-01", 10), ("NEW_CODE", "2024-01-01", 0)):
                await connection.execute(
                    text(AWARD_TYPE), {"code": code, "start": dt.date.fromisoformat(start), "days": days}
                )
            round_id = (await connection.execute(text(ROUND))).scalar_one()
            for nominee, status, sent, result, since, until in NOMINATIONS:
                await connection.execute(
                    text(NOMINATION),
                    {
                        "round": round_id,
                        "nominee": nominee,
                        "nominee_key": nominee,
                        "status": status,
                        "sent": dt.datetime.fromisoformat(sent) if sent else None,
                        "result": result,
                        "since": dt.date.fromisoformat(since) if since else None,
                        "until": dt.date.fromisoformat(until) if until else None,
                    },
                )
        await asyncio.to_thread(migrations.upgrade, config, "0006")
        yield engine
    finally:
        await engine.dispose()
        postgres_server.drop_database(name)


async def _rows(engine: AsyncEngine, sql: str) -> list[Any]:
    async with engine.connect() as connection:
        return list((await connection.execute(text(sql))).all())


async def test_the_seeds_rows_are_its_own_and_the_apis_stay_the_apis(engine: AsyncEngine) -> None:
    rows = await _rows(
        engine, "SELECT code, origin, disclosure_stage FROM nominations.award_types ORDER BY code"
    )
    assert [tuple(row) for row in rows] == [
        ("CO_THI_DUA_CP", "seed", "after_council"),
        ("NEW_CODE", "api", "none"),
    ]


async def test_each_nomination_gets_the_catalogue_date_of_its_sending(engine: AsyncEngine) -> None:
    rows = await _rows(
        engine,
        "SELECT nominee_name, catalogue_date::text, status, disclosure_from::text"
        " FROM nominations.nominations",
    )
    assert {row[0]: tuple(row[1:]) for row in rows} == {
        "sent-before": ("2024-12-31", "screening", None),
        "sent-after": ("2025-07-01", "screening", None),
        "draft": ("2024-12-31", "draft", None),
        "passed-no-period": ("2024-12-31", "approved", None),
        "passed-with-period": ("2024-12-31", "disclosure", "2025-03-01"),
    }
