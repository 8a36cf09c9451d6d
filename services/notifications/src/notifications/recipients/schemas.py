"""Recipients and preferences in and out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Sub = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
OrgUnitCode = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")]
RoleName = Literal[
    "admin", "authority", "council_member", "reporter", "secretariat", "unit_officer", "viewer"
]
# The platform's roles, written out for the schema; a test checks they are shared.auth's PLATFORM_ROLES.
Language = Literal["vi", "en"]
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]


class RecipientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: Sub
    display_name: DisplayName
    email: EmailStr | None = None
    language: Language = "vi"
    org_unit: OrgUnitCode | None = None
    roles: Annotated[list[RoleName], Field(max_length=10)] = []
    subscriptions: Annotated[list[OrgUnitCode], Field(max_length=200)] = []
    active: bool = True


class RecipientPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    email: EmailStr | None = None
    language: Language | None = None
    org_unit: OrgUnitCode | None = None
    roles: Annotated[list[RoleName], Field(max_length=10)] | None = None
    subscriptions: Annotated[list[OrgUnitCode], Field(max_length=200)] | None = None
    active: bool | None = None


class RecipientOut(BaseModel):
    sub: str
    display_name: str
    email: str | None
    language: str
    org_unit: str | None
    roles: list[str]
    subscriptions: list[str]
    active: bool
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class ImportSummary(BaseModel):
    created: int
    updated: int
    unchanged: int


Mode = Literal["immediate", "digest", "off"]
PreferenceChannel = Literal["email", "inbox"]


class PreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_type: Annotated[str, StringConstraints(max_length=100)]
    channel: PreferenceChannel
    mode: Mode


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferences: Annotated[list[PreferenceIn], Field(max_length=500)]


class PreferenceOut(BaseModel):
    event_type: str
    channel: str
    mode: str
    # A critical event reaches the person whatever the mode says (a returned dossier, a council invitation).
    critical: bool


class PreferencesOut(BaseModel):
    items: list[PreferenceOut]
