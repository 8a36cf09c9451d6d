"""Reporting obligations, for the reminders of the notifications service (docs/targets.md, *Reporting
obligations*; docs/notifications.md, *Reminders*)."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Page, as_code, decode_keyset, encode_cursor
from shared.problems import BadRequest
from targets.cache.service import CatalogueCache
from targets.periods import InvalidPeriod, parse_period
from targets.plans import service as plans
from targets.reporting.schemas import ObligationOut
from targets.results import service as results

# Indicator and org unit codes (targets.indicators.schemas, targets.org_units.schemas): the cursor's key.
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,49}")


def _as_catalogue_code(key: object) -> str:
    code = as_code(key)
    if not CODE.fullmatch(code):
        raise ValueError("not a catalogue code")
    return code


class ReportingPeriodInvalid(BadRequest):
    slug = "reporting-period-invalid"
    title = "Not a DHIS2 period"


async def obligations(
    session: AsyncSession,
    catalogue: CatalogueCache,
    period: str,
    *,
    reported: bool | None,
    limit: int,
    cursor: str | None,
) -> Page[ObligationOut]:
    """Each org unit with a target for an indicator of the period's type, in a plan in force during the
    period, owes that indicator's result for the period if the unit exists on the period's last day; it has
    reported once a value is there (as DHIS2 counts completeness by the values sent). By indicator code, then
    org unit code."""
    after = decode_keyset(cursor, _as_catalogue_code, _as_catalogue_code)
    try:
        parsed = parse_period(period)
    except InvalidPeriod as exc:
        raise ReportingPeriodInvalid(f"{exc}: name a period such as 2026Q4, 202611 or 2026.") from None
    snapshot, _ = await catalogue.get(session)
    indicators = {i.id: i for i in snapshot.indicators_by_id.values() if i.period_type == parsed.type.value}
    in_force = [
        p.id for p in snapshot.plans.values() if p.start_date <= parsed.end and parsed.start <= p.end_date
    ]
    owed = await plans.units_with_targets(session, in_force, sorted(indicators))
    done = await results.reported(session, parsed.id, sorted(indicators))
    rows: list[ObligationOut] = []
    for indicator_id, unit_id in owed:
        unit = snapshot.hierarchy.units.get(unit_id)
        if unit is None or not unit.exists_on(parsed.end):
            continue
        was_reported = (indicator_id, unit_id) in done
        if reported is not None and was_reported != reported:
            continue
        indicator = indicators[indicator_id]
        if after is not None and (indicator.code, unit.code) <= (after[0], after[1]):
            continue
        rows.append(
            ObligationOut(
                indicator=indicator.code,
                indicator_name=indicator.name,
                org_unit=unit.code,
                period=parsed.id,
                period_type=parsed.type.value,
                reported=was_reported,
            )
        )
    rows.sort(key=lambda row: (row.indicator, row.org_unit))
    shown = rows[:limit]
    return Page(
        items=shown,
        next_cursor=encode_cursor([shown[-1].indicator, shown[-1].org_unit]) if len(rows) > limit else None,
    )
