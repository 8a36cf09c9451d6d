"""Loads the award catalogue of the domain brief (``python -m nominations seed``, run by ``make run``).

Idempotent: award type versions are matched by (code, valid_from), rules by (code, kind, valid_from, params),
quotas by (code, basis, valid_from), base salaries by valid_from; what exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.catalogue import repository
from nominations.catalogue.models import AwardType, BaseSalary, EligibilityRule, Quota


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def catalogue_data() -> dict[str, Any]:
    text = (
        resources.files("nominations.catalogue")
        .joinpath("data", "catalogue.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


async def load_catalogue(session: AsyncSession) -> dict[str, int]:
    data = catalogue_data()
    created = {"award_types": 0, "rules": 0, "quotas": 0, "base_salaries": 0}
    versions = {(v.code, v.valid_from) for v in await repository.every(session, AwardType)}
    for item in data["award_types"]:
        key = (item["code"], dt.date.fromisoformat(item["valid_from"]))
        if key in versions:
            continue
        session.add(
            AwardType(
                **{
                    k: v
                    for k, v in item.items()
                    if k not in {"valid_from", "valid_to", "vote_threshold", "bonus_coefficient"}
                },
                valid_from=key[1],
                valid_to=_date(item["valid_to"]),
                vote_threshold=Decimal(str(item["vote_threshold"])),
                bonus_coefficient=Decimal(str(item["bonus_coefficient"])),
            )
        )
        created["award_types"] += 1
    rules = {
        (r.award_type_code, r.kind, r.valid_from, json.dumps(r.params, sort_keys=True))
        for r in await repository.every(session, EligibilityRule)
    }
    for item in data["rules"]:
        valid_from = dt.date.fromisoformat(item["valid_from"])
        if (
            item["award_type_code"],
            item["kind"],
            valid_from,
            json.dumps(item["params"], sort_keys=True),
        ) in rules:
            continue
        session.add(
            EligibilityRule(**{**item, "valid_from": valid_from, "valid_to": _date(item["valid_to"])})
        )
        created["rules"] += 1
    quotas = {(q.award_type_code, q.basis, q.valid_from) for q in await repository.every(session, Quota)}
    for item in data["quotas"]:
        valid_from = dt.date.fromisoformat(item["valid_from"])
        if (item["award_type_code"], item["basis"], valid_from) in quotas:
            continue
        session.add(
            Quota(
                award_type_code=item["award_type_code"],
                issuing_body=item["issuing_body"],
                basis=item["basis"],
                max_share=Decimal(str(item["max_share"])),
                legal_source=item["legal_source"],
                valid_from=valid_from,
                valid_to=_date(item["valid_to"]),
            )
        )
        created["quotas"] += 1
    salaries = {s.valid_from for s in await repository.every(session, BaseSalary)}
    for item in data["base_salaries"]:
        valid_from = dt.date.fromisoformat(item["valid_from"])
        if valid_from in salaries:
            continue
        session.add(
            BaseSalary(
                valid_from=valid_from,
                valid_to=_date(item["valid_to"]),
                amount_vnd=Decimal(item["amount_vnd"]),
                legal_source=item["legal_source"],
            )
        )
        created["base_salaries"] += 1
    await session.flush()
    return created
