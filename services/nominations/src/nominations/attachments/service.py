"""Attachments of a dossier: the scanned submission, the achievement report, the council minutes…

Files are added and removed only while the nominating unit may edit the dossier (the workflow's ``attach``
and ``detach``, audited like every change). Each file is stored under its SHA-256
(:mod:`nominations.attachments.storage`) and checked against it whenever it is read: a file that changed in
storage is reported, never served. Files are deleted by the sweep only, never inside a request.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from nominations.attachments import repository
from nominations.attachments.models import Attachment
from nominations.attachments.schemas import AttachmentOut
from nominations.attachments.storage import Storage, StoredFileMissing, content_key
from nominations.attachments.upload import DOCUMENT_FIELD, FILE_FIELD, Upload, content_type_of
from nominations.catalogue import service as catalogue
from nominations.nominations import service as nominations
from nominations.nominations import workflow
from nominations.nominations.attempt import Attempt
from nominations.nominations.models import Nomination
from nominations.nominations.workflow import Action
from nominations.org_scope import ScopeCheck
from nominations.rounds.models import Round
from shared import clock
from shared.pagination import Page, as_moment, as_uuid, decode_keyset, encode_cursor
from shared.problems import Conflict, NotFound, UnprocessableContent

logger = logging.getLogger(__name__)
SWEEP_BATCH = 500


class AttachmentNotFound(NotFound):
    slug = "attachment-not-found"
    title = "Attachment not found"


class EmptyAttachment(UnprocessableContent):
    slug = "empty-attachment"
    title = "The file is empty"


class UnknownDocument(UnprocessableContent):
    slug = "unknown-document"
    title = "The award type requires no such document"


class AttachmentCorrupted(Conflict):
    slug = "attachment-corrupted"
    title = "The stored file no longer matches its checksum"


def to_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        nomination_id=attachment.nomination_id,
        document_code=attachment.document_code,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size_bytes=attachment.size_bytes,
        sha256=attachment.sha256,
        uploaded_by=attachment.uploaded_by,
        uploaded_at=attachment.uploaded_at,
    )


def _details(attachment: Attachment) -> dict[str, object]:
    return {
        "attachment_id": str(attachment.id),
        "filename": attachment.filename,
        "document_code": attachment.document_code,
        "sha256": attachment.sha256,
        "size_bytes": attachment.size_bytes,
    }


async def may_attach(session: AsyncSession, scope: ScopeCheck, nomination: Nomination, round_: Round) -> None:
    """Refuse before a byte of the file is read: files change only while the unit may edit the dossier."""
    await workflow.check(Attempt(session, scope, nomination, round_), Action.ATTACH)


async def _document_codes(session: AsyncSession, nomination: Nomination, round_: Round) -> list[str]:
    award_type = await catalogue.version_in_force(
        session, nomination.award_type_code, nomination.catalogue_date
    )
    return [str(document["code"]) for document in (award_type.required_documents if award_type else [])]


async def add(
    session: AsyncSession,
    scope: ScopeCheck,
    storage: Storage,
    nomination: Nomination,
    round_: Round,
    upload: Upload,
) -> Attachment:
    """Keep the received file with the dossier (the caller checked :func:`may_attach` before reading it)."""
    if upload.size == 0:
        raise EmptyAttachment("The file is empty.", errors=[{"name": FILE_FIELD, "reason": "empty"}])
    content_type = content_type_of(upload)
    document_code = upload.document_code
    if document_code is not None:
        codes = await _document_codes(session, nomination, round_)
        if document_code not in codes:
            raise UnknownDocument(
                f"{nomination.award_type_code} requires no document {document_code!r}; "
                f"its documents are {', '.join(codes) or 'none'}.",
                errors=[{"name": DOCUMENT_FIELD, "reason": "not a required document of the award type"}],
                document_codes=codes,
            )
    # Receiving took time: lock the nomination and check again, so a submission in between wins cleanly.
    await nominations.lock_one(session, nomination)
    key = content_key(upload.sha256)
    await repository.lock_content(session, upload.sha256)
    now = clock.now()
    attachment = Attachment(
        id=uuid.uuid4(),
        nomination_id=nomination.id,
        document_code=document_code,
        filename=upload.filename,
        content_type=content_type,
        size_bytes=upload.size,
        sha256=upload.sha256,
        storage_key=key,
        uploaded_by=scope.principal.subject,
        uploaded_at=now,
    )
    attempt = Attempt(session, scope, nomination, round_, details=_details(attachment), now=now)
    await workflow.check(attempt, Action.ATTACH)
    await storage.put(key, upload.path)
    session.add(attachment)
    await workflow.transition(attempt, Action.ATTACH)
    return attachment


async def attachments(
    session: AsyncSession, nomination_id: int, *, limit: int, cursor: str | None
) -> Page[AttachmentOut]:
    """Oldest first."""
    rows = await repository.of_nomination(
        session, nomination_id, limit=limit, after=decode_keyset(cursor, as_moment, as_uuid)
    )
    items = [to_out(row) for row in rows[:limit]]
    last = items[-1] if items else None
    more = len(rows) > limit and last is not None
    return Page(
        items=items,
        next_cursor=encode_cursor([last.uploaded_at.isoformat(), str(last.id)]) if more and last else None,
    )


async def get(session: AsyncSession, nomination: Nomination, attachment_id: uuid.UUID) -> Attachment:
    attachment = await repository.get(session, attachment_id)
    if attachment is None or attachment.nomination_id != nomination.id:
        raise AttachmentNotFound(f"Nomination {nomination.id} has no attachment {attachment_id}.")
    return attachment


async def remove(
    session: AsyncSession, scope: ScopeCheck, nomination: Nomination, round_: Round, attachment_id: uuid.UUID
) -> None:
    """Remove the attachment. Its file stays until the sweep (:func:`sweep`) finds it unreferenced, so a
    transaction that fails after this point never leaves a row without its file."""
    await nominations.lock_one(session, nomination)
    await workflow.check(Attempt(session, scope, nomination, round_), Action.DETACH)
    attachment = await get(session, nomination, attachment_id)
    await repository.lock_content(session, attachment.sha256)
    attempt = Attempt(session, scope, nomination, round_, details=_details(attachment))
    await workflow.transition(attempt, Action.DETACH)
    await session.delete(attachment)
    await session.flush()


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    kept: int
    removed: int


def _content_key_or_none(sha256: str) -> str | None:
    try:
        return content_key(sha256)
    except ValueError:
        return None


async def sweep(
    session: AsyncSession, storage: Storage, *, grace: dt.timedelta, now: dt.datetime | None = None
) -> SweepOutcome:
    """Delete the stored files no attachment refers to and written more than ``grace`` ago.

    Files become unreferenced when an attachment is removed, or when an upload's transaction fails after
    its file was stored; neither is deleted in the request, so a file and its row never part. Each content
    is checked again under the same lock uploads take, so a file being attached right now is kept.
    """
    # The storage's times are its own wall clock's, whatever the platform's clock was set to.
    cutoff = (now or clock.wall_now()) - grace
    old = [key async for key, modified in storage.listing() if modified <= cutoff]
    kept = removed = 0
    for start in range(0, len(old), SWEEP_BATCH):
        batch = old[start : start + SWEEP_BATCH]
        referenced = await repository.referenced(session, batch)
        for key in batch:
            sha256 = key.rsplit("/", 1)[-1]
            if key in referenced:
                kept += 1
                continue
            if key == _content_key_or_none(sha256):
                await repository.lock_content(session, sha256)
                if await repository.is_referenced(session, key):
                    kept += 1
                    continue
            # Unreferenced content, or a temporary file left by an interrupted write.
            await storage.delete(key)
            removed += 1
    return SweepOutcome(kept=kept, removed=removed)


async def verify(storage: Storage, attachment: Attachment) -> None:
    """Read the stored file through and compare it with the checksum taken when it was uploaded."""
    digest, size = hashlib.sha256(), 0
    try:
        async for chunk in storage.read(attachment.storage_key):
            digest.update(chunk)
            size += len(chunk)
    except StoredFileMissing:
        logger.error("attachment %s: stored file %s is missing", attachment.id, attachment.storage_key)
        raise AttachmentCorrupted(
            f"The file of attachment {attachment.id} is missing from storage; upload it again.",
            sha256=attachment.sha256,
        ) from None
    if digest.hexdigest() != attachment.sha256 or size != attachment.size_bytes:
        logger.error(
            "attachment %s: stored file %s fails its checksum", attachment.id, attachment.storage_key
        )
        raise AttachmentCorrupted(
            f"The file of attachment {attachment.id} does not match the SHA-256 recorded at upload; it is not"
            " served. Upload it again.",
            sha256=attachment.sha256,
        )


async def stream(storage: Storage, attachment: Attachment) -> AsyncIterator[bytes]:
    with contextlib.suppress(StoredFileMissing):
        async for chunk in storage.read(attachment.storage_key):
            yield chunk


def digests(attachment: Attachment) -> dict[str, str]:
    """The headers that let a client check what it downloaded (RFC 3230 and RFC 9530) and cache it."""
    try:
        digest = base64.b64encode(bytes.fromhex(attachment.sha256)).decode("ascii")
    except (ValueError, binascii.Error):  # a checksum column that does not hold hex is a corrupted row
        raise AttachmentCorrupted(f"Attachment {attachment.id} has no valid checksum.") from None
    return {
        "ETag": f'"{attachment.sha256}"',
        "Digest": f"sha-256={digest}",
        "Repr-Digest": f"sha-256=:{digest}:",
        "Cache-Control": "private, no-cache",
    }


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 form."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
