"""How long to wait before the next attempt: bounded exponential backoff with full jitter.

Full jitter (a random wait between zero and the exponential bound) spreads the retries of many deliveries
that failed together (an SMTP server back after an outage) instead of sending them again in one wave.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 5.0
    cap_seconds: float = 3600.0
    # The least wait, so a retry never lands on the same instant as the failure it follows.
    floor_seconds: float = 0.5

    def delay(self, attempt: int, rng: random.Random | None = None) -> dt.timedelta:
        """The wait after the ``attempt``-th failed attempt (1-based)."""
        bound = min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1))
        draw = (rng or random).uniform(0, bound)
        return dt.timedelta(seconds=max(self.floor_seconds, draw))

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts
