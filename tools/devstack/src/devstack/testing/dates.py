"""The dates the test suite runs on: it never reads the wall clock, so it passes on every day of the year.

Every test starts with the platform's clock (:mod:`shared.clock`) set to :data:`SUITE_NOW`; the end-to-end
stack's services start from it too. A test that needs another day moves the clock with
``shared.clock.pinned(...)``; ``services/nominations/tests/test_dates_that_matter.py`` runs the date-sensitive
flows at the days where a date bug would show (Tết, 30/4, 31/12, 29/2, a Saturday worked, 23:30 UTC).
"""

from __future__ import annotations

import datetime as dt

from shared import clock

# A Tuesday at 10:00 in Vietnam, in an ordinary working week, after the district tier ended (1/7/2025).
SUITE_NOW = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
SUITE_TODAY = clock.local_date(SUITE_NOW)


def days_later(days: int) -> dt.datetime:
    """The moment ``days`` calendar days after the clock's now."""
    return clock.now() + dt.timedelta(days=days)
