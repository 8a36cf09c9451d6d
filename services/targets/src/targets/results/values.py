"""A posted value checked against its indicator's value type, and its one canonical form.

Canonical forms make "unchanged" exact: ``70``, ``70.0`` and ``7E+1`` are one number and are stored as ``70``;
``T``, ``1`` and ``true`` are one boolean and are stored as ``true``.

Numbers are only *checked* here (a regular expression, a fraction of the cost of building a Decimal, which
matters at tens of thousands of values per request); PostgreSQL converts them to ``numeric`` and writes the
canonical text (``trim_scale``) in the same statement that stores them.
"""

from __future__ import annotations

import re

from targets.indicators.models import ValueType

_TRUE = frozenset({"true", "t", "1"})
_FALSE = frozenset({"false", "f", "0"})
MAX_DIGITS = 28
MAX_EXPONENT = 100
# ASCII only: a bare \d also matches "١٢" or "１２", which PostgreSQL's numeric input refuses (a 500 for the
# whole import instead of a conflict for the value).
_NUMBER = re.compile(r"[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d{1,4}))?", re.ASCII)


# How much of a client's text a conflict or problem repeats: enough to recognise it, never the whole of a
# 100 kB string (an answer, and an async=true job's stored summary, would otherwise grow with it).
ECHO_LIMIT = 100


def echo(text: str) -> str:
    """``text`` as an answer repeats it: its first ECHO_LIMIT characters, and "…" when there was more."""
    return text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + "…"


class InvalidValue(ValueError):
    pass


def check_number(text: str, value_type: str) -> str:
    """The number as PostgreSQL will read it (surrounding blanks removed), or :class:`InvalidValue`."""
    stripped = text.strip()
    match = _NUMBER.fullmatch(stripped)
    if match is None:
        raise InvalidValue(f"'{echo(text)}' is not a number")
    whole, fraction, bare_fraction, exponent = match.groups()
    digits = (whole or "").lstrip("0") + (fraction or bare_fraction or "")
    if len(digits) > MAX_DIGITS or (exponent is not None and abs(int(exponent)) > MAX_EXPONENT):
        raise InvalidValue(
            f"'{echo(text)}' has more than {MAX_DIGITS} digits or an exponent beyond ±{MAX_EXPONENT}"
        )
    if value_type == ValueType.COUNT:
        negative = stripped.startswith("-") and any(char not in "0.-" for char in stripped)
        if negative or exponent is not None or (fraction or bare_fraction or "").strip("0"):
            raise InvalidValue(f"'{echo(text)}' is not a count (a whole number of zero or more)")
    return stripped


def check_boolean(text: str) -> str:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return "true"
    if lowered in _FALSE:
        return "false"
    raise InvalidValue(f"'{echo(text)}' is not a boolean (true/false, t/f, 1/0)")
