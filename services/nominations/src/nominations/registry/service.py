"""The awards registry: recording awards, the history the rules judge on, public search and the bulk import.

One table serves two readers. The rule engine reads a recipient's history by the private ``recipient_key``
(Luật Thi đua, khen thưởng 06/2022/QH15: a higher award rests on the titles held before it, including those
from the years before the platform, which the import brings in). The public reads the registry through
:func:`search_public`, which never exposes the key, the bonus or who entered the row (Nghị định
98/2023/NĐ-CP, Điều 5: awards are made public; personal data beyond the decision is not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue import service as catalogue
from nominations.org_scope import Hierarchy
from nominations.registry import csv_rows, repository
from nominations.registry.models import Award
from nominations.registry.text import normalize, tokens
from nominations.rules.engine import HeldAward
from shared.pagination import Page, decode_int_cursor, encode_cursor

MAX_QUERY_TOKENS = 10
HierarchyFor = Callable[[dt.date], Awaitable[Hierarchy]]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    imported: int
    ignored: int


def search_tokens(
    recipient_name: str,
    org_unit_name: str,
    award_name: str,
    decision_number: str,
    *,
    year: int,
    award_type_code: str,
    org_unit_path: Sequence[str],
) -> list[str]:
    """The words a public search matches an award on (see :mod:`nominations.registry.text`), and the search's
    filters as tokens of their own (``y:2024``, ``t:CSTD_CO_SO``, ``a:HT-THA`` for the unit and each area
    above it), so that a search by name and year or area is one GIN lookup rather than two indexes combined.
    Normalized words never contain ``:``, so the two kinds cannot collide."""
    return [
        *tokens(recipient_name, org_unit_name, award_name, decision_number),
        *filter_tokens(year=year, award_type=award_type_code, areas=org_unit_path),
    ]


def filter_tokens(*, year: int | None, award_type: str | None, areas: Sequence[str]) -> list[str]:
    found = [f"a:{area}" for area in dict.fromkeys(areas)]
    if year is not None:
        found.append(f"y:{year}")
    if award_type is not None:
        found.append(f"t:{award_type}")
    return found


async def _page(
    session: AsyncSession,
    *,
    q: str | None,
    year: int | None,
    award_type: str | None,
    areas: Sequence[str],
    recipient_key: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Award]:
    words = tokens(q)[:MAX_QUERY_TOKENS] if q else []
    if words:
        # Words and filters in one GIN lookup (see search_tokens).
        words += filter_tokens(year=year, award_type=award_type, areas=areas)
        year, award_type, areas = None, None, ()
    query = repository.awards(
        tokens=words,
        year=year,
        award_type=award_type,
        areas=areas,
        recipient_key=recipient_key,
        before_id=decode_int_cursor(cursor, maximum=2**63 - 1),
        limit=limit,
    )
    await repository.plan_for_these_values(session)
    rows = list((await session.execute(query)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1].id) if more else None)


async def search_public(
    session: AsyncSession,
    q: str | None,
    year: int | None,
    award_type: str | None,
    org_unit: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Award]:
    """The public registry, newest first: every word of ``q`` must be a whole word of the recipient's name,
    the unit's name, the award's name or the decision number, with or without diacritics; ``org_unit`` is an
    area and includes the units below it (as they stood on the decision's date)."""
    return await _page(
        session,
        q=q,
        year=year,
        award_type=award_type,
        areas=[org_unit] if org_unit else [],
        recipient_key=None,
        limit=limit,
        cursor=cursor,
    )


async def search_history(
    session: AsyncSession,
    *,
    recipient_key: str | None,
    q: str | None,
    year: int | None,
    award_type: str | None,
    areas: Sequence[str],
    limit: int,
    cursor: str | None,
) -> Page[Award]:
    """The full rows, for staff; ``areas`` are the scopes the caller is limited to, all of which apply."""
    return await _page(
        session,
        q=q,
        year=year,
        award_type=award_type,
        areas=areas,
        recipient_key=recipient_key,
        limit=limit,
        cursor=cursor,
    )


def record_award(
    session: AsyncSession,
    *,
    recipient_kind: str,
    recipient_key: str,
    recipient_name: str,
    org_unit: str,
    org_unit_name: str,
    org_unit_path: Sequence[str],
    award_type_code: str,
    award_name: str,
    year: int,
    occasion: str,
    decision_number: str,
    decision_date: dt.date,
    decision_authority: str,
    created_by: str,
    recipient_position: str | None = None,
    achievement_key: str | None = None,
    nomination_id: int | None = None,
    decision_id: int | None = None,
    bonus_coefficient: Decimal | None = None,
    base_salary_vnd: Decimal | None = None,
    bonus_vnd: Decimal | None = None,
    source: str = "platform",
) -> Award:
    """Record an award held: it joins the recipient's history and, by its public fields, the registry.

    Added to the session, written with the caller's next flush (a decision adds many, flushed once)."""
    award = Award(
        source=source,
        nomination_id=nomination_id,
        decision_id=decision_id,
        recipient_kind=recipient_kind,
        recipient_key=recipient_key,
        recipient_name=recipient_name,
        recipient_position=recipient_position,
        org_unit=org_unit,
        org_unit_name=org_unit_name,
        org_unit_path=list(org_unit_path),
        award_type_code=award_type_code,
        award_name=award_name,
        year=year,
        occasion=occasion,
        achievement_key=achievement_key,
        decision_number=decision_number,
        decision_date=decision_date,
        decision_authority=decision_authority,
        bonus_coefficient=bonus_coefficient,
        base_salary_vnd=base_salary_vnd,
        bonus_vnd=bonus_vnd,
        search_tokens=search_tokens(
            recipient_name,
            org_unit_name,
            award_name,
            decision_number,
            year=year,
            award_type_code=award_type_code,
            org_unit_path=org_unit_path,
        ),
        created_by=created_by,
    )
    session.add(award)
    return award


@dataclass(frozen=True, slots=True)
class NomineeHistory:
    held: list[HeldAward]  # what counts towards titles, oldest first
    rewarded_achievements: list[str]  # every achievement rewarded under the key
    other_names: list[str]  # names under the key other than the nominee's


async def nominee_history(
    session: AsyncSession, recipient_key: str, name: str, *, by_name: bool = True
) -> NomineeHistory:
    """A nominee's awards as the rule engine reads them.

    The key is typed by the nominating unit. With ``by_name`` (a person), titles count only when recorded
    under the same name (accents and case aside), so a mistyped or borrowed key neither lends another
    person's titles nor reveals their history; the other names are reported for the screener. A
    collective's name changes with mergers, so its history is taken by key alone. Restrictions (one
    achievement, one award) see everything recorded under the key.
    """
    wanted = normalize(name)
    held: list[HeldAward] = []
    rewarded: list[str] = []
    others: set[str] = set()
    for award in await repository.held_by(session, [recipient_key]):
        if award.achievement_key:
            rewarded.append(award.achievement_key)
        if not by_name or normalize(award.recipient_name) == wanted:
            held.append(HeldAward(award.award_type_code, award.year, award.occasion, award.achievement_key))
        else:
            others.add(award.recipient_name)
    return NomineeHistory(held, rewarded, sorted(others))


async def count_holders(session: AsyncSession, *, award_type: str, year: int, area: str) -> int:
    """How many hold a title in a year within an area (a quota's basis)."""
    return await repository.count_holders(session, award_type=award_type, year=year, area=area)


async def awards_of_decision(session: AsyncSession, decision_id: int) -> list[Award]:
    return await repository.of_decision(session, decision_id)


async def decision_totals(session: AsyncSession, decision_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Decision id → (awards made, bonus total in đồng); a decision that made none is absent."""
    return await repository.totals_by_decision(session, decision_ids) if decision_ids else {}


REINDEX_BATCH = 10_000


async def reindex(session_factory: Callable[[], AbstractAsyncContextManager[AsyncSession]]) -> int:
    """Compute the search words of the awards that have none (rows loaded in bulk, e.g. by the benchmark),
    one transaction per batch of 10,000. How many changed."""
    done, after_id = 0, 0
    while True:
        async with session_factory() as session:
            awards = await repository.without_tokens(session, after_id=after_id, limit=REINDEX_BATCH)
            if not awards:
                return done
            await repository.set_tokens(
                session,
                {
                    award.id: search_tokens(
                        award.recipient_name,
                        award.org_unit_name,
                        award.award_name,
                        award.decision_number,
                        year=award.year,
                        award_type_code=award.award_type_code,
                        org_unit_path=award.org_unit_path,
                    )
                    for award in awards
                },
            )
        done += len(awards)
        after_id = awards[-1].id


async def import_csv(
    session: AsyncSession, data: bytes, actor: str, hierarchy_for: HierarchyFor
) -> ImportOutcome:
    """Bring in the awards decided before the platform, from a CSV file, all or nothing.

    Every row is checked: the award type was in the catalogue in force on the decision's date and is for
    this kind of recipient; the unit existed then (its name and its area, ``org_unit_path``, are taken from
    that day's hierarchy, so an award stays in the district it was decided in after the district is gone).
    Any bad row refuses the whole file, listing every error. A row already recorded (same recipient, award
    type, year and decision number), or repeated in the file, is skipped and counted as ignored, so sending
    a file twice stores it once.
    """
    header, records = csv_rows.read_csv(data)
    header_errors = csv_rows.check_header(header)
    if header_errors:
        raise csv_rows.problem(header_errors, len(records))
    errors: list[csv_rows.RowError] = []
    rows: list[csv_rows.Row] = []
    for number, record in records:
        row, row_errors = csv_rows.parse_row(number, header, record)
        errors += row_errors
        if row is not None:
            rows.append(row)

    versions = {
        code: await catalogue.all_versions(session, code)
        for code in {r.values["award_type_code"] for r in rows}
    }
    hierarchies = {day: await hierarchy_for(day) for day in sorted({r.values["decision_date"] for r in rows})}
    for row in rows:
        values, day = row.values, row.values["decision_date"]
        code = values["award_type_code"]
        version = csv_rows.version_on(versions[code], day)
        if version is None:
            message = (
                f"{day} is outside every version of {code}"
                if versions[code]
                else "not an award type of the catalogue"
            )
            errors.append(csv_rows.RowError(row.number, "award_type_code", message))
        else:
            values["award_name"] = version.name
            if version.recipient_kind != values["recipient_kind"]:
                errors.append(
                    csv_rows.RowError(
                        row.number, "recipient_kind", f"{code} is for a {version.recipient_kind}"
                    )
                )
        unit = hierarchies[day].get(values["org_unit"])
        if unit is None:
            errors.append(csv_rows.RowError(row.number, "org_unit", f"no such org unit on {day}"))
        else:
            values["org_unit_name"] = unit.name
            values["org_unit_path"] = hierarchies[day].path(unit.code)
    if errors:
        raise csv_rows.problem(sorted(errors, key=lambda e: e.row), len(records))

    await repository.lock_imports(session)
    seen = await repository.recorded_keys(session, (row.values["recipient_key"] for row in rows))
    fresh: list[dict[str, Any]] = []
    for row in rows:
        values = row.values
        key = (values["recipient_key"], values["award_type_code"], values["year"], values["decision_number"])
        if key in seen:
            continue
        seen.add(key)
        fresh.append(
            {
                **values,
                "source": "import",
                "search_tokens": search_tokens(
                    values["recipient_name"],
                    values["org_unit_name"],
                    values["award_name"],
                    values["decision_number"],
                    year=values["year"],
                    award_type_code=values["award_type_code"],
                    org_unit_path=values["org_unit_path"],
                ),
                "created_by": actor,
            }
        )
    await repository.insert_awards(session, fresh)
    return ImportOutcome(imported=len(fresh), ignored=len(rows) - len(fresh))


async def awards_of_nominations(session: AsyncSession, nomination_ids: Sequence[int]) -> list[Award]:
    return await repository.of_nominations(session, nomination_ids)
