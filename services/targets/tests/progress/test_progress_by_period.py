"""Progress of targets on monthly and quarterly indicators: judged on their own periods, period by period.

The expected figures are worked out by hand in the comments (the plan HT-2021-2025: 60 months, 20 quarters).
"""

from typing import Any

import httpx
import pytest

from devstack.testing.plugin import AuthHeaders


async def post(client: httpx.AsyncClient, auth: AuthHeaders, values: list[tuple[str, str, str, str]]) -> None:
    response = await client.post(
        "/v1/data-value-sets",
        json={
            "dataValues": [{"dataElement": d, "period": p, "orgUnit": o, "value": v} for d, p, o, v in values]
        },
        headers=auth("admin"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "SUCCESS", response.text


async def progress(client: httpx.AsyncClient, auth: AuthHeaders, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/progress", params=params, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def row(report: dict[str, Any], indicator: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in report["items"] if item["indicator"]["code"] == indicator)
    return found


async def indicator(
    client: httpx.AsyncClient, auth: AuthHeaders, code: str, period_type: str, aggregation: str
) -> None:
    response = await client.post(
        "/v1/indicators",
        json={
            "code": code,
            "name": f"Chỉ tiêu thử {code}",
            "area": "economy",
            "unit": "tỷ đồng",
            "value_type": "number",
            "aggregation": aggregation,
            "decimals": 1,
            "period_type": period_type,
        },
        headers=auth("admin"),
    )
    assert response.status_code == 201, response.text


async def target(client: httpx.AsyncClient, auth: AuthHeaders, **fields: Any) -> int:
    response = await client.post(
        "/v1/targets",
        json={"plan": "HT-2021-2025", "org_unit": "HT", "source_text": "Mục tiêu thử", **fields},
        headers=auth("admin"),
    )
    assert response.status_code == 201, response.text
    target_id: int = response.json()["id"]
    return target_id


@pytest.fixture
async def monthly_target(client: httpx.AsyncClient, auth: AuthHeaders) -> int:
    """A monthly sum for the province, "từ 100 trở lên" by the end of the plan (linear projection), and the
    first quarter of 2024 reported by two districts: HT rolls up 40+20, 41+21, 42+22 = 60, 62, 64."""
    await indicator(client, auth, "TEST_M_REVENUE", "Monthly", "sum")
    target_id = await target(
        client, auth, indicator="TEST_M_REVENUE", kind="end_of_period", comparator="gte", value=100
    )
    values = [("TEST_M_REVENUE", f"2024{month:02d}", "HT-HSO", str(39 + month)) for month in (1, 2, 3)]
    values += [("TEST_M_REVENUE", f"2024{month:02d}", "HT-HKH", str(19 + month)) for month in (1, 2, 3)]
    await post(client, auth, values)
    return target_id


async def test_a_monthly_target_is_judged_on_its_months_and_projected_to_the_plans_last_month(
    client: httpx.AsyncClient, auth: AuthHeaders, monthly_target: int
) -> None:
    found = row(await progress(client, auth, at="2024-03-31"), "TEST_M_REVENUE")
    assert found["target_id"] == monthly_target
    assert found["period_type"] == "Monthly"
    assert [(p["period"], p["value"], p["source"]) for p in found["series"]] == [
        ("202401", 60.0, "aggregated"),
        ("202402", 62.0, "aggregated"),
        ("202403", 64.0, "aggregated"),
    ]
    assert (found["latest_period"], found["latest_value"]) == ("202403", 64.0)
    assert found["coverage"] == {"reported": 2, "expected": 13}
    # Least squares through (Jan, 60), (Feb, 62), (Mar, 64): 2 a month from 62 in February; December 2025 is
    # 22 months after February: 62 + 2 × 22 = 106 ≥ 100.
    assert found["projection"] == {
        "method": "linear",
        "year": 2025,
        "period": "202512",
        "value": pytest.approx(106.0),
        "meets_target": True,
        "required_per_remaining_year": None,
    }
    assert (found["percent"], found["status"]) == (64.0, "on_track")


async def test_at_keeps_the_months_that_had_ended(
    client: httpx.AsyncClient, auth: AuthHeaders, monthly_target: int
) -> None:
    found = row(await progress(client, auth, at="2024-03-30"), "TEST_M_REVENUE")
    assert [p["period"] for p in found["series"]] == ["202401", "202402"]
    # 61 + 2 × 22.5 (the mean month is mid-January-February): 106 again, on track.
    assert found["projection"]["value"] == pytest.approx(106.0)


async def test_the_series_view_judges_the_target_as_each_month_ended(
    client: httpx.AsyncClient, auth: AuthHeaders, monthly_target: int
) -> None:
    response = await client.get(
        f"/v1/targets/{monthly_target}/progress", params={"at": "2024-04-15"}, headers=auth("viewer")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["period_type"], body["projection_period"], body["org_unit"]) == ("Monthly", "202512", "HT")
    items = body["items"]
    # Every month of the plan that ended by 15 April 2024: January 2021 to March 2024.
    assert len(items) == 39
    assert items[0]["period"] == "202101"
    assert {item["status"] for item in items[:36]} == {"no_data"}
    january, february, march = items[36:]
    # January alone: a flat projection at 60, short of 100 by more than the 10 % margin.
    assert (january["period"], january["value"], january["projection"], january["status"]) == (
        "202401",
        60.0,
        60.0,
        "off_track",
    )
    # With February the line rises 2 a month: 61 + 2 × 22.5 = 106.
    assert (february["projection"], february["status"]) == (pytest.approx(106.0), "on_track")
    assert (march["value"], march["percent"], march["status"]) == (64.0, 64.0, "on_track")


async def test_a_quarterly_sum_over_the_plan_counts_its_twenty_quarters(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await indicator(client, auth, "TEST_Q_INVEST", "Quarterly", "sum")
    await target(client, auth, indicator="TEST_Q_INVEST", kind="cumulative", comparator="gte", value=200)
    await post(
        client, auth, [("TEST_Q_INVEST", "2024Q1", "HT", "10"), ("TEST_Q_INVEST", "2024Q2", "HT", "12")]
    )
    found = row(await progress(client, auth, at="2024-06-30"), "TEST_Q_INVEST")
    assert [p["period"] for p in found["series"]] == ["2024Q1", "2024Q2"]
    # 22 so far; 18 quarters remain at the mean quarter (11): 22 + 18 × 11 = 220 ≥ 200. Each remaining
    # quarter must bring (200 − 22) / 18 = 9.888… to reach 200.
    assert (found["measure"], found["percent"]) == (22.0, 11.0)
    assert found["projection"]["period"] == "2025Q4"
    assert found["projection"]["value"] == pytest.approx(220.0)
    assert found["projection"]["required_per_remaining_year"] == pytest.approx(9.89)
    assert found["status"] == "on_track"
    # The day before the second quarter ended, only the first counts: 10 + 19 × 10 = 200, still on track.
    earlier = row(await progress(client, auth, at="2024-06-29"), "TEST_Q_INVEST")
    assert (earlier["latest_period"], earlier["projection"]["value"]) == ("2024Q1", pytest.approx(200.0))


async def test_yearly_rows_name_their_period_type_and_the_plans_last_year(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await post(client, auth, [("ENV_FOREST_COVER", "2023", "HT", "52.5")])
    forest = row(await progress(client, auth, at="2024-01-01"), "ENV_FOREST_COVER")
    assert forest["period_type"] == "Yearly"
    assert forest["projection"]["period"] == "2025"
    assert forest["series"] == [{"period": "2023", "value": 52.5, "source": "posted"}]


@pytest.mark.parametrize(
    ("path", "params", "status", "slug"),
    [
        ("/v1/targets/999999/progress", {}, 404, "target-not-found"),
        ("/v1/targets/{target}/progress", {"org_unit": "NOWHERE"}, 404, "org-unit-not-found"),
        # A total is judged only where it is set: a district does not see the province's monthly sum.
        ("/v1/targets/{target}/progress", {"org_unit": "HT-HSO"}, 422, "target-not-covered"),
    ],
)
async def test_series_of_what_does_not_exist_or_does_not_apply_are_problems(
    client: httpx.AsyncClient,
    auth: AuthHeaders,
    monthly_target: int,
    path: str,
    params: dict[str, str],
    status: int,
    slug: str,
) -> None:
    response = await client.get(path.format(target=monthly_target), params=params, headers=auth("viewer"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:thidua:problem:{slug}"


async def test_one_targets_series_reads_down_only_where_a_unit_has_no_figure_of_its_own(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    """A single target's series and chart read the units below a unit only for the periods it has no posted
    figure of (``PlanProgress._read_down``); they must agree with the report, which reads every unit."""
    await indicator(client, auth, "TEST_M_LEVELS", "Monthly", "sum")
    target_id = await target(
        client, auth, indicator="TEST_M_LEVELS", kind="end_of_period", comparator="gte", value=1
    )
    city, tran_phu, nam_ha = "HT-HTI", "HT-18070-20241231", "HT-18073-20250630"
    await post(
        client,
        auth,
        [
            # January: the city posts its own 100, which counts rather than its wards' 7.
            ("TEST_M_LEVELS", "202401", city, "100"),
            ("TEST_M_LEVELS", "202401", tran_phu, "7"),
            # February: the city has none; its wards' 30 + 12 roll up to 42.
            ("TEST_M_LEVELS", "202402", tran_phu, "30"),
            ("TEST_M_LEVELS", "202402", nam_ha, "12"),
            # March: the province posts its own figure.
            ("TEST_M_LEVELS", "202403", "HT", "999"),
            ("TEST_M_LEVELS", "202403", tran_phu, "5"),
            *[("TEST_M_LEVELS", f"2024{month}", "HT-HKH", "20") for month in ("01", "02", "03")],
        ],
    )
    expected = [("202401", 120.0, "aggregated"), ("202402", 62.0, "aggregated"), ("202403", 999.0, "posted")]
    found = row(await progress(client, auth, at="2024-03-31"), "TEST_M_LEVELS")
    assert [(p["period"], p["value"], p["source"]) for p in found["series"]] == expected
    series = await client.get(
        f"/v1/targets/{target_id}/progress", params={"at": "2024-03-31"}, headers=auth("viewer")
    )
    assert series.status_code == 200, series.text
    assert [(item["period"], item["value"]) for item in series.json()["items"][36:]] == [
        (period, value) for period, value, _ in expected
    ]
    chart = await client.get(
        f"/v1/targets/{target_id}/chart.svg", params={"at": "2024-03-31"}, headers=auth("viewer")
    )
    assert chart.status_code == 200, chart.text
    assert 'data-points="202401:120.0 202402:62.0 202403:999.0"' in chart.text  # one decimal
