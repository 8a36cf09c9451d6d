"""Exemplars (điển hình tiên tiến) through the plan's four steps (IV.3): detected, nurtured, summarised,
replicated; with their notes and evidence, where they were replicated, and the nominations they led to."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class Stage(StrEnum):
    DETECTED = "detected"  # phát hiện
    NURTURED = "nurtured"  # bồi dưỡng
    SUMMARISED = "summarised"  # tổng kết
    REPLICATED = "replicated"  # nhân rộng


STAGES = list(Stage)


class ExemplarKind(StrEnum):
    INDIVIDUAL = "individual"  # cá nhân
    COLLECTIVE = "collective"  # tập thể
    MODEL = "model"  # mô hình, cách làm hay


class Exemplar(Base):
    __tablename__ = "exemplars"
    __table_args__ = (
        Index("ix_exemplars_unit", "org_unit", "id"),
        Index("ix_exemplars_movement", "movement_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    org_unit: Mapped[str] = mapped_column(String(50))
    org_unit_name: Mapped[str] = mapped_column(Text)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"))
    # Written by exemplars.service.advance alone: each step forward is an entry of the history.
    stage: Mapped[str] = mapped_column(String(20))
    detected_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ExemplarEntry(Base):
    """The history: a note with its evidence, a step forward, a replication or a nomination."""

    __tablename__ = "exemplar_entries"
    __table_args__ = (Index("ix_exemplar_entries_exemplar", "exemplar_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    exemplar_id: Mapped[int] = mapped_column(ForeignKey("exemplars.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # note, advanced, replicated, nominated
    stage: Mapped[str] = mapped_column(String(20))  # the exemplar's stage once the entry was written
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    actor: Mapped[str] = mapped_column(String(200))
    recorded_on: Mapped[dt.date] = mapped_column(Date)


class Replication(Base):
    """A unit where the exemplar was replicated (nhân rộng), and when."""

    __tablename__ = "exemplar_replications"
    __table_args__ = (UniqueConstraint("exemplar_id", "org_unit", name="uq_exemplar_replications_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exemplar_id: Mapped[int] = mapped_column(ForeignKey("exemplars.id", ondelete="CASCADE"))
    org_unit: Mapped[str] = mapped_column(String(50))
    org_unit_name: Mapped[str] = mapped_column(Text)
    replicated_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class ExemplarNomination(Base):
    __tablename__ = "exemplar_nominations"

    exemplar_id: Mapped[int] = mapped_column(ForeignKey("exemplars.id", ondelete="CASCADE"), primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), primary_key=True, unique=True)
    stage: Mapped[str] = mapped_column(String(20))
