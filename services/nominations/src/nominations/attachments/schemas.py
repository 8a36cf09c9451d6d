from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel


class AttachmentOut(BaseModel):
    id: uuid.UUID
    nomination_id: int
    document_code: str | None
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime
