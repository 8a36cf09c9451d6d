"""The indicator catalogue: what is measured, and how values combine over org units."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.concurrency import check_if_match
from shared.pagination import Page, as_code, decode_keyset, encode_cursor
from shared.problems import Conflict, NotFound
from targets.cache.counters import bump_catalogue
from targets.indicators import repository
from targets.indicators.models import Indicator
from targets.indicators.schemas import IndicatorIn, IndicatorOut, IndicatorPatch


class IndicatorNotFound(NotFound):
    slug = "indicator-not-found"
    title = "Indicator not found"


class IndicatorExists(Conflict):
    slug = "indicator-exists"
    title = "Indicator code already used"


def out(indicator: Indicator, codes: dict[int, str]) -> IndicatorOut:
    return IndicatorOut(
        code=indicator.code,
        name=indicator.name,
        name_en=indicator.name_en,
        area=indicator.area,
        unit=indicator.unit,
        value_type=indicator.value_type,
        aggregation=indicator.aggregation,
        direction=indicator.direction,
        decimals=indicator.decimals,
        period_type=indicator.period_type,
        parent=codes.get(indicator.parent_id) if indicator.parent_id else None,
        weight_indicator=codes.get(indicator.weight_indicator_id) if indicator.weight_indicator_id else None,
        description=indicator.description,
        version=indicator.version,
    )


async def list_indicators(
    session: AsyncSession, area: str | None, limit: int, cursor: str | None
) -> Page[IndicatorOut]:
    indicators = await repository.all_indicators(session)
    codes = {indicator.id: indicator.code for indicator in indicators}
    key = decode_keyset(cursor, as_code)
    chosen = [
        indicator
        for indicator in indicators
        if (area is None or indicator.area == area) and (key is None or indicator.code > key[0])
    ]
    page = chosen[:limit]
    next_cursor = encode_cursor([page[-1].code]) if len(chosen) > limit else None
    return Page(items=[out(indicator, codes) for indicator in page], next_cursor=next_cursor)


async def get_indicator(session: AsyncSession, code: str) -> IndicatorOut:
    indicators = await repository.all_indicators(session)
    codes = {indicator.id: indicator.code for indicator in indicators}
    for indicator in indicators:
        if indicator.code == code:
            return out(indicator, codes)
    raise IndicatorNotFound(f"No indicator has the code {code!r}.")


async def create_indicator(session: AsyncSession, body: IndicatorIn) -> Indicator:
    referenced = [code for code in (body.parent, body.weight_indicator) if code]
    found = await repository.get_by_codes(session, referenced)
    missing = [code for code in referenced if code not in found]
    if missing:
        raise IndicatorNotFound(f"No indicator has the code(s): {', '.join(missing)}.")
    indicator = Indicator(
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        area=body.area.value,
        unit=body.unit,
        value_type=body.value_type.value,
        aggregation=body.aggregation.value,
        direction=body.direction.value,
        decimals=body.decimals,
        period_type=body.period_type.value,
        parent_id=found[body.parent].id if body.parent else None,
        weight_indicator_id=found[body.weight_indicator].id if body.weight_indicator else None,
        description=body.description,
    )
    try:
        async with session.begin_nested():
            session.add(indicator)
            await session.flush()
    except IntegrityError:
        raise IndicatorExists(f"The code {body.code!r} is already used by another indicator.") from None
    await bump_catalogue(session)
    return indicator


async def update_indicator(
    session: AsyncSession, code: str, body: IndicatorPatch, if_match: str | None
) -> None:
    """Descriptive fields only: value type, aggregation and period type are fixed once values exist."""
    indicator = await repository.get_by_code(session, code)
    if indicator is None:
        raise IndicatorNotFound(f"No indicator has the code {code!r}.")
    check_if_match(if_match, indicator.version)
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(indicator, field, value.value if hasattr(value, "value") else value)
    await bump_catalogue(session)
    await session.flush()


async def all_indicators(session: AsyncSession) -> list[Indicator]:
    return await repository.all_indicators(session)


async def get_by_id(session: AsyncSession, indicator_id: int) -> Indicator | None:
    return await repository.get_by_id(session, indicator_id)
