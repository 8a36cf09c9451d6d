"""The award catalogue: award types, their eligibility rules and quotas, and the base salary, all dated.

Every row carries its legal source and its validity (valid_from .. valid_to, both inclusive; an open end is
NULL). An award type may have several versions under one code, one per legal regime; a nomination is judged
by the version, rules and quotas in force on its catalogue date (:mod:`nominations.catalogue.regimes`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nominations.database import Base


class AwardCategory(StrEnum):
    TITLE = "title"  # danh hiệu thi đua
    AWARD_FORM = "award_form"  # hình thức khen thưởng


class RecipientKind(StrEnum):
    INDIVIDUAL = "individual"  # cá nhân
    COLLECTIVE = "collective"  # tập thể
    HOUSEHOLD = "household"  # hộ gia đình
    COMMUNITY = "community"  # thôn, tổ dân phố


class AwardLevel(StrEnum):
    GRASSROOTS = "grassroots"  # cơ sở
    PROVINCIAL = "provincial"  # cấp tỉnh
    NATIONAL = "national"  # toàn quốc, Nhà nước


class Authority(StrEnum):
    """Who decides (thẩm quyền quyết định)."""

    UNIT_HEAD = "unit_head"  # Thủ trưởng cơ quan, đơn vị
    COMMUNE_CHAIR = "commune_chair"  # Chủ tịch UBND cấp xã
    DISTRICT_CHAIR = "district_chair"  # Chủ tịch UBND cấp huyện (until 2025-06-30)
    PROVINCIAL_CHAIR = "provincial_chair"  # Chủ tịch UBND tỉnh
    PRIME_MINISTER = "prime_minister"  # Thủ tướng Chính phủ
    PRESIDENT = "president"  # Chủ tịch nước


class Occasion(StrEnum):
    ANNUAL = "annual"  # thường xuyên, theo công trạng
    AD_HOC = "ad_hoc"  # đột xuất
    THEMATIC = "thematic"  # theo chuyên đề
    MOVEMENT_REVIEW = "movement_review"  # sơ kết, tổng kết phong trào
    LIFETIME = "lifetime"  # quá trình cống hiến
    EXTERNAL = "external"  # đối ngoại


# Only these occasions count towards a higher merit award ("khen thưởng đột xuất, chuyên đề không dùng làm
# căn cứ đề nghị khen thưởng cấp cao hơn").
COUNTING_OCCASIONS = frozenset({Occasion.ANNUAL})


class DisclosureStage(StrEnum):
    """When the list is published for public comment (công khai lấy ý kiến), if at all."""

    BEFORE_COUNCIL = "before_council"  # before the council of the proposing level considers it
    AFTER_COUNCIL = "after_council"  # after the council passed it, before the decision or the proposal
    NONE = "none"  # no public period


class Origin(StrEnum):
    """Who wrote a catalogue row: the seed keeps its own rows equal to its data; the API's are left alone."""

    SEED = "seed"
    API = "api"


class VoteBase(StrEnum):
    ALL_MEMBERS = "all_members"  # share of the council's members
    PRESENT = "present"  # share of those present and voting


class AwardType(Base):
    """One version of an award type (a title or an award form) under one legal regime."""

    __tablename__ = "award_types"
    __table_args__ = (
        UniqueConstraint("code", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_interval"),
        CheckConstraint("vote_threshold > 0 AND vote_threshold <= 1", name="threshold_share"),
        CheckConstraint("bonus_coefficient >= 0", name="bonus_positive"),
        CheckConstraint(
            "(disclosure_stage = 'none') = (disclosure_working_days = 0)", name="disclosure_stage_days"
        ),
        Index("ix_award_types_code_validity", "code", "valid_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    recipient_kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    deciding_authority: Mapped[str] = mapped_column(String(30))
    occasions: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    vote_threshold: Mapped[Decimal] = mapped_column(Numeric(4, 3))
    vote_base: Mapped[str] = mapped_column(String(20))
    # "gte": at least the threshold ("từ 70% trở lên"); "gt": more than it ("trên 50%").
    vote_comparison: Mapped[str] = mapped_column(String(3), default="gte")
    disclosure_stage: Mapped[str] = mapped_column(String(20), default=DisclosureStage.AFTER_COUNCIL.value)
    disclosure_working_days: Mapped[int] = mapped_column(SmallInteger)
    disclosure_source: Mapped[str | None] = mapped_column(Text)
    bonus_coefficient: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    bonus_source: Mapped[str | None] = mapped_column(Text)
    required_documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    legal_source: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), default=Origin.API.value)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class EligibilityRule(Base):
    """A rule of an award type, as data: its kind names the check, its params configure it."""

    __tablename__ = "eligibility_rules"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_interval"),
        Index("ix_eligibility_rules_award_type", "award_type_code", "valid_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_type_code: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    description: Mapped[str] = mapped_column(Text)
    legal_source: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(10), default=Origin.API.value)


class Quota(Base):
    """At most ``max_share`` of a basis (a headcount, or the holders of another title) per issuing body."""

    __tablename__ = "quotas"
    __table_args__ = (CheckConstraint("max_share > 0 AND max_share <= 1", name="share"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_type_code: Mapped[str] = mapped_column(String(50), index=True)
    issuing_body: Mapped[str | None] = mapped_column(String(50))  # an org unit code; NULL: every body
    basis: Mapped[str] = mapped_column(String(60))  # "headcount" or "award:<code>"
    max_share: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    legal_source: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(10), default=Origin.API.value)


class BaseSalary(Base):
    """Mức lương cơ sở: the amount the cash bonus is a multiple of, on a decision's date."""

    __tablename__ = "base_salaries"
    __table_args__ = (
        CheckConstraint("amount_vnd > 0", name="positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_interval"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, unique=True)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    amount_vnd: Mapped[Decimal] = mapped_column(Numeric(14, 0))
    legal_source: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), default=Origin.API.value)


class AuthoritySuccession(Base):
    """An office that decides in place of one whose tier ended: from ``valid_from``, a decision of
    ``authority``'s forms still pending is signed by ``successor`` (the district chairs' forms after the
    district tier ended on 2025-07-01). Data, with its legal source, so the next reform needs no code."""

    __tablename__ = "authority_successions"
    __table_args__ = (
        UniqueConstraint("authority", "successor", "valid_from"),
        CheckConstraint("authority <> successor", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authority: Mapped[str] = mapped_column(String(30))
    successor: Mapped[str] = mapped_column(String(30))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    legal_source: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), default=Origin.API.value)


class RegimeChange(Base):
    """The day a new legal regime of the catalogue begins; a dossier sent before it is judged by the regime
    before (see :mod:`nominations.catalogue.regimes`)."""

    __tablename__ = "regime_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_on: Mapped[dt.date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(Text)
    legal_source: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), default=Origin.API.value)
