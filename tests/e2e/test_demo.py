"""The demonstration data set ``make run`` loads (issue 12, "Something to see"), on a stack of its own.

Loaded through the gateway's API into an empty stack, then loaded again (nothing added): the province's
progress is no longer ``no_data``, each published value carries its source and each made-up one says so, the
block of 2024 is ranked, the round of 2024 is in the public registry, two nominations are open for comment,
an officer's inbox holds the returned nomination, and a council member has an open session to vote in.
"""

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.demo import BLOCK, PAST_ROUND, RESEARCH, DemoReport, load_demo, published_values
from devstack.paths import repo_root
from devstack.postgres import PostgresServer
from devstack.stack import Stack
from devstack.testing.dates import SUITE_NOW, SUITE_TODAY
from tests.e2e.conftest import bearer, started_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_stack(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with started_stack(postgres_server, tmp_path_factory.mktemp("demo"), "demo") as started:
        yield started


@pytest.fixture(scope="module")
def loadings(demo_stack: Stack) -> tuple[DemoReport, DemoReport]:
    return load_demo(demo_stack), load_demo(demo_stack)


def get(stack: Stack, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
    response = httpx.get(f"{stack.gateway_url}/api{path}", params=params, headers=headers or {}, timeout=30)
    assert response.status_code == 200, f"{path}: {response.text}"
    return response.json()


def test_loaded_once_and_kept_on_the_next_start(loadings: tuple[DemoReport, DemoReport]) -> None:
    first, second = loadings
    assert first.loaded == ["results", "2024", "today"]
    assert first.present == []
    # 29 published values (one per indicator and year) and made-up ones for the 100 gaps of 2021-2024.
    assert (first.published_values, first.illustrative_values) == (29, 100)
    assert second.present == ["results", "2024", "today"]
    assert second.loaded == []
    assert first.cut == second.cut == []


def nominations_clock(stack: Stack, at: dt.datetime | None = None) -> Any:
    """The nominations service's clock, read (or set to ``at``) on its own port."""
    admin = bearer(stack, "admin", "HT", "demo-test-admin")
    url = f"{stack.service_url('nominations')}/internal/v1/clock"
    if at is None:
        response = httpx.get(url, headers=admin, timeout=10)
    else:
        response = httpx.post(url, json={"at": at.isoformat()}, headers=admin, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_clock_is_given_back(demo_stack: Stack, loadings: object) -> None:
    # The suite's stack runs from SUITE_NOW: after the excursion into 2024 it runs from there again.
    read = nominations_clock(demo_stack)
    assert (read["today"], read["set"]) == (SUITE_TODAY.isoformat(), True)


def test_the_provinces_progress_is_no_longer_no_data(demo_stack: Stack, loadings: object) -> None:
    for at in ({"at": "2025-01-31"}, {}):  # after 2024, and today (the plan's last year not reported)
        report = get(demo_stack, "/v1/public/progress", None, org_unit="HT", **at)
        statuses = [row["status"] for row in report["items"]]
        assert "no_data" not in statuses, report["items"]
        assert {"achieved", "on_track", "at_risk", "off_track"} <= set(statuses), statuses


def test_each_value_says_where_it_comes_from(demo_stack: Stack, loadings: object) -> None:
    viewer = bearer(demo_stack, "viewer", "HT", "demo-viewer")
    values = get(demo_stack, "/v1/data-values", viewer, org_unit="HT", period="2023", limit=100)["items"]
    by_indicator = {value["indicator"]: value for value in values}
    growth = by_indicator["ECO_GRDP_GROWTH"]
    [record] = [
        r
        for r in json.loads((repo_root() / RESEARCH).read_text(encoding="utf-8"))
        if (r["indicator"], r["year"]) == ("ECO_GRDP_GROWTH", 2023)
    ]
    assert growth["value"] == "8.05"
    assert growth["comment"].startswith(f"Nguồn: {record['source']['publisher']}"), growth
    assert growth["comment"].endswith(record["source"]["url"]), growth  # a final figure: no "ước tính"
    assert by_indicator["ENV_FOREST_COVER"]["comment"].startswith("Số liệu minh họa")
    # And where the figure is read: the public progress gives each latest figure's note with it.
    public = get(demo_stack, "/v1/public/progress", org_unit="HT", at="2023-12-31")["items"]
    notes = {row["indicator"]["code"]: row["latest_note"] for row in public if row["kind"] != "relative"}
    assert notes["ECO_GRDP_GROWTH"] == growth["comment"]
    assert notes["ENV_FOREST_COVER"] == by_indicator["ENV_FOREST_COVER"]["comment"]
    assert all(note and note.startswith(("Nguồn:", "Số liệu minh họa")) for note in notes.values()), notes
    assert all(v["comment"].startswith(("Nguồn:", "Số liệu minh họa")) for v in values), values


def test_the_later_final_figure_is_kept_over_the_estimate() -> None:
    records = [
        {"indicator": "X", "year": 2022, "value": 3.98, "estimate": True, "source": {"publisher": "A"}},
        {"indicator": "X", "year": 2022, "value": 2.54, "estimate": False, "source": {"publisher": "B"}},
        {
            "indicator": "Y",
            "year": 2022,
            "value": 75.2,
            "estimate": False,
            "source": {"publisher": "Wikipedia"},
        },
        {"indicator": "Y", "year": 2022, "value": 70.47, "estimate": True, "source": {"publisher": "C"}},
        {
            "indicator": "ECO_URBANISATION",
            "year": 2022,
            "value": 22.3,
            "estimate": False,
            "source": {"publisher": "D"},
        },
    ]
    chosen = published_values(records)
    assert {key: record["value"] for key, record in chosen.items()} == {("X", 2022): 2.54, ("Y", 2022): 70.47}


def test_the_block_of_2024_is_ranked(demo_stack: Stack, loadings: object) -> None:
    secretariat = bearer(demo_stack, "secretariat", "HT-SNV", "secretariat-1")
    [block] = [
        b for b in get(demo_stack, "/v1/blocks", secretariat, year=2024)["items"] if b["code"] == BLOCK
    ]
    ranking = get(demo_stack, f"/v1/blocks/{block['id']}/ranking", secretariat)
    assert ranking["adopted"] is True
    ranks = [(row["rank"], row["org_unit"], row["total"]) for row in ranking["items"]]
    assert ranks[0] == (1, "HT-STC", 94.0), ranks
    # HT-SCT and HT-SXD both total 86: criterion 1 (54 against 52) breaks the tie.
    assert [unit for _, unit, total in ranks if total == 86.0] == ["HT-SCT", "HT-SXD"], ranks
    read = get(demo_stack, f"/v1/blocks/{block['id']}", secretariat)
    assert (read["status"], len(read["flag_nomination_ids"])) == ("adopted", 1), read


def test_the_round_of_2024_is_in_the_public_registry(demo_stack: Stack, loadings: object) -> None:
    awards = get(demo_stack, "/v1/public/awards", year=2024, limit=100)["items"]
    demo = [award for award in awards if award["decision_number"] == "DEMO-01/QĐ-UBND"]
    assert len(demo) == 5, awards
    assert {award["award_type_code"] for award in demo} == {
        "CO_THI_DUA_TINH",
        "BANG_KHEN_CT_TINH",
        "CSTD_CAP_TINH",
    }
    [flag] = [award for award in demo if award["award_type_code"] == "CO_THI_DUA_TINH"]
    assert flag["org_unit"] == "HT-STC"
    # Searched as a citizen types it, without accents.
    found = get(demo_stack, "/v1/public/awards", q="nguyen thi thu ha")["items"]
    assert [award["recipient_name"] for award in found] == ["Nguyễn Thị Thu Hà"]
    secretariat = bearer(demo_stack, "secretariat", "HT-SNV", "secretariat-1")
    rounds = get(demo_stack, "/v1/rounds", secretariat, year=2024)["items"]
    assert [r["code"] for r in rounds] == [PAST_ROUND]  # the marker a second loading finds


def test_two_nominations_are_open_for_comment(demo_stack: Stack, loadings: object) -> None:
    open_ = get(demo_stack, "/v1/public/disclosures", limit=100)["items"]
    assert sorted(item["nominee_name"] for item in open_) == ["Lữ Thị Thanh", "Võ Văn Tâm"], open_
    assert all(item["disclosure_until"] > SUITE_NOW.date().isoformat() for item in open_)


def test_the_officer_finds_the_returned_nomination_in_the_inbox(demo_stack: Stack, loadings: object) -> None:
    officer = bearer(demo_stack, "unit_officer", "HT-STC", "officer-HT-STC")
    deadline = time.monotonic() + 30
    while True:  # the relay and the workers deliver it a moment after the loading
        titles = [item["title"] for item in get(demo_stack, "/v1/inbox", officer)["items"]]
        if any("trả lại" in title for title in titles) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert any("Đặng Thị Hoa" in title and "trả lại" in title for title in titles), titles
    [returned] = get(demo_stack, "/v1/nominations", officer, status="returned")["items"]
    detail = get(demo_stack, f"/v1/nominations/{returned['id']}", officer)
    assert "resubmit" in detail["allowed_actions"], detail


def test_a_council_member_has_a_session_to_vote_in(demo_stack: Stack, loadings: object) -> None:
    member = bearer(demo_stack, "council_member", None, "member-0")
    sessions = get(demo_stack, "/v1/council-sessions", member, limit=50)["items"]
    [session] = [s for s in sessions if s["status"] == "open"]
    detail = get(demo_stack, f"/v1/council-sessions/{session['id']}", member)
    assert [item["nominee_name"] for item in detail["agenda"]] == ["Phạm Minh Đức"], detail


def test_a_half_made_part_is_said_and_a_later_day_opens_new_disclosures(
    demo_stack: Stack, loadings: object
) -> None:
    # Last in the module: it moves the nominations clock a month on, past today's disclosures.
    later = SUITE_NOW + dt.timedelta(days=30)
    secretariat = bearer(demo_stack, "secretariat", "HT-SNV", "secretariat-1")
    try:
        day = nominations_clock(demo_stack, later)["today"]
        # What a loading cut after its round would leave: the round of that day, nothing in it.
        cut = httpx.post(
            f"{demo_stack.gateway_url}/api/v1/rounds",
            json={
                "code": f"DEMO-DX-{day.replace('-', '')}",
                "name": "Khen thưởng đột xuất (dữ liệu trình diễn)",
                "kind": "ad_hoc",
                "year": int(day[:4]),
                "reference_date": day,
                "opens_on": day,
                "submission_working_days": 15,
                "screening_working_days": 10,
                "council_working_days": 10,
                "decision_working_days": 10,
            },
            headers=secretariat,
            timeout=30,
        )
        assert cut.status_code == 201, cut.text
        report = load_demo(demo_stack)
        assert report.loaded == []
        assert [part.split(" ")[0] for part in report.cut] == ["today"], report.cut
        assert get(demo_stack, "/v1/public/disclosures")["items"] == []

        nominations_clock(demo_stack, later + dt.timedelta(days=1))
        report = load_demo(demo_stack)
        assert (report.loaded, report.cut) == (["today"], [])
        open_ = get(demo_stack, "/v1/public/disclosures", limit=100)["items"]
        assert sorted(item["nominee_name"] for item in open_) == ["Lữ Thị Thanh", "Võ Văn Tâm"]
    finally:
        nominations_clock(demo_stack, SUITE_NOW)
