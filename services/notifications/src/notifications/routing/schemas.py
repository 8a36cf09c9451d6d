"""Routing rules in and out: audiences, discriminated by kind."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from notifications.recipients.schemas import RoleName

PersonChannel = Literal["email", "inbox"]
Channels = Annotated[list[PersonChannel], Field(min_length=1, max_length=2)]
FieldName = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z_]+$")]


class _Audience(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleAudience(_Audience):
    """Everyone holding a role, province-wide (the secretariat)."""

    kind: Literal["role"]
    role: RoleName
    channels: Channels


class UnitRoleAudience(_Audience):
    """The holders of a role in the org unit(s) an event field names (the nominating unit's officers)."""

    kind: Literal["unit_role"]
    role: RoleName
    field: FieldName
    channels: Channels


class ListedAudience(_Audience):
    """The people an event lists by sub (the members of a council session)."""

    kind: Literal["listed"]
    field: FieldName
    key: FieldName = "subject"
    channels: Channels


class RecipientAudience(_Audience):
    """The one person an event names (a daily digest)."""

    kind: Literal["recipient"]
    field: FieldName
    channels: Channels


class SubscribersAudience(_Audience):
    """Those who follow the org unit(s) an event field names."""

    kind: Literal["subscribers"]
    field: FieldName
    channels: Channels


class WebhooksAudience(_Audience):
    """The registered webhook endpoints of the org unit(s) an event field names (a district's system)."""

    kind: Literal["webhooks"]
    field: FieldName


Audience = Annotated[
    RoleAudience
    | UnitRoleAudience
    | ListedAudience
    | RecipientAudience
    | SubscribersAudience
    | WebhooksAudience,
    Field(discriminator="kind"),
]


class RoutingRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audiences: Annotated[list[Audience], Field(max_length=20)]


class RoutingRuleOut(BaseModel):
    event_type: str
    audiences: list[Audience]
    origin: str
    updated_by: str
    updated_at: dt.datetime
    version: int
