"""Attachments of a dossier: the scanned submission, the achievement report, the council minutes…

An upload is read straight from the request stream into a temporary file while it is hashed, so a file is
never held in memory and one over ``attachments_max_bytes`` is refused (413) as soon as it passes the limit,
keeping nothing. Only PDF, JPEG, PNG, DOCX, XLSX and ODT are taken, and the first bytes must agree with the
type claimed. Each file is stored under its SHA-256 (:mod:`nominations.dossiers.storage`) and checked
against it whenever it is read: a file that changed on disk is reported, never served.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import python_multipart
from anyio import to_thread
from pydantic import BaseModel
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from nominations.catalogue import repository as catalogue
from nominations.dossiers.models import Attachment, Nomination, NominationEvent
from nominations.dossiers.storage import Storage, StoredFileMissing, content_key
from nominations.dossiers.workflow import Action, check
from nominations.org_scope import ScopeCheck
from nominations.rounds.models import Round
from shared import clock
from shared.problems import BadRequest, Conflict, NotFound, ProblemError, UnsupportedMediaType

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

logger = logging.getLogger(__name__)
SWEEP_BATCH = 500

FILE_FIELD = "file"
DOCUMENT_FIELD = "document_code"
MAX_FIELD_BYTES = 1024
# Room for the multipart boundaries and part headers around a file of the maximum size.
ENVELOPE_BYTES = 64 * 1024
HEAD_BYTES = 128

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ZIP = b"PK\x03\x04"
# The types taken, their file name extensions, and how such a file begins.
ALLOWED_TYPES: dict[str, tuple[tuple[str, ...], bytes]] = {
    "application/pdf": ((".pdf",), b"%PDF-"),
    "image/jpeg": ((".jpg", ".jpeg"), b"\xff\xd8\xff"),
    "image/png": ((".png",), b"\x89PNG\r\n\x1a\n"),
    DOCX: ((".docx",), ZIP),
    XLSX: ((".xlsx",), ZIP),
    ODT: ((".odt",), ZIP),
}
ADDED, REMOVED = "attachment_added", "attachment_removed"


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


class AttachmentNotFound(NotFound):
    slug = "attachment-not-found"
    title = "Attachment not found"


class AttachmentTooLarge(ProblemError):
    status = 413
    slug = "attachment-too-large"
    title = "The file is too large"


class EmptyAttachment(ProblemError):
    status = 422
    slug = "empty-attachment"
    title = "The file is empty"


class InvalidAttachment(ProblemError):
    status = 422
    slug = "invalid-attachment"
    title = "The upload is not a file with its fields"


class UnknownDocument(ProblemError):
    status = 422
    slug = "unknown-document"
    title = "The award type requires no such document"


class UnsupportedAttachmentType(UnsupportedMediaType):
    slug = "unsupported-attachment-type"
    title = "This kind of file is not accepted"


class MultipartExpected(UnsupportedMediaType):
    slug = "multipart-expected"
    title = "The upload must be multipart/form-data"


class MalformedUpload(BadRequest):
    slug = "malformed-upload"
    title = "The multipart body cannot be read"


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


# --- Reading the upload ---------------------------------------------------------------------------------


@dataclass
class Upload:
    """A file received into ``path`` (the caller removes it), with what the client said about it."""

    path: Path
    filename: str = ""
    declared_type: str = ""
    size: int = 0
    sha256: str = ""
    head: bytes = b""
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def safe_filename(raw: str) -> str:
    """The last path segment, without control characters, at most 255 characters; never empty."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip(" .")
    return unicodedata.normalize("NFC", name)[-255:] or "attachment"


class _Intake:
    """python-multipart callbacks: the file part goes to disk through ``pending``, short fields to memory."""

    def __init__(self, upload: Upload, max_bytes: int) -> None:
        self.upload = upload
        self.max_bytes = max_bytes
        self.hash = hashlib.sha256()
        self.pending: list[bytes] = []
        self.files = 0
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._header_value = b""
        self._name = ""
        self._is_file = False
        self._value = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def on_part_begin(self) -> None:
        self._headers, self._name, self._is_file, self._value = {}, "", False, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._is_file = self._name == FILE_FIELD
        if self._is_file:
            self.files += 1
            if self.files > 1:
                raise InvalidAttachment("Send one file per upload.", errors=[{"name": FILE_FIELD}])
            self.upload.filename = safe_filename(options.get(b"filename", b"").decode("utf-8", "replace"))
            declared, _ = parse_options_header(self._headers.get(b"content-type", b""))
            self.upload.declared_type = declared.decode("latin-1").lower()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if not self._is_file:
            self._value += chunk
            if len(self._value) > MAX_FIELD_BYTES:
                raise InvalidAttachment(
                    f"The field {self._name!r} is too long.", errors=[{"name": self._name}]
                )
            return
        self.upload.size += len(chunk)
        if self.upload.size > self.max_bytes:
            raise AttachmentTooLarge(
                f"A file may have at most {self.max_bytes} bytes.", max_bytes=self.max_bytes
            )
        if len(self.upload.head) < HEAD_BYTES:
            self.upload.head += chunk[: HEAD_BYTES - len(self.upload.head)]
        self.hash.update(chunk)
        self.pending.append(chunk)

    def on_part_end(self) -> None:
        if not self._is_file and self._name:
            self.upload.fields[self._name] = self._value.decode("utf-8", "replace").strip()


def _write(file: Any, chunks: list[bytes]) -> None:
    for chunk in chunks:
        file.write(chunk)


async def receive(request: Request, max_bytes: int) -> Upload:
    """Stream the multipart body to a temporary file while hashing it; refuse it once it is too large."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise MultipartExpected(
            "Send the file as multipart/form-data with a part named 'file' (and optionally 'document_code')."
        )
    declared_length = request.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > max_bytes + ENVELOPE_BYTES:
        raise AttachmentTooLarge(f"A file may have at most {max_bytes} bytes.", max_bytes=max_bytes)
    descriptor, name = tempfile.mkstemp(prefix="upload-", suffix=".part")
    upload = Upload(Path(name))
    intake = _Intake(upload, max_bytes)
    try:
        with os.fdopen(descriptor, "wb") as file:
            parser = python_multipart.MultipartParser(params[b"boundary"], intake.callbacks())
            async for chunk in request.stream():
                parser.write(chunk)
                if intake.pending:
                    await to_thread.run_sync(_write, file, intake.pending)
                    intake.pending = []
            parser.finalize()
    except FormParserError as exc:
        upload.discard()
        raise MalformedUpload(f"The multipart body cannot be read: {exc}") from exc
    except BaseException:
        upload.discard()
        raise
    if intake.files == 0:
        upload.discard()
        raise InvalidAttachment(
            "The upload has no part named 'file'.", errors=[{"name": FILE_FIELD, "reason": "missing"}]
        )
    upload.sha256 = intake.hash.hexdigest()
    return upload


def content_type_of(upload: Upload) -> str:
    """The accepted type the file claims (by its Content-Type, else its extension) and begins like."""
    claimed = upload.declared_type
    if claimed in {"", "application/octet-stream"}:
        suffix = PurePosixPath(upload.filename).suffix.lower()
        claimed = next((kind for kind, (suffixes, _) in ALLOWED_TYPES.items() if suffix in suffixes), claimed)
    accepted = ", ".join(sorted(ALLOWED_TYPES))
    if claimed not in ALLOWED_TYPES:
        raise UnsupportedAttachmentType(
            f"{claimed or 'A file without a type'} is not accepted; send one of {accepted}.",
            accepted=sorted(ALLOWED_TYPES),
        )
    signature = ALLOWED_TYPES[claimed][1]
    if not upload.head.startswith(signature) or (claimed == ODT and ODT.encode() not in upload.head):
        raise UnsupportedAttachmentType(
            f"The file says it is {claimed} but its content is not.", accepted=sorted(ALLOWED_TYPES)
        )
    return claimed


# --- Rules and records ----------------------------------------------------------------------------------


async def _lock_content(session: AsyncSession, sha256: str) -> None:
    """Serialise uploads and removals of the same content, so a file still in use is never deleted."""
    await session.execute(select(func.pg_advisory_xact_lock(int(sha256[:15], 16))))


async def _document_codes(session: AsyncSession, nomination: Nomination, round_: Round) -> list[str]:
    award_type = await catalogue.version_in_force(session, nomination.award_type_code, round_.reference_date)
    return [str(document["code"]) for document in (award_type.required_documents if award_type else [])]


def _event(scope: ScopeCheck, nomination: Nomination, action: str, attachment: Attachment) -> NominationEvent:
    return NominationEvent(
        nomination_id=nomination.id,
        action=action,
        from_status=nomination.status,
        to_status=nomination.status,
        actor=scope.principal.subject,
        actor_roles=sorted(scope.principal.roles),
        note=None,
        details={
            "attachment_id": str(attachment.id),
            "filename": attachment.filename,
            "document_code": attachment.document_code,
            "sha256": attachment.sha256,
            "size_bytes": attachment.size_bytes,
        },
        occurred_at=clock.now(),
    )


async def may_edit(scope: ScopeCheck, nomination: Nomination, round_: Round) -> None:
    """Files are added and removed only while the nominating unit may edit the dossier (draft, returned)."""
    await check(scope, nomination, Action.EDIT, round_.reference_date)


async def add(
    session: AsyncSession,
    scope: ScopeCheck,
    storage: Storage,
    nomination: Nomination,
    round_: Round,
    upload: Upload,
) -> Attachment:
    """Keep the received file with the dossier; the caller has checked :func:`may_edit` before reading it."""
    if upload.size == 0:
        raise EmptyAttachment("The file is empty.", errors=[{"name": FILE_FIELD, "reason": "empty"}])
    content_type = content_type_of(upload)
    document_code = upload.fields.get(DOCUMENT_FIELD) or None
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
    await session.refresh(nomination, with_for_update=True)
    await may_edit(scope, nomination, round_)
    key = content_key(upload.sha256)
    await _lock_content(session, upload.sha256)
    await storage.put(key, upload.path)
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
        uploaded_at=clock.now(),
    )
    session.add(attachment)
    session.add(_event(scope, nomination, ADDED, attachment))
    await session.flush()
    return attachment


async def attachments(session: AsyncSession, nomination_id: int) -> list[Attachment]:
    query = (
        select(Attachment)
        .where(Attachment.nomination_id == nomination_id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    return list((await session.execute(query)).scalars())


async def get(session: AsyncSession, nomination: Nomination, attachment_id: uuid.UUID) -> Attachment:
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None or attachment.nomination_id != nomination.id:
        raise AttachmentNotFound(f"Nomination {nomination.id} has no attachment {attachment_id}.")
    return attachment


async def remove(
    session: AsyncSession,
    scope: ScopeCheck,
    storage: Storage,
    nomination: Nomination,
    round_: Round,
    attachment_id: uuid.UUID,
) -> None:
    """Remove the attachment. Its file stays until the sweep (:func:`sweep`) finds it unreferenced, so a
    transaction that fails after this point never leaves a row without its file."""
    await session.refresh(nomination, with_for_update=True)
    await may_edit(scope, nomination, round_)
    attachment = await get(session, nomination, attachment_id)
    await _lock_content(session, attachment.sha256)
    session.add(_event(scope, nomination, REMOVED, attachment))
    await session.delete(attachment)
    await session.flush()


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    kept: int
    removed: int


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
        referenced = set(
            await session.scalars(select(Attachment.storage_key).where(Attachment.storage_key.in_(batch)))
        )
        for key in batch:
            sha256 = key.rsplit("/", 1)[-1]
            if key in referenced:
                kept += 1
                continue
            if key == _content_key_or_none(sha256):
                await _lock_content(session, sha256)
                still = await session.scalar(
                    select(func.count()).select_from(Attachment).where(Attachment.storage_key == key)
                )
                if still:
                    kept += 1
                    continue
            # Unreferenced content, or a temporary file left by an interrupted write.
            await storage.delete(key)
            removed += 1
    return SweepOutcome(kept=kept, removed=removed)


def _content_key_or_none(sha256: str) -> str | None:
    try:
        return content_key(sha256)
    except ValueError:
        return None


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


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 form."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
