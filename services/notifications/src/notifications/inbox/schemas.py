"""Inbox items out."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class InboxItemOut(BaseModel):
    id: int
    event_type: str
    subject: str
    title: str
    body: str
    occurred_at: dt.datetime
    read_at: dt.datetime | None


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int
