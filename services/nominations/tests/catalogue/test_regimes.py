"""Which catalogue judges a dossier: Nghị định 152/2025/NĐ-CP, Điều 60 khoản 3."""

import datetime as dt

import httpx
import pytest

from nominations.catalogue.regimes import judging_day

D = dt.date
CHANGES = (D(2024, 1, 1), D(2025, 7, 1))


@pytest.mark.parametrize(
    ("reference", "sent", "judged"),
    [
        (D(2023, 6, 11), D(2023, 7, 1), D(2023, 6, 11)),  # the mid-term review, sent in its regime
        (D(2024, 12, 31), D(2025, 3, 10), D(2024, 12, 31)),  # sent before 1/7/2025: Nghị định 98/2023
        (D(2024, 12, 31), D(2025, 6, 30), D(2024, 12, 31)),
        (D(2024, 12, 31), D(2025, 7, 1), D(2025, 7, 1)),  # sent from 1/7/2025 on: Nghị định 152/2025
        (D(2023, 12, 31), D(2026, 3, 10), D(2025, 7, 1)),  # two changes crossed: the latest
        (D(2025, 12, 31), D(2026, 2, 1), D(2025, 12, 31)),  # a round of the new regime
    ],
)
def test_the_regime_a_dossier_was_sent_under_judges_it(reference: D, sent: D, judged: D) -> None:
    assert judging_day(reference, sent, CHANGES) == judged


async def test_the_regime_changes_are_public_with_their_source(client: httpx.AsyncClient) -> None:
    changes = (await client.get("/v1/regime-changes")).json()["items"]
    assert [change["starts_on"] for change in changes] == ["2024-01-01", "2025-07-01"]
    assert "Điều 60 khoản 3" in changes[1]["legal_source"]
