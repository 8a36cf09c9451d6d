"""Nominations (hồ sơ đề nghị khen thưởng) and their audit trail."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    COUNCIL = "council"
    DISCLOSURE = "disclosure"  # passed the council, its list published for comment before the decision
    PUBLIC_COMMENT = "public_comment"  # a high honour's list published for comment before the council
    APPROVED = "approved"  # passed the council, its list disclosed before (or never): awaiting the decision
    DECIDED = "decided"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    FORWARDED = "forwarded"


class Outcome(StrEnum):
    AWARDED = "awarded"
    REJECTED = "rejected"


class Nomination(Base):
    __tablename__ = "nominations"
    __table_args__ = (
        CheckConstraint("(status = 'decided') = (outcome IS NOT NULL)", name="outcome_when_decided"),
        CheckConstraint("open_objections >= 0", name="open_objections"),
        Index("ix_nominations_round_status", "round_id", "status", "id"),
        Index("ix_nominations_unit_status", "nominating_org_unit", "status", "id"),
        Index("ix_nominations_award_type", "award_type_code", "id"),
        Index("ix_nominations_nominee", "nominee_key"),
        Index("ix_nominations_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    award_type_code: Mapped[str] = mapped_column(String(50))
    # The date whose catalogue judges it: the round's reference date, or the regime change its dossier was
    # sent after (nominations.catalogue.regimes); fixed when it is first submitted.
    catalogue_date: Mapped[dt.date] = mapped_column(Date)
    # The award's name in the version of that date, as the public reads it.
    award_name: Mapped[str] = mapped_column(Text)
    occasion: Mapped[str] = mapped_column(String(30))
    nominee_kind: Mapped[str] = mapped_column(String(20))
    nominee_name: Mapped[str] = mapped_column(Text)
    # The province-wide identity of the person, collective or household (e.g. a personnel number); it links
    # the award history that feeds the rules and is never shown publicly.
    nominee_key: Mapped[str] = mapped_column(String(100))
    nominee_position: Mapped[str | None] = mapped_column(Text)
    nominee_org_unit: Mapped[str] = mapped_column(String(50))
    # The plan's priority groups (nominations.schemas.NomineeGroup): personal data, as the dossier is.
    nominee_groups: Mapped[list[str]] = mapped_column(
        ARRAY(String(30)), default=list, server_default=text("'{}'")
    )
    nominating_org_unit: Mapped[str] = mapped_column(String(50))
    nominating_org_unit_name: Mapped[str] = mapped_column(Text)
    achievements: Mapped[str] = mapped_column(Text)
    achievement_keys: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    initiatives: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    members: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    open_discipline: Mapped[bool | None] = mapped_column(Boolean)
    unit_headcount: Mapped[int | None] = mapped_column(Integer)
    # Written by nominations.nominations.workflow alone (a listener refuses any other writer).
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    # The last screening: the engine's verdict per rule, and the secretariat's overrides with their reasons.
    eligibility: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    council_result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    disclosure_from: Mapped[dt.date | None] = mapped_column(Date)
    disclosure_until: Mapped[dt.date | None] = mapped_column(Date)
    # Objections filed and not yet resolved; kept by the workflow as objections are filed and resolved.
    open_objections: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    forwarding: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    returned_at: Mapped[dt.datetime | None] = mapped_column()
    first_submitted_at: Mapped[dt.datetime | None] = mapped_column()
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())  # set by every change
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class NominationEvent(Base):
    """The audit trail: every change of a nomination, who made it, when, from which state to which."""

    __tablename__ = "nomination_events"
    __table_args__ = (Index("ix_nomination_events_nomination", "nomination_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    actor_roles: Mapped[list[str]] = mapped_column(ARRAY(String(30)), default=list)
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    occurred_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
