"""The one query progress needs: yearly values of some indicators for some org units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from targets.periods import PeriodType
from targets.results.models import DataValue, Period


async def yearly_values(
    session: AsyncSession, indicator_ids: Sequence[int], org_unit_ids: Sequence[int], years: Sequence[int]
) -> dict[tuple[int, int, int], float]:
    """{(indicator_id, org_unit_id, year): number} for numeric values of Yearly periods."""
    if not indicator_ids or not org_unit_ids or not years:
        return {}
    query = (
        select(DataValue.indicator_id, DataValue.org_unit_id, Period.start_date, DataValue.number)
        .join(Period, Period.id == DataValue.period_id)
        .where(
            Period.type == PeriodType.YEARLY.value,
            Period.start_date >= dt.date(min(years), 1, 1),
            Period.start_date <= dt.date(max(years), 1, 1),
            DataValue.indicator_id.in_(indicator_ids),
            DataValue.org_unit_id.in_(org_unit_ids),
            DataValue.number.is_not(None),
        )
    )
    rows = await session.execute(query)
    return {
        (indicator_id, org_unit_id, start.year): float(number)
        for indicator_id, org_unit_id, start, number in rows.all()
        if number is not None
    }
