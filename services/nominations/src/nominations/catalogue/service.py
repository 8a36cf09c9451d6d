"""The award catalogue as of a date, and its upkeep: a new version replaces the one in force from its date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue import regimes, repository
from nominations.catalogue.models import (
    AwardType,
    BaseSalary,
    DisclosureStage,
    EligibilityRule,
    Quota,
)
from nominations.catalogue.schemas import (
    AuthoritySuccessionOut,
    AwardTypeDetail,
    AwardTypeIn,
    AwardTypeOut,
    BaseSalaryIn,
    BaseSalaryOut,
    QuotaOut,
    RegimeChangeOut,
    RequiredDocument,
    RuleOut,
    VersionOut,
)
from shared.pagination import Page, as_code, as_day, decode_int_cursor, decode_keyset, encode_cursor
from shared.problems import Conflict, NotFound

ONE_DAY = dt.timedelta(days=1)


class AwardTypeNotFound(NotFound):
    slug = "award-type-not-found"
    title = "Award type not found"


class OverlappingVersion(Conflict):
    slug = "award-type-version-overlaps"
    title = "Another version is in force then"


class OverlappingBaseSalary(Conflict):
    slug = "base-salary-overlaps"
    title = "Another base salary is in force then"


def _out(version: AwardType, rules: list[EligibilityRule], quotas: list[Quota]) -> AwardTypeOut:
    return AwardTypeOut(
        code=version.code,
        name=version.name,
        name_en=version.name_en,
        category=version.category,
        recipient_kind=version.recipient_kind,
        level=version.level,
        deciding_authority=version.deciding_authority,
        occasions=version.occasions,
        vote_threshold=float(version.vote_threshold),
        vote_base=version.vote_base,
        vote_comparison=version.vote_comparison,
        disclosure_stage=version.disclosure_stage,
        disclosure_working_days=version.disclosure_working_days,
        disclosure_source=version.disclosure_source,
        bonus_coefficient=float(version.bonus_coefficient),
        bonus_source=version.bonus_source,
        required_documents=[RequiredDocument(**document) for document in version.required_documents],
        legal_source=version.legal_source,
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        notes=version.notes,
        rules=[
            RuleOut(
                kind=rule.kind,
                params=rule.params,
                description=rule.description,
                legal_source=rule.legal_source,
                valid_from=rule.valid_from,
                valid_to=rule.valid_to,
            )
            for rule in rules
            if rule.award_type_code == version.code
        ],
        quotas=[
            QuotaOut(
                issuing_body=quota.issuing_body,
                basis=quota.basis,
                max_share=float(quota.max_share),
                legal_source=quota.legal_source,
                valid_from=quota.valid_from,
                valid_to=quota.valid_to,
            )
            for quota in quotas
            if quota.award_type_code == version.code
        ],
    )


async def catalogue_on(
    session: AsyncSession, day: dt.date, *, limit: int, cursor: str | None
) -> Page[AwardTypeOut]:
    """Every award type as it stood on ``day``: the version, rules and quotas in force then, by code."""
    key = decode_keyset(cursor, as_code)
    versions = await repository.versions_in_force(
        session, day, limit=limit, after_code=key[0] if key else None
    )
    shown = versions[:limit]
    codes = [version.code for version in shown]
    rules = await repository.rules_in_force(session, codes, day)
    quotas = await repository.quotas_in_force(session, codes, day)
    return Page(
        items=[_out(version, rules, quotas) for version in shown],
        next_cursor=encode_cursor([shown[-1].code]) if len(versions) > limit else None,
    )


async def version_in_force(session: AsyncSession, code: str, day: dt.date) -> AwardType | None:
    """The version of ``code`` in force on ``day``, if any."""
    return await repository.version_in_force(session, code, day)


async def all_versions(session: AsyncSession, code: str) -> list[AwardType]:
    return await repository.all_versions(session, code)


async def rules_in_force(session: AsyncSession, codes: list[str], day: dt.date) -> list[EligibilityRule]:
    return await repository.rules_in_force(session, codes, day)


async def quotas_in_force(session: AsyncSession, codes: list[str], day: dt.date) -> list[Quota]:
    return await repository.quotas_in_force(session, codes, day)


async def base_salary_on(session: AsyncSession, day: dt.date) -> BaseSalary | None:
    """The base salary (mức lương cơ sở) in force on ``day``."""
    return await repository.base_salary_on(session, day)


Out = TypeVar("Out", bound=BaseModel)


def _short_table_page(
    rows: Sequence[Any], day_of: Callable[[Any], dt.date], out: type[Out], *, limit: int, cursor: str | None
) -> Page[Out]:
    """A page of a short dated table read whole (a row per legal change, a few a decade), keyed by its day."""
    key = decode_keyset(cursor, as_day)
    after = [row for row in rows if key is None or day_of(row) > key[0]]
    shown = after[:limit]
    return Page(
        items=[out.model_validate(row) for row in shown],
        next_cursor=encode_cursor([day_of(shown[-1]).isoformat()]) if len(after) > limit else None,
    )


async def base_salaries(session: AsyncSession, *, limit: int, cursor: str | None) -> Page[BaseSalaryOut]:
    """The base salaries, oldest first."""
    rows = await repository.base_salaries(session)
    return _short_table_page(rows, lambda row: row.valid_from, BaseSalaryOut, limit=limit, cursor=cursor)


async def add_base_salary(session: AsyncSession, body: BaseSalaryIn) -> BaseSalaryOut:
    """Enter the next change of the base salary: the open-ended one before it ends the day before.

    Like award type versions, the past is not rewritten: a change must start after every recorded one.
    """
    known = await repository.base_salaries(session)
    for row in known:
        if row.valid_from >= body.valid_from or (
            row.valid_to is not None and row.valid_to >= body.valid_from
        ):
            raise OverlappingBaseSalary(
                f"The base salary of {row.valid_from}..{row.valid_to or 'open'} is in force on or after"
                f" {body.valid_from}; a change must start after it.",
                valid_from=row.valid_from.isoformat(),
            )
    for row in known:
        if row.valid_to is None:
            row.valid_to = body.valid_from - ONE_DAY
    created = BaseSalary(
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        amount_vnd=Decimal(body.amount_vnd),
        legal_source=body.legal_source,
    )
    try:
        async with session.begin_nested():
            session.add(created)
            await session.flush()
    except IntegrityError:
        raise OverlappingBaseSalary(f"A base salary from {body.valid_from} is already recorded.") from None
    return BaseSalaryOut.model_validate(created)


async def successions(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> Page[AuthoritySuccessionOut]:
    after = decode_int_cursor(cursor)
    rows = [row for row in await repository.successions(session) if after is None or row.id > after]
    shown = rows[:limit]
    return Page(
        items=[AuthoritySuccessionOut.model_validate(row) for row in shown],
        next_cursor=encode_cursor(shown[-1].id) if len(rows) > limit else None,
    )


async def successors_on(session: AsyncSession, authority: str, day: dt.date) -> frozenset[str]:
    """The offices that sign, on ``day``, decisions of ``authority``'s forms in its place (its tier ended)."""
    return frozenset(await repository.successors_on(session, authority, day))


async def judging_day(session: AsyncSession, reference_date: dt.date, sent_on: dt.date) -> dt.date:
    """The date whose catalogue judges a dossier of a round of ``reference_date`` sent on ``sent_on``."""
    changes = [change.starts_on for change in await repository.regime_changes(session)]
    return regimes.judging_day(reference_date, sent_on, changes)


async def regime_changes(session: AsyncSession, *, limit: int, cursor: str | None) -> Page[RegimeChangeOut]:
    rows = await repository.regime_changes(session)
    return _short_table_page(rows, lambda row: row.starts_on, RegimeChangeOut, limit=limit, cursor=cursor)


async def award_type_on(session: AsyncSession, code: str, day: dt.date) -> AwardTypeDetail:
    version = await repository.version_in_force(session, code, day)
    if version is None:
        known = await repository.all_versions(session, code)
        if not known:
            raise AwardTypeNotFound(f"No award type has the code {code!r}.")
        raise AwardTypeNotFound(
            f"{code} was not in force on {day}; its versions run "
            + ", ".join(f"{v.valid_from}..{v.valid_to or 'open'}" for v in known)
            + "."
        )
    rules = await repository.rules_in_force(session, [code], day)
    quotas = await repository.quotas_in_force(session, [code], day)
    versions = await repository.all_versions(session, code)
    return AwardTypeDetail(
        **_out(version, rules, quotas).model_dump(),
        versions=[
            VersionOut(valid_from=v.valid_from, valid_to=v.valid_to, legal_source=v.legal_source)
            for v in versions
        ],
    )


async def create_version(session: AsyncSession, body: AwardTypeIn) -> AwardType:
    """Add a version; the open-ended version before it ends the day before, and so do its rules.

    A version that would overlap a closed one, or start before the version in force, is refused: the past is
    corrected by entering the right version for it, not by rewriting another.
    """
    versions = await repository.all_versions(session, body.code)
    for version in versions:
        if version.valid_from >= body.valid_from:
            raise OverlappingVersion(
                f"{body.code} already has a version from {version.valid_from}; a new one must start later."
            )
        if version.valid_to is not None and version.valid_to >= body.valid_from:
            raise OverlappingVersion(
                f"{body.code}'s version {version.valid_from}..{version.valid_to} overlaps."
            )
    previous_end = body.valid_from - ONE_DAY
    for version in versions:
        if version.valid_to is None:
            version.valid_to = previous_end
    # The rules and quotas of the version it replaces end with it (the new version brings its own).
    for rule in await repository.rules_in_force(session, [body.code], body.valid_from):
        rule.valid_to = previous_end
    for quota in await repository.quotas_in_force(session, [body.code], body.valid_from):
        quota.valid_to = previous_end
    created = AwardType(
        code=body.code,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        name=body.name,
        name_en=body.name_en,
        category=body.category.value,
        recipient_kind=body.recipient_kind.value,
        level=body.level.value,
        deciding_authority=body.deciding_authority.value,
        occasions=[occasion.value for occasion in body.occasions],
        vote_threshold=body.vote_threshold,
        vote_base=body.vote_base.value,
        vote_comparison=body.vote_comparison,
        disclosure_stage=(body.disclosure_stage or DisclosureStage.NONE).value,
        disclosure_working_days=body.disclosure_working_days,
        disclosure_source=body.disclosure_source,
        bonus_coefficient=body.bonus_coefficient,
        bonus_source=body.bonus_source,
        required_documents=[document.model_dump() for document in body.required_documents],
        legal_source=body.legal_source,
        notes=body.notes,
    )
    try:
        async with session.begin_nested():
            session.add(created)
            session.add_all(
                EligibilityRule(
                    award_type_code=body.code,
                    kind=rule.kind,
                    params=rule.params,
                    description=rule.description,
                    legal_source=rule.legal_source,
                    valid_from=body.valid_from,
                    valid_to=body.valid_to,
                )
                for rule in body.rules
            )
            await session.flush()
    except IntegrityError:
        raise OverlappingVersion(f"{body.code} already has a version from {body.valid_from}.") from None
    return created
