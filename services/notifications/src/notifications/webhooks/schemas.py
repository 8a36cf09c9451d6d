from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from notifications.events.schemas import EVENT_TYPE_NAMES

OrgUnitCode = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")]
Url = Annotated[
    str, Field(min_length=1, max_length=2000, examples=["https://qlvb.thachha.hatinh.gov.vn/hooks/thidua"])
]
Description = Annotated[str, Field(max_length=1000)]


def _known_event_types(value: list[str]) -> list[str]:
    unknown = sorted(set(value) - EVENT_TYPE_NAMES)
    if unknown:
        raise ValueError(
            "unknown event type" + ("s " if len(unknown) > 1 else " ") + ", ".join(repr(n) for n in unknown)
        )
    return sorted(set(value))


EventTypes = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=100)]],
    Field(max_length=100, description="The event types it receives; empty: every type routed to its unit."),
    AfterValidator(_known_event_types),
]


class WebhookEndpointIn(BaseModel):
    """A new endpoint of an org unit; its signing secret is made by the service and shown once."""

    model_config = ConfigDict(extra="forbid")

    org_unit: OrgUnitCode
    url: Url
    description: Description | None = None
    event_types: EventTypes = []


class WebhookEndpointPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    description: Description | None = None
    event_types: EventTypes | None = None


class WebhookEndpointOut(BaseModel):
    """An endpoint as anyone who manages it reads it: never its secret."""

    id: uuid.UUID
    org_unit: str
    url: str
    description: str | None
    event_types: list[str]
    active: bool
    created_by: str
    created_at: dt.datetime
    deleted_at: dt.datetime | None
    version: int


class WebhookEndpointWithSecret(WebhookEndpointOut):
    """The answer of a registration or a rotation: the only time the secret is shown."""

    secret: str = Field(description="whsec_…: verify each webhook with it (Standard Webhooks). Shown once.")
    previous_secret_expires_at: dt.datetime | None = Field(
        default=None, description="A rotation: until when the replaced secret keeps signing beside this one."
    )
