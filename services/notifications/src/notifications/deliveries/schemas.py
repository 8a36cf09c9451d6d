"""Deliveries out: the operator's log."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel


class AttemptOut(BaseModel):
    number: int
    started_at: dt.datetime
    finished_at: dt.datetime
    succeeded: bool
    error: str | None
    response_status: int | None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    recipient: str
    channel: str
    address: str | None
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str | None
    template_version_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None
    redriven_by: str | None


class DeliveryDetail(DeliveryOut):
    subject: str | None
    attempt_log: list[AttemptOut]
