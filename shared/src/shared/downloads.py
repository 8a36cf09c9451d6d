"""Files a service hands out (reports, workbooks, review packs): their name header and their streaming.

``Content-Disposition`` carries a Vietnamese file name twice, as RFC 6266 asks: ``filename*`` in UTF-8
(RFC 8187, formerly 5987), which every current browser reads, and a plain ASCII ``filename`` for clients that
do not (the name without its diacritics: "Tiến độ Hà Tĩnh" becomes "Tien do Ha Tinh").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import IO, Final
from urllib.parse import quote

CHUNK_BYTES: Final = 64 * 1024
# What may stand in a quoted ASCII filename without escaping (no quotes, backslashes, controls, separators).
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()\-]+")


def ascii_filename(filename: str) -> str:
    """The name without diacritics, for clients that do not read ``filename*`` (đ is not a composed d)."""
    plain = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(char for char in plain if not unicodedata.combining(char))
    plain = _UNSAFE_ASCII.sub("_", stripped).strip()
    return plain if any(char.isalnum() for char in plain) else "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` for a file name in any script."""
    disposition = "inline" if inline else "attachment"
    encoded = quote(unicodedata.normalize("NFC", filename), safe="")
    return f"{disposition}; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{encoded}"


def file_chunks(file: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The file from its start, a chunk at a time, closed at the end (or when the client goes away)."""
    try:
        file.seek(0)
        while chunk := file.read(chunk_bytes):
            yield chunk
    finally:
        file.close()
