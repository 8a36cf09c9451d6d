"""Commendation fairness: awards against nominations per priority group, over the dossiers one reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from devstack.flows import etag, unique
from devstack.testing import dates
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from services.nominations.tests.arrange import DISCLOSURE_DAYS, Arrange
from shared import clock


def groups(report: dict[str, Any]) -> dict[str, tuple[int, int, float | None]]:
    return {g["group"]: (g["nominations"], g["awards"], g["representation"]) for g in report["groups"]}


async def test_awards_are_set_against_nominations_per_group(
    client: httpx.AsyncClient, auth: Auth, arrange: Arrange
) -> None:
    farmer = await arrange.disclosed("CSTD_CAP_TINH", nominee={"groups": ["farmer", "woman"]})
    plain = await arrange.disclosed("BANG_KHEN_CT_TINH", unit="HT-CXU")
    round_ = await arrange.steps.create_round()
    worker = await arrange.steps.nominate(round_["id"], "HT-THA", nominee={"groups": ["worker"]})
    await arrange.steps.must(worker["id"], "submit", arrange.steps.officer("HT-THA"), if_match=etag(worker))
    await arrange.steps.nominate(round_["id"], "HT-THA", nominee={"groups": ["farmer"]})  # a draft: not sent
    signed_on = dates.SUITE_TODAY + dt.timedelta(days=DISCLOSURE_DAYS + 1)
    with clock.pinned(dates.days_later(DISCLOSURE_DAYS + 1)):
        decided = await client.post(
            "/v1/decisions",
            json={
                "number": f"{unique('QD')}/QĐ-UBND",
                "signed_on": signed_on.isoformat(),
                "signer": "Võ Trọng Hải",
                "signer_title": "Chủ tịch UBND tỉnh",
                "authority": "provincial_chair",
                "nomination_ids": [farmer["id"], plain["id"]],
            },
            headers=arrange.authority(),
        )
    assert decided.status_code == 201, decided.text
    fetched = await client.get("/v1/reports/fairness", params={"year": 2024}, headers=auth("secretariat"))
    assert fetched.status_code == 200, fetched.text
    report = fetched.json()
    assert (report["nominations"], report["awards"], report["decided"]) == (3, 2, 2)
    shares = groups(report)
    assert shares["farmer"] == (1, 1, 1.5)  # a third of the nominations, half of the awards
    assert shares["woman"] == (1, 1, 1.5)
    assert shares["worker"] == (1, 0, 0.0)
    assert shares["border_area"] == (0, 0, None)
    farmer_row = next(g for g in report["groups"] if g["group"] == "farmer")
    assert farmer_row | {"label": ""} == {
        "group": "farmer",
        "label": "",
        "nominations": 1,
        "awards": 1,
        "nomination_share": 0.3333,
        "award_share": 0.5,
        "award_rate": 1.0,
        "representation": 1.5,
    }
    assert {u["org_unit"]: (u["nominations"], u["awards"]) for u in report["units"]} == {
        "HT-CXU": (1, 1),
        "HT-THA": (2, 1),
    }
    assert report["units"][1]["groups"] == {"farmer": [1, 1], "woman": [1, 1], "worker": [1, 0]}
    # A unit's officer reads its own dossiers only.
    officer = auth("unit_officer", org_unit="HT-THA")
    own = (
        await client.get("/v1/reports/fairness", params={"year": 2024, "org_unit": "HT-THA"}, headers=officer)
    ).json()
    assert (own["nominations"], own["awards"]) == (2, 1)
    wider = await client.get("/v1/reports/fairness", params={"year": 2024, "org_unit": "HT"}, headers=officer)
    assert_problem(wider, 403, "out-of-scope")
    assert_problem(
        await client.get("/v1/reports/fairness", params={"year": 2024}, headers=auth("viewer")),
        403,
        "missing-role",
    )
    unknown = await client.get(
        "/v1/reports/fairness", params={"year": 2024, "org_unit": "NOPE"}, headers=auth("admin")
    )
    assert_problem(unknown, 404, "fairness-unit-unknown")
    empty = (await client.get("/v1/reports/fairness", params={"year": 2023}, headers=auth("admin"))).json()
    assert (empty["nominations"], empty["groups"][0]["nomination_share"]) == (0, None)


async def test_groups_travel_with_the_dossier(
    client: httpx.AsyncClient, auth: Auth, arrange: Arrange
) -> None:
    round_ = await arrange.steps.create_round()
    drafted = await arrange.steps.nominate(round_["id"], "HT-THA", nominee={"groups": ["ethnic_minority"]})
    assert drafted["nominee"]["groups"] == ["ethnic_minority"]
    twice = arrange.steps.nomination_body(round_["id"], "HT-THA", nominee={"groups": ["worker", "worker"]})
    response = await client.post("/v1/nominations", json=twice, headers=arrange.steps.officer("HT-THA"))
    assert_problem(response, 422, "validation-error")
    # Personal data: a disclosed dossier's groups are never published.
    disclosed = await arrange.disclosed(
        "CSTD_CAP_TINH", nominee={"groups": ["ethnic_minority", "border_area"]}
    )
    public = (await client.get("/v1/public/disclosures")).json()["items"]
    [item] = [item for item in public if item["id"] == disclosed["id"]]
    assert "groups" not in item
    assert "ethnic_minority" not in str(item)


async def test_the_timeliness_report_is_the_rounds(
    client: httpx.AsyncClient, auth: Auth, arrange: Arrange
) -> None:
    round_ = await arrange.steps.create_round()
    by_report = await client.get(
        "/v1/reports/timeliness", params={"round_id": round_["id"]}, headers=auth("secretariat")
    )
    by_round = await client.get(f"/v1/rounds/{round_['id']}/timeliness", headers=auth("secretariat"))
    assert by_report.status_code == 200, by_report.text
    assert by_report.json() == by_round.json()
    missing = await client.get(
        "/v1/reports/timeliness", params={"round_id": 999_999}, headers=auth("secretariat")
    )
    assert_problem(missing, 404, "round-not-found")
