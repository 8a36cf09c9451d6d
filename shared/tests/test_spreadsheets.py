"""The workbook helper, read back with openpyxl: titles, headings, frozen panes, widths, number formats."""

import datetime as dt

import openpyxl
import pytest

from shared.spreadsheets import Column, Workbook, build_workbook, number_format


@pytest.mark.parametrize(
    ("decimals", "suffix", "expected"),
    [(0, "", "#,##0"), (1, "", "#,##0.0"), (2, "%", '#,##0.00"%"'), (1, 'a"b', '#,##0.0"ab"')],
)
def test_number_formats(decimals: int, suffix: str, expected: str) -> None:
    assert number_format(decimals, suffix=suffix) == expected


def test_a_workbook_reads_back_as_written() -> None:
    columns = [Column("STT", 6), Column("Chỉ tiêu", 40), Column("Giá trị", 14, number_format(1))]

    def fill(book: Workbook) -> None:
        economy = book.sheet("Kinh tế", columns, titles=["BÁO CÁO", "Tính đến 31/12/2024"], frozen_columns=2)
        society = book.sheet("Văn hóa - Xã hội: [2024]", columns)
        duplicate = book.sheet("kinh tế", columns)
        # Rows go to the sheets in turn (constant-memory mode keeps each sheet's rows in order).
        economy.row([1, "Thu nhập bình quân", 56.64])
        society.row([1, "Bảo hiểm y tế", 91.5], [None, None, number_format(1, suffix="%")])
        economy.row([2, "Ngày", None])
        duplicate.row([1, "x", 1])

    file = build_workbook(fill, created=dt.datetime(2025, 1, 1, 3, tzinfo=dt.UTC), title="Tiến độ")
    book = openpyxl.load_workbook(file)
    file.close()
    assert book.sheetnames == ["Kinh tế", "Văn hóa - Xã hội- -2024-", "kinh tế (2)"]
    assert book.properties.title == "Tiến độ"
    assert book.properties.created == dt.datetime(2025, 1, 1, 3)
    economy = book["Kinh tế"]
    assert (economy["A1"].value, economy["A2"].value) == ("BÁO CÁO", "Tính đến 31/12/2024")
    assert "A1:C1" in {str(merged) for merged in economy.merged_cells.ranges}
    assert [cell.value for cell in economy[4]] == ["STT", "Chỉ tiêu", "Giá trị"]
    assert economy["A4"].font.bold
    assert economy.freeze_panes == "C5"
    assert economy.auto_filter.ref == "A4:C6"
    assert economy.column_dimensions["B"].width == pytest.approx(40, abs=1)
    assert (economy["C5"].value, economy["C5"].number_format) == (56.64, "#,##0.0")
    assert economy["C6"].value is None
    society = book["Văn hóa - Xã hội- -2024-"]
    assert [cell.value for cell in society[1]] == ["STT", "Chỉ tiêu", "Giá trị"]
    assert society.freeze_panes == "A2"
    assert (society["C2"].value, society["C2"].number_format) == (91.5, '#,##0.0"%"')
