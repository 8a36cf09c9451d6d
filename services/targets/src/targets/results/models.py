from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from targets.database import Base


class Period(Base):
    """A DHIS2 period (``2024``, ``2024Q3``, ``202409`` …) with its dates; created on first use."""

    __tablename__ = "periods"
    __table_args__ = (Index("ix_periods_type_start", "type", "start_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso: Mapped[str] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class DataValue(Base):
    """A result: the value of an indicator for an org unit and a period (kết quả, số liệu báo cáo).

    Keyed org unit first: district systems post, and progress reads, by org unit. There are no foreign keys
    here on purpose: they cost a trigger call per value on the ingestion hot path, and every id written is
    checked against the catalogue first; org units, indicators and periods are never deleted while values
    refer to them (triggers from migration 0002 refuse it).
    """

    __tablename__ = "data_values"

    org_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Canonical text (numbers without trailing zeros, booleans "true"/"false") and, for numbers, the number.
    value: Mapped[str] = mapped_column(Text)
    number: Mapped[Decimal | None] = mapped_column(Numeric)
    comment: Mapped[str | None] = mapped_column(Text)
    stored_by: Mapped[str] = mapped_column(String(200))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    import_id: Mapped[uuid.UUID | None] = mapped_column(UUID)


class DataValueRevision(Base):
    """Every change of a value: who, when, old and new value, and where it came from."""

    __tablename__ = "data_value_revisions"
    __table_args__ = (Index("ix_revisions_value", "org_unit_id", "indicator_id", "period_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(Integer)
    org_unit_id: Mapped[int] = mapped_column(Integer)
    period_id: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(10))  # CREATE, UPDATE, DELETE
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    source: Mapped[str] = mapped_column(String(100))
    import_id: Mapped[uuid.UUID | None] = mapped_column(UUID)


class DataImport(Base):
    """An import that changed something, or any import run as a DHIS2 job (``async=true``): its options, its
    counts, who sent it; a job's record keeps its whole import summary (``summary["import_summary"]``)."""

    __tablename__ = "data_imports"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(200))
    org_unit: Mapped[str | None] = mapped_column(String(50))
    format: Mapped[str] = mapped_column(String(10))
    import_strategy: Mapped[str] = mapped_column(String(20))
    atomic_mode: Mapped[str] = mapped_column(String(10))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    value_count: Mapped[int]
    summary: Mapped[dict[str, object]] = mapped_column(JSONB)


class PeriodLock(Base):
    """Closes data entry for a period (and every period inside it), for one org unit's subtree or everyone."""

    __tablename__ = "period_locks"
    # NULLS NOT DISTINCT: at most one province-wide lock (org_unit_id NULL) per period, too.
    __table_args__ = (UniqueConstraint("period_id", "org_unit_id", postgresql_nulls_not_distinct=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    locked_by: Mapped[str] = mapped_column(String(200))
    locked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
