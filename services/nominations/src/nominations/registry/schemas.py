from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class AwardPublic(BaseModel):
    """An award as the public registry shows it: the decision's facts, nothing that identifies beyond them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    recipient_name: str
    recipient_kind: str
    recipient_position: str | None
    org_unit: str
    org_unit_name: str
    award_type_code: str
    award_name: str
    year: int
    occasion: str
    decision_number: str
    decision_date: dt.date
    decision_authority: str


class AwardRecord(AwardPublic):
    """The full row, for staff: the recipient's key that links the history, the bonus, where it came from."""

    source: str
    recipient_key: str
    org_unit_path: list[str]
    achievement_key: str | None
    nomination_id: int | None
    decision_id: int | None
    bonus_coefficient: float | None
    base_salary_vnd: int | None
    bonus_vnd: int | None
    created_by: str
    created_at: dt.datetime


class ImportOut(BaseModel):
    imported: int
    ignored: int
