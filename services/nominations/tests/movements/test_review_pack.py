"""The review pack of a movement: the 2023 mid-term pack from the seed plus that year's data, as a workbook
read back with openpyxl and as a printable HTML page."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import httpx
import openpyxl

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth

URL = "/v1/movements/PT-DOANH-NGHIEP/review-pack"
MODEL = "Mô hình <Doanh nghiệp đỡ đầu> xã Thạch Văn"


class Tables(HTMLParser):
    """The page's tables by id, as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or "?"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None


async def that_years_data(client: httpx.AsyncClient, auth: Auth) -> None:
    secretariat = auth("secretariat")
    registered = await client.post(
        "/v1/movements/PT-DOANH-NGHIEP/registrations",
        json={
            "org_unit": "HT-THA",
            "commitments": "Thành lập 60 doanh nghiệp",
            "registered_on": "2023-01-10",
        },
        headers=secretariat,
    )
    assert registered.status_code == 201, registered.text
    reported = await client.post(
        "/v1/movements/PT-DOANH-NGHIEP/reports",
        json={"org_unit": "HT-THA", "year": 2023, "summary": "Thành lập mới 72 doanh nghiệp trong 5 tháng"},
        headers=secretariat,
    )
    assert reported.status_code == 201, reported.text
    exemplar = await client.post(
        "/v1/exemplars",
        json={
            "kind": "model",
            "name": MODEL,
            "description": "Doanh nghiệp nhận đỡ đầu xã xây dựng nông thôn mới",
            "org_unit": "HT-THA",
            "movement": "PT-DOANH-NGHIEP",
            "detected_on": "2023-02-15",
        },
        headers=secretariat,
    )
    assert exemplar.status_code == 201, exemplar.text
    later = await client.post(
        "/v1/exemplars",
        json={"kind": "model", "name": "Phát hiện sau sơ kết", "description": "x", "org_unit": "HT-THA",
              "movement": "PT-DOANH-NGHIEP", "detected_on": "2024-02-15"},
        headers=secretariat,
    )  # fmt: skip
    assert later.status_code == 201, later.text


async def test_the_2023_mid_term_workbook(client: httpx.AsyncClient, auth: Auth) -> None:
    await that_years_data(client, auth)
    response = await client.get(URL, params={"milestone": "mid_term"}, headers=auth("secretariat"))
    assert response.status_code == 200, response.text
    assert (
        response.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["content-disposition"]
    assert "filename*=UTF-8''S%C6%A1%20k%E1%BA%BFt" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=False)
    assert book.sheetnames == [
        "Tổng quan",
        "Chỉ tiêu",
        "Điển hình tiên tiến",
        "Khen thưởng",
        "Báo cáo của đơn vị",
    ]
    overview = book["Tổng quan"]
    assert overview["A1"].value == "Sơ kết phong trào “Doanh nghiệp Hà Tĩnh hội nhập và phát triển”"
    assert "11/06/2023" in overview["A2"].value
    facts = {row[0]: row[1] for row in overview.iter_rows(min_row=5, values_only=True)}
    assert facts["Số đơn vị đăng ký"] == "1"
    assert facts["Số chỉ tiêu gắn với phong trào"] == "5"
    targets = book["Chỉ tiêu"]
    assert targets.freeze_panes == "B5"
    assert [cell.value for cell in targets[4]][:3] == ["Chỉ tiêu", "Đơn vị", "Mục tiêu"]
    rows = list(targets.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 5
    assert {row[7] for row in rows} == {"Chưa có số liệu"}
    assert any("doanh nghiệp" in row[0].lower() for row in rows)
    exemplars = list(book["Điển hình tiên tiến"].iter_rows(min_row=5, values_only=True))
    assert [(row[0], row[2]) for row in exemplars] == [
        (MODEL, "Phát hiện")
    ]  # the 2024 one is after the review
    reports = list(book["Báo cáo của đơn vị"].iter_rows(min_row=5, values_only=True))
    assert reports == [("HT-THA", 2023, "Thành lập mới 72 doanh nghiệp trong 5 tháng")]
    assert list(book["Khen thưởng"].iter_rows(min_row=5, values_only=True)) == []


async def test_the_printable_page(client: httpx.AsyncClient, auth: Auth) -> None:
    await that_years_data(client, auth)
    response = await client.get(
        URL, params={"milestone": "mid_term", "format": "html"}, headers=auth("secretariat")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "inline" in response.headers["content-disposition"]
    assert "&lt;Doanh nghiệp đỡ đầu&gt;" in response.text  # escaped, never markup
    assert "@page" in response.text
    parser = Tables()
    parser.feed(response.text)
    assert len(parser.tables["targets"]) == 1 + 5
    assert parser.tables["exemplars"][1] == [MODEL, "Huyện Thạch Hà", "Phát hiện", ""]
    assert parser.tables["awards"][1] == ["Chưa có khen thưởng."]


async def test_a_pack_for_a_review_that_is_not_there(client: httpx.AsyncClient, auth: Auth) -> None:
    assert_problem(
        await client.get(URL, params={"milestone": "yearly"}, headers=auth("secretariat")),
        422,
        "validation-error",
    )
    assert_problem(
        await client.get(URL, params={"milestone": "mid_term", "format": "pdf"}, headers=auth("secretariat")),
        422,
        "validation-error",
    )
    other = await client.get(
        "/v1/movements/NOPE/review-pack", params={"milestone": "final"}, headers=auth("secretariat")
    )
    assert_problem(other, 404, "movement-not-found")
    assert_problem(
        await client.get(URL, params={"milestone": "final"}, headers=auth("viewer")), 403, "missing-role"
    )
