"""The platform's one clock: "now" is an instant in UTC, "today" is the date in Vietnam.

Deadlines, disclosure periods, decision dates and report periods are Vietnamese dates. Between 00:00 and
07:00 in Vietnam the UTC date (the server's date in a container) is still yesterday, so nothing in the
platform reads ``dt.date.today()`` or ``dt.datetime.now()``: every service asks :func:`now` and
:func:`today`, and a test checks that no other code reads the wall clock.

One reading is not the platform's: :func:`wall_now` is the wall clock itself, never set, for comparing with
times other systems wrote on theirs (a file's modification time in storage, a token's expiry as the
identity provider and PyJWT count it). It says how much real time has passed, never which day it is.

Outside production the clock can be set to another moment, from which it runs on as a clock does: at start
with ``<SERVICE>_CLOCK_AT`` (with ``<SERVICE>_CLOCK_ADJUSTABLE``), at run time through
``POST /internal/v1/clock`` (never routed by the gateway), and in tests with :func:`set_to` or
:func:`pinned`. Production refuses both settings (:class:`shared.settings.ServiceSettings`), so a deployment
that forgets its environment cannot be given another day.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Vietnam has kept UTC+7, without daylight saving, since 13 June 1975 (IANA zone Asia/Ho_Chi_Minh). A fixed
# offset gives the same dates for every instant the platform handles, with no time-zone database to install.
VIETNAM = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")


class _Clock:
    """The wall clock, or a moment it was set to plus the time that has passed since (monotonic)."""

    def __init__(self) -> None:
        self._set_at: float | None = None
        self._moment = dt.datetime.min.replace(tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        if self._set_at is None:
            return dt.datetime.now(dt.UTC)
        return self._moment + dt.timedelta(seconds=time.monotonic() - self._set_at)

    def set_to(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock is set to an aware moment (with its UTC offset)")
        self._moment = moment.astimezone(dt.UTC)
        self._set_at = time.monotonic()

    def reset(self) -> None:
        self._set_at = None

    @property
    def is_set(self) -> bool:
        return self._set_at is not None


_clock = _Clock()


def now() -> dt.datetime:
    """This instant, in UTC."""
    return _clock.now()


def today() -> dt.date:
    """Today's date in Vietnam."""
    return local_date(_clock.now())


def local_date(moment: dt.datetime) -> dt.date:
    """The date in Vietnam at ``moment`` (an aware datetime)."""
    return moment.astimezone(VIETNAM).date()


def wall_now() -> dt.datetime:
    """The wall clock, in UTC: only to compare with times written by other systems' clocks."""
    return dt.datetime.now(dt.UTC)


def wall_seconds() -> float:
    """The wall clock in seconds since the epoch (token lifetimes: ``iat``, ``exp``)."""
    return time.time()


def set_to(moment: dt.datetime) -> None:
    """Run the clock from ``moment`` on (tests, demonstrations; the settings refuse it in production)."""
    _clock.set_to(moment)


def reset() -> None:
    """Back to the wall clock."""
    _clock.reset()


def is_set() -> bool:
    """Whether the clock was set to another moment than the wall clock's."""
    return _clock.is_set


@contextmanager
def pinned(moment: dt.datetime) -> Iterator[None]:
    """The clock runs from ``moment`` inside the block, and goes back to what it was after it."""
    previous = (_clock._set_at, _clock._moment)
    _clock.set_to(moment)
    try:
        yield
    finally:
        _clock._set_at, _clock._moment = previous
