"""The change counters the per-process caches are valid under (see :mod:`targets.cache.counters`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, Sequence
from sqlalchemy.orm import Mapped, mapped_column

from targets.database import Base

catalogue_version = Sequence("catalogue_version", metadata=Base.metadata)
data_version = Sequence("data_version", metadata=Base.metadata)


class ChangeCounter(Base):
    """One row of counters bumped in the same transaction as the writes they count.

    ``catalogue`` moves with org units, indicators, plans, targets and period locks; ``data`` with values.
    Caches (the catalogue snapshot used by ingestion, computed progress) are valid while the counters they
    were built at are unchanged, in every process, because the counters commit with the data.
    """

    __tablename__ = "change_counters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    catalogue: Mapped[int] = mapped_column(BigInteger, default=0)
    data: Mapped[int] = mapped_column(BigInteger, default=0)
