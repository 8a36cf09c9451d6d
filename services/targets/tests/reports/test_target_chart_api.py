"""The SVG chart of a target, parsed: its series (values by period), the target line and the projection."""

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from devstack.testing.plugin import AuthHeaders

SVG = "{http://www.w3.org/2000/svg}"


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


async def target_id(client: httpx.AsyncClient, auth: AuthHeaders, indicator: str, kind: str) -> int:
    response = await client.get(
        "/v1/targets", params={"indicator": indicator, "org_unit": "HT"}, headers=auth("viewer")
    )
    found: int = next(item["id"] for item in response.json()["items"] if item["kind"] == kind)
    return found


async def chart(client: httpx.AsyncClient, auth: AuthHeaders, target: int, **params: str) -> ET.Element:
    response = await client.get(f"/v1/targets/{target}/chart.svg", params=params, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-disposition"].startswith("inline; ")
    return ET.fromstring(response.content)  # noqa: S314 - the service's own answer, not outside input


def groups(root: ET.Element, series: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if f"series-{series}" in (g.get("class") or "").split()]


def points(root: ET.Element, series: str) -> list[tuple[str, str]]:
    """(period, value shown) of each dot of the series, as pygal writes them beside each dot."""
    found = []
    for group in groups(root, series):
        for dots in group.iter(f"{SVG}g"):
            descs = {d.get("class"): d.text for d in dots.findall(f"{SVG}desc")}
            if "value" in descs:
                found.append((descs["x_label"] or "", descs["value"] or ""))
    return found


def data_points(root: ET.Element, series: str) -> list[tuple[str, float]]:
    """(period, value) of the series as the chart gives them to read by machine (``data-points``)."""
    [group] = [g for g in groups(root, series) if g.get("data-points") is not None]
    pairs = (item.split(":") for item in (group.get("data-points") or "").split())
    return [(period, float(value)) for period, value in pairs]


def path_points(root: ET.Element, series: str) -> list[tuple[float, float]]:
    line = next(p for g in groups(root, series) for p in g.iter(f"{SVG}path"))
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", line.get("d") or "")]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


@pytest.fixture
async def income(client: httpx.AsyncClient, auth: AuthHeaders) -> int:
    await post(
        client,
        auth,
        [
            ("ECO_INCOME_PC", year, "HT", value)
            for year, value in (("2021", "47.5"), ("2022", "52"), ("2023", "56.6"))
        ],
    )
    return await target_id(client, auth, "ECO_INCOME_PC", "end_of_period")


async def test_a_yearly_chart_draws_the_values_the_target_line_and_the_projection(
    client: httpx.AsyncClient, auth: AuthHeaders, income: int
) -> None:
    root = await chart(client, auth, income, at="2024-01-01")
    assert root.tag == f"{SVG}svg"
    assert root.get("id") == f"chart-target-{income}-HT"
    titles = [t.text for t in root.iter(f"{SVG}text") if "plot_title" in (t.get("class") or "")]
    assert titles == ["Thu nhập bình quân đầu người", "Tỉnh Hà Tĩnh (HT) - kế hoạch HT-2021-2025"]
    legend = [
        t.text
        for g in root.iter(f"{SVG}g")
        if "legend" in (g.get("class") or "").split()
        for t in g.iter(f"{SVG}text")
    ]
    assert legend == ["Kết quả thực hiện", "Mục tiêu", "Dự báo"]
    # One line group per series with a stable id, for a frontend's style sheet or a test.
    assert {g.get("id") for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("chart-")} == {
        f"chart-target-{income}-HT-{series}" for series in ("observed", "target", "projection")
    }
    assert points(root, "observed") == [("2021", "47,5"), ("2022", "52,0"), ("2023", "56,6")]
    assert data_points(root, "observed") == [("2021", 47.5), ("2022", 52.0), ("2023", 56.6)]
    # "trên 70 triệu đồng": a flat line across the plan's five years, drawn without dots.
    target_line = path_points(root, "target")
    assert len(target_line) == 5
    assert len({y for _, y in target_line}) == 1
    assert points(root, "target") == []
    # Compound growth from 47.5 to 56.6 (9.16 % a year) gives 67.44 in 2025; the line runs from 2023's
    # value to it, through 62.02 in 2024.
    assert points(root, "projection") == [("2023", "56,6"), ("2024", "62,0"), ("2025", "67,4")]
    x_labels = [
        t.text for g in root.iter(f"{SVG}g") if g.get("class") == "axis x" for t in g.iter(f"{SVG}text")
    ]
    assert x_labels == ["2021", "2022", "2023", "2024", "2025"]


async def test_the_chart_is_standalone_and_stable(
    client: httpx.AsyncClient, auth: AuthHeaders, income: int
) -> None:
    response = await client.get(
        f"/v1/targets/{income}/chart.svg", params={"at": "2024-01-01"}, headers=auth("viewer")
    )
    text = response.text
    # Nothing to run and nothing to fetch: no script (pygal's tooltips are off), no external style or font.
    assert "<script" not in text
    assert "xml-stylesheet" not in text
    assert "googleapis" not in text
    assert not re.search(r'href="(?!#)', text)
    assert "<!--" not in text  # pygal's comments carry the day it was drawn
    again = await client.get(
        f"/v1/targets/{income}/chart.svg", params={"at": "2024-01-01"}, headers=auth("viewer")
    )
    assert again.content == response.content
    cached = await client.get(
        f"/v1/targets/{income}/chart.svg",
        params={"at": "2024-01-01"},
        headers=auth("viewer") | {"If-None-Match": response.headers["etag"]},
    )
    assert cached.status_code == 304


async def test_a_monthly_chart_has_every_month_of_the_plan(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await client.post(
        "/v1/indicators",
        json={
            "code": "TEST_M_CHART",
            "name": "Thu ngân sách hằng tháng",
            "area": "economy",
            "unit": "tỷ đồng",
            "value_type": "number",
            "aggregation": "none",
            "decimals": 0,
            "period_type": "Monthly",
        },
        headers=auth("admin"),
    )
    assert created.status_code == 201, created.text
    target = await client.post(
        "/v1/targets",
        json={
            "plan": "HT-2021-2025",
            "indicator": "TEST_M_CHART",
            "org_unit": "HT",
            "kind": "cumulative",
            "comparator": "gte",
            "value": 6000,
            "source_text": "Tổng thu giai đoạn từ 6.000 tỷ đồng",
        },
        headers=auth("admin"),
    )
    assert target.status_code == 201, target.text
    months = [f"{year}{month:02d}" for year in range(2021, 2026) for month in range(1, 13)][:58]
    await post(client, auth, [("TEST_M_CHART", month, "HT", "100") for month in months])
    root = await chart(client, auth, target.json()["id"], at="2025-10-31")
    labels = [
        t.text for g in root.iter(f"{SVG}g") if g.get("class") == "axis x" for t in g.iter(f"{SVG}text")
    ]
    # Sixty months on the axis, January of each year labelled.
    assert labels == ["202101", "202201", "202301", "202401", "202501"]
    # A cumulative target is drawn as its running sum: 100, 200, … 5,800 by October 2025.
    # Sixty months are drawn as lines, without a dot per month; their values are there to read by machine.
    assert points(root, "observed") == []
    observed = data_points(root, "observed")
    assert (observed[0], observed[-1], len(observed)) == (("202101", 100), ("202510", 5800), 58)
    assert len(path_points(root, "observed")) == 58
    # Two months left at the mean month so far (100): 5,800 + 2 × 100 = 6,000 by December, through 5,900.
    assert data_points(root, "projection") == [("202510", 5800), ("202511", 5900), ("202512", 6000)]
    assert len(path_points(root, "target")) == 60
    assert data_points(root, "target") == [(month, 6000) for month in [*months, "202511", "202512"]]


@pytest.mark.parametrize(
    ("target", "params", "status", "slug"),
    [
        (999_999, {}, 404, "target-not-found"),
        (None, {"org_unit": "NOWHERE"}, 404, "org-unit-not-found"),
        # The province's new enterprises are a total: judged at the province only.
        (None, {"org_unit": "HT-HSO"}, 422, "target-not-covered"),
        (None, {"colour": "red"}, 400, "unknown-query-parameter"),
    ],
)
async def test_charts_of_what_does_not_exist_or_does_not_apply_are_problems(
    client: httpx.AsyncClient,
    auth: AuthHeaders,
    target: int | None,
    params: dict[str, str],
    status: int,
    slug: str,
) -> None:
    chosen = target or await target_id(client, auth, "ECO_NEW_ENTERPRISES", "annual")
    response = await client.get(f"/v1/targets/{chosen}/chart.svg", params=params, headers=auth("viewer"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:thidua:problem:{slug}"


async def test_a_district_gets_the_chart_of_a_province_rate_on_its_own_values(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await post(
        client,
        auth,
        [("ENV_FOREST_COVER", "2022", "HT-HSO", "68"), ("ENV_FOREST_COVER", "2023", "HT-HSO", "70")],
    )
    forest = await target_id(client, auth, "ENV_FOREST_COVER", "end_of_period")
    root = await chart(client, auth, forest, org_unit="HT-HSO", at="2024-01-01")
    assert root.get("id") == f"chart-target-{forest}-HT-HSO"
    assert points(root, "observed") == [("2022", "68,0"), ("2023", "70,0")]
    # Achieved already (over 52 %): the projection still shows where the line leads, 74 in 2025.
    assert points(root, "projection")[-1] == ("2025", "74,0")


async def test_the_public_chart_is_the_signed_in_chart_without_a_token(
    client: httpx.AsyncClient, auth: AuthHeaders, income: int
) -> None:
    public = await client.get(f"/v1/public/targets/{income}/chart.svg", params={"at": "2024-01-01"})
    assert public.status_code == 200, public.text
    assert public.headers["content-type"].startswith("image/svg+xml")
    assert public.headers["cache-control"] == "public, max-age=60"
    signed_in = await client.get(
        f"/v1/targets/{income}/chart.svg", params={"at": "2024-01-01"}, headers=auth("viewer")
    )
    assert public.content == signed_in.content
    assert signed_in.headers["cache-control"] == "private, no-cache"
    assert (await client.get(f"/v1/targets/{income}/chart.svg")).status_code == 401
    missing = await client.get("/v1/public/targets/999999/chart.svg")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
