"""The service's notion of today, in Vietnam's time zone, where deadlines and disclosure periods are days.

Where ``NOMINATIONS_CLOCK_ADJUSTABLE`` is set (``make run`` sets it; never in production) the clock may be
moved forward (``NOMINATIONS_CLOCK_OFFSET_DAYS``, or at run time through ``POST /internal/v1/clock``, which
the gateway never routes), so that a test can let a disclosure period pass without waiting ten working days.
"""

from __future__ import annotations

import datetime as dt

VIETNAM = dt.timezone(dt.timedelta(hours=7))
_offset = dt.timedelta()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _offset


def today() -> dt.date:
    return now().astimezone(VIETNAM).date()


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VIETNAM).date()


def set_offset(days: int) -> None:
    global _offset  # noqa: PLW0603 - one clock per process, like the wall clock it shifts
    _offset = dt.timedelta(days=days)


def offset_days() -> int:
    return _offset.days
