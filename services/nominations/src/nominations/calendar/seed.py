"""Loads the working calendar's seeded exceptions (``python -m nominations seed``, with the award catalogue).

The days the holiday library gets wrong are data, each with the act that decided it
(``data/exceptions.json``), recorded like any exception, so the calendar and its API read them the same way.
Idempotent: matched by day; the seed keeps its own days equal to its data and leaves the secretariat's alone.
"""

from __future__ import annotations

import json
from importlib import resources

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.calendar import service
from nominations.calendar.schemas import SeededDay

_DAYS = TypeAdapter(list[SeededDay])


def seeded_days() -> list[SeededDay]:
    data = resources.files("nominations.calendar").joinpath("data", "exceptions.json")
    text = data.read_text(encoding="utf-8")
    return _DAYS.validate_python(json.loads(text)["days"])


async def load_exceptions(session: AsyncSession) -> int:
    """Keep the seed's days equal to its data; how many rows were added, corrected or removed."""
    return await service.record_seeded_days(session, seeded_days())
