"""What the templates API takes and answers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class TemplateChannel(StrEnum):
    """The channels a person reads (a webhook carries the event itself, with no template)."""

    EMAIL = "email"
    INBOX = "inbox"


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class Origin(StrEnum):
    SEED = "seed"  # loaded from templates/data by `python -m notifications seed`
    API = "api"  # saved through PUT /v1/templates/{key}: the seed never adds a version over it


Subject = Annotated[str, Field(min_length=1, max_length=1000)]
TextBody = Annotated[str, Field(min_length=1, max_length=50_000)]
HtmlBody = Annotated[str, Field(min_length=1, max_length=200_000)]


class TemplateIn(BaseModel):
    """A new version of a template. Email needs all three parts; an inbox item is a title (``subject``) and a
    plain-text body (``text_body``), without HTML."""

    model_config = ConfigDict(extra="forbid")

    subject: Subject = Field(examples=["Hồ sơ đề nghị khen thưởng của {{ data.nominee_name }} bị trả lại"])
    text_body: TextBody
    html_body: HtmlBody | None = None


class TemplateOut(BaseModel):
    id: int = Field(description="The template version's id: a delivery keeps the one it was rendered with.")
    key: str = Field(examples=["nomination.returned.email.vi"])
    event_type: str
    channel: TemplateChannel
    language: Language
    version: int
    subject: str
    text_body: str
    html_body: str | None
    origin: Origin
    created_by: str
    created_at: dt.datetime


class PreviewIn(BaseModel):
    """What to preview: a draft (``template``), else the stored version; with ``data``, else the type's
    sample."""

    model_config = ConfigDict(extra="forbid")

    template: TemplateIn | None = None
    data: dict[str, Any] | None = Field(
        default=None, description="The event's data, as the latest version of its type's schema takes it."
    )


class PreviewOut(BaseModel):
    subject: str
    text: str
    html: str | None
    template_version: int | None = Field(description="The version previewed; null for a draft.")
