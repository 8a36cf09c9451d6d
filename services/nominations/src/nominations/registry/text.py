"""Accent-insensitive words for the registry's search: "Nguyễn Văn Đức" and "nguyen van duc" match.

People search the registry typing without diacritics, or with a keyboard that composes them differently
(precomposed or combining marks); both the stored ``search_tokens`` and the query go through
:func:`normalize`, so a search is a whole-word match on the same spelling.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

# Combining marks are dropped, and đ, a letter of its own that decomposition leaves, becomes d (ð, U+00F0,
# stands in for it in text typed with legacy Vietnamese encodings). One table, applied in C.
_FOLD: dict[int, str | None] = dict.fromkeys(
    (code for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))), None
)
_FOLD.update({ord(letter): "d" for letter in "đĐðÐ"})
_SEPARATORS = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).translate(_FOLD)


@functools.lru_cache(maxsize=4096)  # unit and award names repeat on every row of an import
def normalize(text: str) -> str:
    """Lowercase, without diacritics (đ → d), every run of non-alphanumerics a single space.

    Marks are dropped before and after lowercasing: some letters only lowercase to a decomposable one
    (ϒ → Υ → υ), and the result must be its own normal form, or a stored word would not match the query.
    """
    bare = text.lower() if text.isascii() else _fold(_fold(text).lower())
    return _SEPARATORS.sub(" ", bare).strip()


def tokens(*texts: str | None) -> list[str]:
    """The distinct normalized words of ``texts``, in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        if text:
            seen.update(dict.fromkeys(normalize(text).split()))
    return list(seen)
