"""Reading an upload: the multipart stream goes straight to a temporary file while it is hashed.

A file is never held in memory, and one over the limit is refused (413) as soon as it passes it, keeping
nothing. Only PDF, JPEG, PNG, DOCX, XLSX and ODT are taken, and the first bytes must agree with the type
claimed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import python_multipart
from anyio import to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from shared.problems import BadRequest, ContentTooLarge, UnprocessableContent, UnsupportedMediaType

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

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


class AttachmentTooLarge(ContentTooLarge):
    slug = "attachment-too-large"
    title = "The file is too large"


class InvalidAttachment(UnprocessableContent):
    slug = "invalid-attachment"
    title = "The upload is not a file with its fields"


class UnsupportedAttachmentType(UnsupportedMediaType):
    slug = "unsupported-attachment-type"
    title = "This kind of file is not accepted"


class MultipartExpected(UnsupportedMediaType):
    slug = "multipart-expected"
    title = "The upload must be multipart/form-data"


class MalformedUpload(BadRequest):
    slug = "malformed-upload"
    title = "The multipart body cannot be read"


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

    @property
    def document_code(self) -> str | None:
        return self.fields.get(DOCUMENT_FIELD) or None


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
