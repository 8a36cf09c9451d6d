"""Council sessions (Hội đồng Thi đua - Khen thưởng) and secret ballots.

Secrecy is a property of the schema: ``ballot_receipts`` records **that** a member voted (session and member,
nothing else: no time, no sequence), ``agenda_items`` holds **what** was voted only as running counters per
nomination. No row anywhere links a member to a choice, so no query, log or export can.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, SmallInteger, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base

OPEN = "open"
CLOSED = "closed"


class CouncilSession(Base):
    __tablename__ = "council_sessions"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("quorum >= 1", name="quorum_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    held_on: Mapped[dt.date] = mapped_column(Date)
    quorum: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    ballots_cast: Mapped[int] = mapped_column(SmallInteger, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CouncilMember(Base):
    __tablename__ = "council_members"

    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)  # the member's token subject
    name: Mapped[str] = mapped_column(Text)


class AgendaItem(Base):
    """A nomination before the council and its tally: counters only, hidden until the session closes."""

    __tablename__ = "agenda_items"
    __table_args__ = (CheckConstraint("approve >= 0 AND reject >= 0 AND abstain >= 0", name="counts"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), primary_key=True, index=True)
    approve: Mapped[int] = mapped_column(SmallInteger, default=0)
    reject: Mapped[int] = mapped_column(SmallInteger, default=0)
    abstain: Mapped[int] = mapped_column(SmallInteger, default=0)
    passed: Mapped[bool | None] = mapped_column()


class BallotReceipt(Base):
    """That a member has voted in a session: nothing more (see the module's docstring)."""

    __tablename__ = "ballot_receipts"

    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), primary_key=True)
    member: Mapped[str] = mapped_column(String(200), primary_key=True)
