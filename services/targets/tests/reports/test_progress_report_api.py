"""The progress report of a plan for a unit and the units below it, as JSON, CSV and Excel (read back)."""

import csv
import io
from typing import Any
from urllib.parse import quote

import httpx
import openpyxl
import pytest
from fastapi import FastAPI

from devstack.testing.plugin import AuthHeaders
from targets.deps import get_settings

AREAS = ["Kinh tế", "Văn hóa - Xã hội", "Môi trường", "Quốc phòng - An ninh"]
HEADINGS = [
    "STT",
    "Mã đơn vị",
    "Đơn vị",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Kỳ báo cáo",
    "Loại mục tiêu",
    "So sánh",
    "Mục tiêu",
    "Kỳ số liệu mới nhất",
    "Giá trị mới nhất",
    "Nguồn số liệu",
    "Giá trị đánh giá",
    "% so với mục tiêu",
    "Dự báo cuối kỳ",
    "Kỳ dự báo",
    "Đánh giá",
    "Ghi chú",
    "Nội dung mục tiêu theo kế hoạch",
]
HEADING_ROW = 6  # four title lines, a blank line, then the headings (1-based, as openpyxl counts)
QUESTION = {"plan": "HT-2021-2025", "org_unit": "HT-HSO", "at": "2024-01-01"}


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


async def report(client: httpx.AsyncClient, auth: AuthHeaders, **params: str) -> httpx.Response:
    response = await client.get("/v1/progress/report", params=QUESTION | params, headers=auth("viewer"))
    assert response.status_code == 200, response.text
    return response


@pytest.fixture
async def values(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    await post(
        client,
        auth,
        [
            ("ENV_FOREST_COVER", "2022", "HT-HSO", "68.25"),
            ("ENV_FOREST_COVER", "2023", "HT-HSO", "70"),
            ("SOC_HEALTH_INSURANCE", "2023", "HT-HSO", "91.2"),
            ("ECO_INCOME_PC", "2023", "HT-HSO", "48.5"),
            ("ECO_INCOME_PC_NORTH_CENTRAL", "2023", "HT", "57"),
        ],
    )


async def test_the_json_report_has_each_unit_as_its_own_progress_says(
    client: httpx.AsyncClient, auth: AuthHeaders, values: None
) -> None:
    body = (await report(client, auth)).json()
    assert (body["plan"], body["org_unit"], body["at"]) == ("HT-2021-2025", "HT-HSO", "2024-01-01")
    assert body["plan_name"].startswith("Kế hoạch tổ chức phong trào thi đua")
    units = body["units"]
    assert units[0]["org_unit"] == "HT-HSO"
    assert units[0]["parent"] == "HT"
    # Hương Sơn's communes of 2021-2023 follow it, each under it.
    assert len(units) > 10
    assert {unit["parent"] for unit in units[1:]} == {"HT-HSO"}
    assert body["rows"] == sum(len(unit["items"]) for unit in units)
    for unit in (units[0], units[1]):
        alone = await client.get(
            "/v1/progress", params={**QUESTION, "org_unit": unit["org_unit"]}, headers=auth("viewer")
        )
        assert unit["items"] == alone.json()["items"]
        assert unit["summary"] == alone.json()["summary"]
    forest = next(item for item in units[0]["items"] if item["indicator"]["code"] == "ENV_FOREST_COVER")
    assert (forest["latest_value"], forest["status"], forest["inherited_from"]) == (70.0, "achieved", "HT")


async def test_the_csv_report_has_the_rows_of_the_json_one(
    client: httpx.AsyncClient, auth: AuthHeaders, values: None
) -> None:
    response = await report(client, auth, format="csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only after a byte-order mark
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = (await report(client, auth)).json()
    expected = [(unit["org_unit"], item) for unit in body["units"] for item in unit["items"]]
    assert len(rows) == len(expected) == body["rows"]
    for row, (unit, item) in zip(rows, expected, strict=True):
        assert (row["org_unit"], int(row["target_id"]), row["status"]) == (
            unit,
            item["target_id"],
            item["status"],
        )
        assert row["latest_value"] == ("" if item["latest_value"] is None else str(item["latest_value"]))
        assert row["projection"] == (
            "" if item["projection"]["value"] is None else str(item["projection"]["value"])
        )
    insurance = next(
        r for r in rows if r["org_unit"] == "HT-HSO" and r["indicator"] == "SOC_HEALTH_INSURANCE"
    )
    assert (insurance["area"], insurance["latest_period"], insurance["latest_value"]) == (
        "culture_society",
        "2023",
        "91.2",
    )
    assert insurance["indicator_name"] == "Tỷ lệ bao phủ bảo hiểm y tế"


def _workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


async def test_the_workbook_has_a_sheet_per_area_in_the_layout_of_a_provincial_report(
    client: httpx.AsyncClient, auth: AuthHeaders, values: None
) -> None:
    response = await report(client, auth, format="xlsx")
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = "Tiến độ HT-2021-2025 - Huyện Hương Sơn - 2024-01-01.xlsx"
    assert response.headers["content-disposition"] == (
        'attachment; filename="Tien do HT-2021-2025 - Huyen Huong Son - 2024-01-01.xlsx";'
        f" filename*=UTF-8''{quote(name, safe='')}"
    )
    book = _workbook(response.content)
    assert book.sheetnames == AREAS
    body = (await report(client, auth)).json()
    total = 0
    for sheet in book.worksheets:
        assert sheet["A1"].value.startswith("BÁO CÁO TIẾN ĐỘ THỰC HIỆN CÁC CHỈ TIÊU KẾ HOẠCH HT-2021-2025")
        assert sheet["A1"].value.endswith(f"LĨNH VỰC {sheet.title.upper()}")
        assert sheet["A2"].value == body["plan_name"]
        assert sheet["A3"].value == "Đơn vị: Huyện Hương Sơn (HT-HSO) và các đơn vị trực thuộc"
        assert sheet["A4"].value == "Số liệu tính đến ngày 01/01/2024"
        assert [cell.value for cell in sheet[HEADING_ROW]] == HEADINGS
        assert sheet.freeze_panes == "D7"  # the headings and STT, code and name of the unit stay in view
        assert sheet.auto_filter.ref.startswith("A6:")
        assert sheet.column_dimensions["D"].width == pytest.approx(48, abs=1)
        numbers = [row[0].value for row in sheet.iter_rows(min_row=HEADING_ROW + 1)]
        assert numbers == list(range(1, len(numbers) + 1))
        total += len(numbers)
    assert total == body["rows"]

    environment = book["Môi trường"]
    forest_row = next(
        row
        for row in environment.iter_rows(min_row=HEADING_ROW + 1)
        if row[1].value == "HT-HSO" and row[3].value == "Tỷ lệ che phủ rừng"
    )
    cells = dict(zip(HEADINGS, forest_row, strict=True))
    forest = next(
        item for item in body["units"][0]["items"] if item["indicator"]["code"] == "ENV_FOREST_COVER"
    )
    assert cells["Giá trị mới nhất"].value == forest["latest_value"] == 70.0
    assert cells["Giá trị mới nhất"].number_format == '#,##0.0"%"'  # one decimal, a percent figure
    assert (cells["So sánh"].value, cells["Mục tiêu"].value) == (">", 52.0)
    assert cells["% so với mục tiêu"].value == forest["percent"]
    assert cells["% so với mục tiêu"].number_format == '#,##0.0"%"'
    assert cells["Dự báo cuối kỳ"].value == forest["projection"]["value"]
    assert (cells["Kỳ số liệu mới nhất"].value, cells["Kỳ dự báo"].value) == ("2023", "2025")
    assert (cells["Đánh giá"].value, cells["Nguồn số liệu"].value) == ("Đã đạt", "Báo cáo")
    assert cells["Ghi chú"].value.startswith("Mục tiêu của HT")

    economy = book["Kinh tế"]
    income = next(
        row
        for row in economy.iter_rows(min_row=HEADING_ROW + 1)
        if row[1].value == "HT-HSO"
        and row[6].value == "Đến cuối kỳ kế hoạch"
        and row[3].value.startswith("Thu")
    )
    assert (income[10].value, income[10].number_format) == (48.5, "#,##0.0")  # triệu đồng, one decimal


async def test_a_report_can_be_revalidated_and_changes_with_the_data(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    first = await report(client, auth, format="xlsx")
    again = await client.get(
        "/v1/progress/report",
        params=QUESTION | {"format": "xlsx"},
        headers=auth("viewer") | {"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    other_format = await report(client, auth, format="csv")
    assert other_format.headers["etag"] != first.headers["etag"]
    await post(client, auth, [("ENV_FOREST_COVER", "2023", "HT-HSO", "71")])
    changed = await report(client, auth, format="xlsx")
    assert changed.headers["etag"] != first.headers["etag"]


@pytest.mark.parametrize(
    ("params", "status", "slug"),
    [
        ({"format": "pdf"}, 422, "validation-error"),
        ({"plan": "NO-SUCH-PLAN"}, 404, "plan-not-found"),
        ({"org_unit": "NOWHERE"}, 404, "org-unit-not-found"),
        ({"period": "2024Q3"}, 400, "unknown-query-parameter"),
    ],
)
async def test_bad_questions_are_problems(
    client: httpx.AsyncClient, auth: AuthHeaders, params: dict[str, str], status: int, slug: str
) -> None:
    response = await client.get("/v1/progress/report", params=QUESTION | params, headers=auth("viewer"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:thidua:problem:{slug}"


async def test_a_report_over_the_row_bound_is_refused_before_anything_is_built(
    client: httpx.AsyncClient, auth: AuthHeaders, running_app: FastAPI
) -> None:
    bounded = running_app.state.settings.model_copy(update={"report_max_rows": 300})
    running_app.dependency_overrides[get_settings] = lambda: bounded
    try:
        await _over_the_bound(client, auth)
    finally:
        running_app.dependency_overrides.pop(get_settings)


async def _over_the_bound(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    # The province with every unit below it during 2021-2023: over 230 units × the targets each sees.
    response = await client.get(
        "/v1/progress/report",
        params={"plan": "HT-2021-2025", "org_unit": "HT", "at": "2024-01-01", "format": "xlsx"},
        headers=auth("viewer"),
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:thidua:problem:report-too-large"
    assert problem["max_rows"] == 300
    assert problem["rows"] > 300
    assert "content-disposition" not in response.headers
    # Vũ Quang and its ten communes (25 rows each) fit.
    small = await client.get(
        "/v1/progress/report",
        params={"plan": "HT-2021-2025", "org_unit": "HT-VQU", "at": "2024-01-01"},
        headers=auth("viewer"),
    )
    assert small.status_code == 200, small.text


async def test_the_report_needs_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/progress/report")).status_code == 401
