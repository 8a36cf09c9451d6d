"""Which catalogue judges a nomination: the regime in force on its round's reference date, unless the
regime changed after that date and before the dossier was sent, in which case the dossier is judged by the
regime in force when it was sent.

This follows Nghị định 152/2025/NĐ-CP, Điều 60 khoản 3: dossiers received by the competent body before
1/7/2025 are appraised, submitted and decided under Nghị định 98/2023/NĐ-CP; read the other way, a dossier
sent from 1/7/2025 on is judged under 152/2025 even if its year is earlier. The change of 1/1/2024 is
treated the same way (cần đối chiếu: the transitional article of Nghị định 98/2023 was not read; Luật
06/2022/QH15 Điều 95 only keeps the awards already made). The changes are data (``regime_changes``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def judging_day(reference_date: dt.date, sent_on: dt.date, changes: Iterable[dt.date]) -> dt.date:
    """The date whose catalogue judges a dossier of a round of ``reference_date`` sent on ``sent_on``
    (today for one not sent yet): the latest regime change after the reference date that the sending
    reached, else the reference date itself."""
    crossed = [start for start in changes if reference_date < start <= sent_on]
    return max(crossed, default=reference_date)
