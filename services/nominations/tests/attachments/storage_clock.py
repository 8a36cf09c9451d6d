"""The sweep's sense of "now" in tests: the storage's own clock, whatever the process's clock says."""

from __future__ import annotations

import datetime as dt

from nominations.attachments.storage import Storage
from shared import clock


async def just_after_the_writes(storage: Storage) -> dt.datetime:
    """The storage's clock just after its last write: file times are the file system's (or the S3 server's),
    which the process's wall clock need not agree with (under faketime, say)."""
    times = [modified async for _, modified in storage.listing()]
    return max(times) + dt.timedelta(seconds=1) if times else clock.wall_now()
