"""Progress through the API: roll-ups over the dated hierarchy, inherited targets, public view, caching."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from devstack.testing.plugin import AuthHeaders
from targets.config import Settings
from targets.deps import get_settings
from targets.progress.service import ProgressCache

DISTRICTS_2024 = ["HT-HTI", "HT-HLI", "HT-KAT", "HT-DTH", "HT-NXU", "HT-CLO", "HT-THA", "HT-CXU", "HT-KAH"]
DISTRICTS_2024 += ["HT-HSO", "HT-HKH", "HT-VQU", "HT-LHA"]


async def post(client: httpx.AsyncClient, auth: AuthHeaders, values: list[tuple[str, str, str, str]]) -> None:
    response = await client.post(
        "/v1/data-value-sets",
        json={
            "dataValues": [{"dataElement": d, "period": p, "orgUnit": o, "value": v} for d, p, o, v in values]
        },
        headers=auth("admin"),
    )
    assert response.status_code == 200, response.text


async def progress(client: httpx.AsyncClient, auth: AuthHeaders, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/progress", params=params, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def row(report: dict[str, Any], indicator: str, kind: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = next(
        item
        for item in report["items"]
        if item["indicator"]["code"] == indicator and (kind is None or item["kind"] == kind)
    )
    return found


async def test_the_seeded_plan_has_one_row_per_target_and_no_data_yet(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    report = await progress(client, auth)
    assert report["plan"] == "HT-2021-2025"
    assert report["org_unit"] == "HT"
    assert len(report["items"]) == 32
    assert report["summary"] == {"no_data": 32}


async def test_sums_roll_up_over_the_districts_as_they_stood_each_year(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    values = [("ECO_NEW_ENTERPRISES", "2024", unit, "100") for unit in DISTRICTS_2024]
    values += [("ECO_NEW_ENTERPRISES", "2025", unit, "90") for unit in DISTRICTS_2024 if unit != "HT-LHA"]
    await post(client, auth, values)
    report = await progress(client, auth, at="2025-12-31")
    new_enterprises = row(report, "ECO_NEW_ENTERPRISES")
    series = {point["period"]: point for point in new_enterprises["series"]}
    assert series["2024"] == {"period": "2024", "value": 1300.0, "source": "aggregated"}
    # 2025 belongs to the generation standing at its end: the twelve district-level units (Lộc Hà merged into
    # Thạch Hà on 2025-01-01) ended on 30/6 and are represented by the communes and wards that succeeded them
    # on 1/7, none of which reported: the province has no 2025 figure, and never one of both generations.
    assert "2025" not in series
    # The latest year with a figure is 2024: all thirteen district-level units reported it.
    assert new_enterprises["coverage"] == {"reported": 13, "expected": 13}
    assert (new_enterprises["years_met"], new_enterprises["status"]) == (1, "on_track")


async def test_a_value_posted_for_the_province_wins_over_the_roll_up(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await post(
        client,
        auth,
        [("ECO_NEW_ENTERPRISES", "2023", "HT-HSO", "40"), ("ECO_NEW_ENTERPRISES", "2023", "HT", "1250")],
    )
    new_enterprises = row(await progress(client, auth, at="2023-12-31"), "ECO_NEW_ENTERPRISES")
    assert new_enterprises["series"] == [{"period": "2023", "value": 1250.0, "source": "posted"}]
    assert new_enterprises["coverage"] is None


async def test_a_note_meant_for_the_reader_is_published_with_the_latest_value(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    source = "Nguồn: Cục Thống kê, Niên giám thống kê 2023 (số liệu ước tính)"
    internal = "Chị Lan gọi lại xác nhận, số điện thoại 0912 345 678"

    def value(element: str, period: str, unit: str, number: str, comment: str) -> dict[str, str]:
        return {
            "dataElement": element,
            "period": period,
            "orgUnit": unit,
            "value": number,
            "comment": comment,
        }

    response = await client.post(
        "/v1/data-value-sets",
        json={
            "dataValues": [
                value("ENV_FOREST_COVER", "2022", "HT", "51", "Nguồn: an older source"),
                value("ENV_FOREST_COVER", "2023", "HT", "52", source),
                value("SOC_HEALTH_INSURANCE", "2023", "HT", "93", internal),
                value("ENV_RURAL_STANDARD_WATER", "2023", "HT", "60", "Số liệu minh họa " + "x" * 600),
                value("ECO_NEW_ENTERPRISES", "2023", "HT-HSO", "40", internal),
                value("ENV_FOREST_COVER", "2023", "HT-HSO", "61", internal),
            ]
        },
        headers=auth("admin"),
    )
    assert response.status_code == 200, response.text
    report = await progress(client, auth, at="2023-12-31")
    forest = row(report, "ENV_FOREST_COVER")
    assert (forest["latest_period"], forest["latest_note"]) == ("2023", source)  # the latest's, not 2022's
    # A comment not meant for the reader (a name, a phone number) is never published with the figure.
    assert row(report, "SOC_HEALTH_INSURANCE")["latest_note"] is None
    # A long one is cut (the report is kept in memory, per question).
    water = row(report, "ENV_RURAL_STANDARD_WATER")["latest_note"]
    assert (len(water), water[-1]) == (500, "…")
    # A rolled-up figure has no note of its own (the units' notes stay with their values).
    enterprises = row(report, "ECO_NEW_ENTERPRISES")
    assert (enterprises["latest_source"], enterprises["latest_note"]) == ("aggregated", None)
    # The public reads what the staff read: a district's own report holds no internal comment either.
    public = (await client.get("/v1/public/progress", params={"at": "2023-12-31"})).json()
    assert row(public, "ENV_FOREST_COVER")["latest_note"] == source
    district = await client.get("/v1/public/progress", params={"at": "2023-12-31", "org_unit": "HT-HSO"})
    assert district.status_code == 200, district.text
    assert [item["latest_note"] for item in district.json()["items"] if item["latest_note"]] == []
    assert row(district.json(), "ENV_FOREST_COVER")["latest_value"] == 61.0  # its own posted figure


async def test_partial_reporting_is_visible_as_coverage(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    await post(client, auth, [("ECO_NEW_ENTERPRISES", "2022", unit, "50") for unit in DISTRICTS_2024[:4]])
    new_enterprises = row(await progress(client, auth, at="2022-12-31"), "ECO_NEW_ENTERPRISES")
    assert new_enterprises["coverage"] == {"reported": 4, "expected": 13}
    assert new_enterprises["status"] == "off_track"


async def test_weighted_means_use_the_weight_indicator(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    await post(
        client,
        auth,
        [
            ("POP_AVG", "2023", "HT-HSO", "100000"),
            ("POP_AVG", "2023", "HT-HKH", "300000"),
            ("SOC_HEALTH_INSURANCE", "2023", "HT-HSO", "90"),
            ("SOC_HEALTH_INSURANCE", "2023", "HT-HKH", "98"),
        ],
    )
    coverage = row(await progress(client, auth, at="2023-12-31"), "SOC_HEALTH_INSURANCE")
    assert coverage["latest_value"] == pytest.approx(96.0)  # (90 × 100,000 + 98 × 300,000) / 400,000
    assert coverage["latest_source"] == "aggregated"
    assert coverage["status"] == "achieved"  # > 95 %


async def test_at_keeps_only_the_years_that_had_ended(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    await post(
        client, auth, [("ENV_FOREST_COVER", "2022", "HT", "51"), ("ENV_FOREST_COVER", "2023", "HT", "52.5")]
    )
    assert row(await progress(client, auth, at="2023-06-30"), "ENV_FOREST_COVER")["latest_period"] == "2022"
    later = row(await progress(client, auth, at="2024-01-01"), "ENV_FOREST_COVER")
    assert later["latest_period"] == "2023"
    assert later["status"] == "achieved"  # > 52 %


async def test_a_district_sees_comparable_province_targets_judged_on_its_own_values(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await post(client, auth, [("ENV_FOREST_COVER", "2023", "HT-HSO", "70")])
    report = await progress(client, auth, org_unit="HT-HSO", at="2024-01-01")
    codes = {item["indicator"]["code"] for item in report["items"]}
    assert "ENV_FOREST_COVER" in codes  # a rate: comparable across units
    assert "ECO_NEW_ENTERPRISES" not in codes  # a province-wide sum: a district's share is not judged on it
    forest = row(report, "ENV_FOREST_COVER")
    assert forest["inherited_from"] == "HT"
    assert forest["status"] == "achieved"


async def test_the_relative_goal_compares_with_the_north_central_average(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await post(
        client,
        auth,
        [
            ("ECO_INCOME_PC", "2023", "HT", "52"),
            ("ECO_INCOME_PC_NORTH_CENTRAL", "2023", "HT", "50"),
        ],
    )
    relative = row(await progress(client, auth, at="2024-01-01"), "ECO_INCOME_PC", kind="relative")
    assert relative["status"] == "achieved"
    assert relative["reference_value"] == 50.0
    assert relative["measure"] == pytest.approx(2.0)


async def test_the_public_sees_the_province_without_logging_in_and_can_revalidate(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    public = await client.get("/v1/public/progress")
    assert public.status_code == 200
    assert public.headers["cache-control"] == "public, max-age=60"
    assert public.json()["org_unit"] == "HT"
    again = await client.get("/v1/public/progress", headers={"If-None-Match": public.headers["etag"]})
    assert again.status_code == 304
    await post(client, auth, [("ENV_FOREST_COVER", "2023", "HT", "52.5")])
    changed = await client.get("/v1/public/progress", headers={"If-None-Match": public.headers["etag"]})
    assert changed.status_code == 200
    assert changed.headers["etag"] != public.headers["etag"]


async def test_the_public_report_may_be_a_few_seconds_behind_the_data_the_signed_in_one_never(
    app: FastAPI, settings: Settings, client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    moment = [1000.0]
    saved = app.state.progress_cache
    app.state.progress_cache = ProgressCache(now=lambda: moment[0])
    behind = settings.model_copy(update={"public_progress_max_staleness_seconds": 5.0})
    app.dependency_overrides[get_settings] = lambda: behind
    try:
        before = await client.get("/v1/public/progress")
        await post(client, auth, [("ENV_FOREST_COVER", "2023", "HT", "52.5")])
        moment[0] += 4.9
        still = await client.get("/v1/public/progress")
        assert still.headers["etag"] == before.headers["etag"]
        moment[0] += 0.2  # 5.1 s after the report was computed: computed again, with the new value
        after = await client.get("/v1/public/progress")
        assert after.headers["etag"] != before.headers["etag"]
        assert row(after.json(), "ENV_FOREST_COVER")["latest_value"] == 52.5
        await post(client, auth, [("ENV_FOREST_COVER", "2023", "HT", "53")])
        signed_in = await progress(client, auth)
        assert row(signed_in, "ENV_FOREST_COVER")["latest_value"] == 53.0
    finally:
        app.state.progress_cache = saved
        del app.dependency_overrides[get_settings]


async def test_the_public_sees_a_district_too(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    await post(client, auth, [("ENV_FOREST_COVER", "2023", "HT-HSO", "48")])
    public = await client.get("/v1/public/progress", params={"org_unit": "HT-HSO", "at": "2024-01-01"})
    assert public.status_code == 200, public.text
    assert public.json()["org_unit"] == "HT-HSO"
    # The district is judged on the province's forest cover (a rate, inherited), with its own figure.
    forest = next(item for item in public.json()["items"] if item["indicator"]["code"] == "ENV_FOREST_COVER")
    assert forest["latest_value"] == 48.0
    signed_in = await client.get(
        "/v1/progress", params={"org_unit": "HT-HSO", "at": "2024-01-01"}, headers=auth("viewer")
    )
    assert public.json() == signed_in.json()
    unknown = await client.get("/v1/public/progress", params={"org_unit": "NOWHERE"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"plan": "NO-SUCH-PLAN"}, 404),
        ({"org_unit": "NOWHERE"}, 404),
        ({"unit": "HT"}, 400),
        ({"at": "yesterday"}, 422),
    ],
)
async def test_bad_questions_are_problems(
    client: httpx.AsyncClient, auth: AuthHeaders, params: dict[str, str], status: int
) -> None:
    response = await client.get("/v1/progress", params=params, headers=auth("viewer"))
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


async def test_progress_needs_a_login_except_the_public_view(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/progress")).status_code == 401


async def test_a_district_keeps_its_inherited_targets_after_the_district_tier_ended(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await post(
        client,
        auth,
        [
            ("ECO_INCOME_PC", "2024", "HT-HSO", "55"),
            ("ECO_INCOME_PC_NORTH_CENTRAL", "2024", "HT", "60"),
        ],
    )
    report = await progress(client, auth, org_unit="HT-HSO", at="2026-01-01")
    relative = row(report, "ECO_INCOME_PC", kind="relative")
    assert relative["inherited_from"] == "HT"
    # Judged against the region's average posted for the province.
    assert relative["reference_value"] == 60.0
    assert relative["status"] == "at_risk"  # 55 is within the plan's 10 % margin of 60


async def test_reports_are_served_compressed_to_clients_that_ask(client: httpx.AsyncClient) -> None:
    plain = await client.get("/v1/public/progress", headers={"Accept-Encoding": "identity"})
    compressed = await client.get("/v1/public/progress", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in plain.headers
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["vary"] == "Accept-Encoding"
    assert compressed.json() == plain.json()
    assert int(compressed.headers["content-length"]) < len(plain.content) / 3


async def test_absurd_but_valid_figures_do_not_break_the_report(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    # 1e-100 then 1e100: a compound projection beyond a float's range.
    await post(
        client, auth, [("ECO_INCOME_PC", "2021", "HT", "1e-100"), ("ECO_INCOME_PC", "2022", "HT", "1e100")]
    )
    for response in (
        await client.get("/v1/progress", params={"at": "2023-01-01"}, headers=auth("viewer")),
        await client.get("/v1/public/progress", params={"at": "2023-01-01"}),
    ):
        assert response.status_code == 200, response.text
        income = row(response.json(), "ECO_INCOME_PC", kind="end_of_period")
        assert income["status"] == "achieved"
        assert income["projection"]["value"] is None  # beyond a float's range: unknown, not an error


async def test_a_district_on_a_relative_target_is_compared_with_the_whole_provinces_reference(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    """The reference of a relative target is its own unit's series: for a district judged on the province's
    target, the province's, rolled up from every district, in the report as in the target's own series."""
    for code in ("TEST_REL_MAIN", "TEST_REL_REF"):
        created = await client.post(
            "/v1/indicators",
            json={
                "code": code,
                "name": f"Chỉ tiêu thử {code}",
                "area": "economy",
                "unit": "điểm",
                "value_type": "number",
                "aggregation": "mean",
                "decimals": 1,
                "period_type": "Yearly",
            },
            headers=auth("admin"),
        )
        assert created.status_code == 201, created.text
    target = await client.post(
        "/v1/targets",
        json={
            "plan": "HT-2021-2025",
            "indicator": "TEST_REL_MAIN",
            "org_unit": "HT",
            "kind": "relative",
            "comparator": "gt",
            "source_text": "cao hơn mức chung",
            "reference_indicator": "TEST_REL_REF",
        },
        headers=auth("admin"),
    )
    assert target.status_code == 201, target.text
    await post(
        client,
        auth,
        [
            ("TEST_REL_MAIN", "2023", "HT-HSO", "50"),
            ("TEST_REL_REF", "2023", "HT-HSO", "40"),
            ("TEST_REL_REF", "2023", "HT-HKH", "100"),
        ],
    )
    found = row(
        await progress(client, auth, org_unit="HT-HSO", at="2024-01-01"), "TEST_REL_MAIN", kind="relative"
    )
    # The province's reference is the mean of its districts' (40 and 100): 70; 50 is not above it.
    assert found["reference_value"] == 70.0
    assert found["status"] != "achieved"
    series = await client.get(
        f"/v1/targets/{target.json()['id']}/progress",
        params={"org_unit": "HT-HSO", "at": "2024-01-01"},
        headers=auth("viewer"),
    )
    assert series.status_code == 200, series.text
    assert series.json()["items"][-1]["status"] == found["status"]


async def test_without_a_plan_a_day_is_judged_on_the_plan_that_had_started_by_then(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await client.post(
        "/v1/plans",
        json={
            "code": "HT-2026-2030-TEST",
            "name": "Kế hoạch 2026-2030 (thử)",
            "start_date": "2026-01-01",
            "end_date": "2030-12-31",
            "source": "test",
        },
        headers=auth("admin"),
    )
    assert created.status_code == 201, created.text
    target = await client.post(
        "/v1/targets",
        json={
            "plan": "HT-2026-2030-TEST",
            "indicator": "ENV_FOREST_COVER",
            "org_unit": "HT",
            "kind": "end_of_period",
            "comparator": "gte",
            "value": 53,
            "source_text": "Tỷ lệ che phủ rừng từ 53%",
        },
        headers=auth("admin"),
    )
    assert target.status_code == 201, target.text
    assert (await progress(client, auth, at="2024-12-31"))["plan"] == "HT-2021-2025"
    assert (await progress(client, auth, at="2026-03-10"))["plan"] == "HT-2026-2030-TEST"
    assert (await progress(client, auth))["plan"] == "HT-2026-2030-TEST"  # today, 10/3/2026
    # Before every plan: the first one.
    assert (await progress(client, auth, at="2020-06-30"))["plan"] == "HT-2021-2025"
    public = await client.get("/v1/public/progress", params={"at": "2023-12-31"})
    assert public.json()["plan"] == "HT-2021-2025"
