"""Loads the award catalogue (``python -m nominations seed``, run by ``make run``): the versions of every
award type for each legal regime since 2021, their rules and quotas, the base salaries and the authority
successions, each with its legal source (``data/catalogue.json``).

The seed keeps its own rows (``origin = 'seed'``) equal to its data: a row it wrote before is updated when the
data corrects it (a coefficient, a citation, an end date) and removed when the data no longer holds it, so a
correction of the catalogue reaches a running deployment by running the seed again. Rows entered through the
API are never touched, and where one starts a later version, the seeded row before it ends the day before,
as :func:`nominations.catalogue.service.create_version` ended it. Rows are matched by award type version
(code, valid_from), rule (code, kind, valid_from, params), quota (code, basis, valid_from), base salary
(valid_from) and succession (authority, successor, valid_from).

Already recorded nominations and awards keep what they recorded: an award keeps its coefficient and its base
salary, a nomination the award's name it was made under.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue import repository
from nominations.catalogue.models import (
    AuthoritySuccession,
    AwardType,
    BaseSalary,
    EligibilityRule,
    Origin,
    Quota,
    RegimeChange,
)
from nominations.catalogue.repository import CatalogueRow

ONE_DAY = dt.timedelta(days=1)
DATES = frozenset({"valid_from", "valid_to", "starts_on"})
DECIMALS = frozenset({"vote_threshold", "bonus_coefficient", "max_share", "amount_vnd"})


class CatalogueConflict(RuntimeError):
    """The seed's data and rows entered through the API would both be in force on a day: nothing is loaded."""


def catalogue_data() -> dict[str, Any]:
    text = (
        resources.files("nominations.catalogue")
        .joinpath("data", "catalogue.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def _values(item: dict[str, Any]) -> dict[str, Any]:
    """A data item as column values: dates and decimals parsed, comments (keys starting with _) left out."""
    values: dict[str, Any] = {}
    for key, value in item.items():
        if key.startswith("_"):
            continue
        if key in DATES:
            values[key] = dt.date.fromisoformat(value) if value else None
        elif key in DECIMALS:
            values[key] = Decimal(str(value))
        else:
            values[key] = value
    return values


def _rule_key(row: Any) -> Hashable:
    params = row["params"] if isinstance(row, dict) else row.params
    code = row["award_type_code"] if isinstance(row, dict) else row.award_type_code
    kind = row["kind"] if isinstance(row, dict) else row.kind
    start = row["valid_from"] if isinstance(row, dict) else row.valid_from
    return (code, kind, start, json.dumps(params, sort_keys=True))


def _key(*names: str) -> Callable[[Any], Hashable]:
    def key(row: Any) -> Hashable:
        return tuple(row[name] if isinstance(row, dict) else getattr(row, name) for name in names)

    return key


Clip = Callable[[dict[str, Any]], dict[str, Any]]


def _unclipped(values: dict[str, Any]) -> dict[str, Any]:
    return values


async def _sync(
    session: AsyncSession,
    model: type[CatalogueRow],
    items: Iterable[dict[str, Any]],
    key: Callable[[Any], Hashable],
    clip: Clip = _unclipped,
) -> dict[str, int]:
    rows = await repository.every(session, model)
    by_key = {key(row): row for row in rows}
    counts = {"created": 0, "updated": 0, "removed": 0}
    wanted: set[Hashable] = set()
    for item in items:
        values = clip(_values(item))
        item_key = key(values)
        wanted.add(item_key)
        row = by_key.get(item_key)
        if row is None:
            session.add(model(**values, origin=Origin.SEED.value))
            counts["created"] += 1
        elif row.origin == Origin.SEED.value:
            changed = {name: value for name, value in values.items() if getattr(row, name) != value}
            for name, value in changed.items():
                setattr(row, name, value)
            counts["updated"] += bool(changed)
    gone = [row for row in rows if row.origin == Origin.SEED.value and key(row) not in wanted]
    await repository.delete_rows(session, gone)
    counts["removed"] = len(gone)
    await session.flush()
    return counts


def _overlaps(rows: Iterable[Any], key: Callable[[Any], str]) -> list[str]:
    by_key: dict[str, list[Any]] = {}
    for row in rows:
        by_key.setdefault(key(row), []).append(row)
    found = []
    for name, versions in by_key.items():
        versions.sort(key=lambda row: row.valid_from)
        for before, after in itertools.pairwise(versions):
            if before.valid_to is None or before.valid_to >= after.valid_from:
                end = before.valid_to or "open"
                found.append(
                    f"{name or 'base salary'}: {before.valid_from}..{end} ({before.origin})"
                    f" and {after.valid_from}.. ({after.origin})"
                )
    return found


async def _refuse_overlaps(session: AsyncSession) -> None:
    """A day has one version of each award type and one base salary, or the seed loads nothing (the caller's
    transaction rolls back): a row entered through the API that the data now contradicts is for a person to
    resolve, not for the seed to overwrite."""
    found = _overlaps(await repository.every(session, AwardType), lambda row: row.code)
    found += _overlaps(await repository.base_salaries(session), lambda row: "")
    if found:
        raise CatalogueConflict("Versions in force on the same days; nothing was loaded: " + "; ".join(found))


def _ended_before(starts: dict[str, list[dt.date]], code_field: str | None) -> Clip:
    """A seeded row ends the day before a later version of its code entered through the API begins (the
    API's versions replace the seed's from their date, as create_version ended the row it followed)."""

    def clip(values: dict[str, Any]) -> dict[str, Any]:
        code = values[code_field] if code_field else ""  # None: one table without codes (base salaries)
        later = [day for day in starts.get(code, ()) if day > values["valid_from"]]
        end = values.get("valid_to")
        if later and (end is None or end >= min(later)):
            return {**values, "valid_to": min(later) - ONE_DAY}
        return values

    return clip


async def _entered_starts(session: AsyncSession) -> tuple[dict[str, list[dt.date]], dict[str, list[dt.date]]]:
    """The start dates of award type versions and of base salaries entered through the API."""
    versions: dict[str, list[dt.date]] = {}
    for version in await repository.every(session, AwardType):
        if version.origin == Origin.API.value:
            versions.setdefault(version.code, []).append(version.valid_from)
    salaries = [s.valid_from for s in await repository.base_salaries(session) if s.origin == Origin.API.value]
    return versions, {"": salaries}


async def load_catalogue(session: AsyncSession) -> dict[str, dict[str, int]]:
    data = catalogue_data()
    versions, salaries = await _entered_starts(session)
    counts = {
        "award_types": await _sync(
            session,
            AwardType,
            data["award_types"],
            _key("code", "valid_from"),
            _ended_before(versions, "code"),
        ),
        "rules": await _sync(
            session, EligibilityRule, data["rules"], _rule_key, _ended_before(versions, "award_type_code")
        ),
        "quotas": await _sync(
            session,
            Quota,
            data["quotas"],
            _key("award_type_code", "basis", "valid_from"),
            _ended_before(versions, "award_type_code"),
        ),
        "base_salaries": await _sync(
            session, BaseSalary, data["base_salaries"], _key("valid_from"), _ended_before(salaries, None)
        ),
        "authority_successions": await _sync(
            session,
            AuthoritySuccession,
            data["authority_successions"],
            _key("authority", "successor", "valid_from"),
        ),
        "regime_changes": await _sync(session, RegimeChange, data["regime_changes"], _key("starts_on")),
    }
    await _refuse_overlaps(session)
    return counts
