"""Loads the movements of the plan's section III (``python -m nominations seed``, with the award catalogue).

Each movement is matched by code: a missing one is added with its reviews and the natural keys of its targets
(their ids come from the targets service on the first read, :func:`service.resolve_links`); one already there
is left as the secretariat keeps it.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from nominations.movements import repository
from nominations.movements.models import Movement, MovementArea, MovementKind, MovementTarget
from nominations.movements.schemas import MilestoneIn
from nominations.movements.service import milestone_rows

SEEDER = "seed"


class SeededLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str
    org_unit: str


class SeededMovement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    kind: MovementKind
    area: MovementArea
    plan_section: str
    theme: str
    launched_by: str
    launch_source: str | None
    source_text: str
    verification: str | None
    targets: list[SeededLink]


class SeededPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: list[str]
    plan: str
    starts_on: dt.date
    ends_on: dt.date
    milestones: list[MilestoneIn]
    movements: list[SeededMovement]


def seeded_plan() -> SeededPlan:
    data = resources.files("nominations.movements").joinpath("data", "movements.json")
    return SeededPlan.model_validate(json.loads(data.read_text(encoding="utf-8")))


async def load_movements(session: AsyncSession) -> int:
    """Add the plan's movements that are missing; how many were added."""
    plan = seeded_plan()
    present = await repository.codes(session)
    added = 0
    for seeded in plan.movements:
        if seeded.code in present:
            continue
        movement = Movement(
            code=seeded.code,
            name=seeded.name,
            kind=seeded.kind.value,
            theme=seeded.theme,
            launched_by=seeded.launched_by,
            launch_source=seeded.launch_source,
            plan_code=plan.plan,
            plan_section=seeded.plan_section,
            area=seeded.area.value,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            source_text=seeded.source_text,
            verification=seeded.verification,
            seeded=True,
            created_by=SEEDER,
        )
        session.add(movement)
        await session.flush()
        links = [
            MovementTarget(
                movement_id=movement.id, plan=plan.plan, indicator=link.indicator, org_unit=link.org_unit
            )
            for link in seeded.targets
        ]
        await repository.replace_links(session, movement.id, links)
        await repository.replace_milestones(
            session, movement.id, milestone_rows(movement.id, plan.milestones)
        )
        added += 1
    return added
