"""Excel workbooks in the layout of a provincial report: title lines, a heading row in Vietnamese, a table.

Written with XlsxWriter in ``constant_memory`` mode: each row goes to a temporary file as soon as the next
row starts, so a workbook of a hundred thousand rows costs a few megabytes of memory, not hundreds. The one
rule that mode sets is that rows are written in order, sheet by sheet (several sheets may be filled in turn).
A workbook is complete only when closed (its zip directory comes last), so :func:`build_workbook` writes it to
a temporary file that the caller then streams (:func:`shared.downloads.file_chunks`).

>>> def fill(book: Workbook) -> None:
...     sheet = book.sheet("Kinh tế", [Column("Chỉ tiêu", 40), Column("Giá trị", 14, number_format(1))],
...                        titles=["BÁO CÁO TIẾN ĐỘ", "Tính đến ngày 31/12/2024"])
...     sheet.row(["Thu nhập bình quân đầu người", 56.6])
>>> file = build_workbook(fill, created=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CellValue = str | int | float | dt.date | None

# Excel's limits on a sheet name: 31 characters, none of []:*?/\ .
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADING_STYLE: Final = {
    "bold": True,
    "text_wrap": True,
    "valign": "vcenter",
    "align": "center",
    "border": 1,
    "bg_color": "#DDEBF7",
}


def number_format(decimals: int, *, suffix: str = "") -> str:
    """An Excel number format with thousands separators and ``decimals`` places, e.g. ``#,##0.0``.

    Excel shows the separators of the reader's locale (1.234,5 in Vietnamese). ``suffix`` is shown after the
    number as text, e.g. ``"%"`` for figures that are already percents (91.5 shown as 91,5%, not 9150%).
    """
    places = "." + "0" * decimals if decimals > 0 else ""
    quoted = '"' + suffix.replace('"', "") + '"' if suffix else ""
    return f"#,##0{places}{quoted}"


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the table: its heading (Vietnamese), its width in characters, its cells' format."""

    heading: str
    width: float
    number_format: str | None = None


class Sheet:
    """One worksheet: title lines merged across the table, the heading row, then rows in order.

    The heading row is frozen (with ``frozen_columns`` columns on the left) and carries an autofilter.
    """

    def __init__(
        self,
        book: Workbook,
        worksheet: Worksheet,
        columns: Sequence[Column],
        titles: Sequence[str],
        frozen_columns: int,
    ) -> None:
        self._book = book
        self._sheet = worksheet
        self._columns = list(columns)
        last = len(columns) - 1
        for index, column in enumerate(columns):
            worksheet.set_column(index, index, column.width, book.format(column.number_format))
        for row, text in enumerate(titles):
            style = book.style("title" if row == 0 else "subtitle")
            if last > 0:
                worksheet.merge_range(row, 0, row, last, text, style)
            else:
                worksheet.write_string(row, 0, text, style)
        self.heading_row = len(titles) + 1 if titles else 0
        heading = book.style("heading")
        worksheet.set_row(self.heading_row, 32)
        for index, column in enumerate(columns):
            worksheet.write_string(self.heading_row, index, column.heading, heading)
        worksheet.freeze_panes(self.heading_row + 1, frozen_columns)
        self._next = self.heading_row + 1

    def row(self, values: Sequence[CellValue], formats: Sequence[str | None] | None = None) -> None:
        """Append a row; ``formats`` overrides the columns' number formats cell by cell (``None``: keep)."""
        for index, value in enumerate(values):
            if value is None:
                continue  # an empty cell shows nothing whatever its format: not written at all
            chosen = formats[index] if formats is not None and index < len(formats) else None
            style = self._book.format(chosen or self._columns[index].number_format)
            if isinstance(value, str):
                self._sheet.write_string(self._next, index, value, style)
            elif isinstance(value, dt.date):
                self._sheet.write_datetime(self._next, index, value, self._book.format("dd/mm/yyyy"))
            else:
                self._sheet.write_number(self._next, index, value, style)
        self._next += 1

    def finish(self) -> None:
        """The autofilter over the heading and the rows written (call once the rows are in)."""
        self._sheet.autofilter(
            self.heading_row, 0, max(self._next - 1, self.heading_row), len(self._columns) - 1
        )


class Workbook:
    """A workbook being written; use :func:`build_workbook`, which closes it."""

    def __init__(self, file: IO[bytes], *, created: dt.datetime, title: str | None = None) -> None:
        self._book = xlsxwriter.Workbook(file, {"constant_memory": True, "strings_to_numbers": False})
        # XlsxWriter stamps the file with the wall clock; the platform's clock says what "now" is.
        properties: dict[str, Any] = {"created": created.astimezone(dt.UTC).replace(tzinfo=None)}
        if title:
            properties["title"] = title
        self._book.set_properties(properties)
        self._formats: dict[str | None, Format] = {}
        self._styles = {
            "title": self._book.add_format({"bold": True, "font_size": 14, "align": "center"}),
            "subtitle": self._book.add_format({"italic": True, "align": "center"}),
            "heading": self._book.add_format(_HEADING_STYLE),
        }
        self._sheets: list[Sheet] = []
        self._names: set[str] = set()

    def style(self, name: str) -> Format:
        return self._styles[name]

    def format(self, number_format: str | None) -> Format:
        """One cell format per number format, shared by every cell that uses it."""
        found = self._formats.get(number_format)
        if found is None:
            found = self._book.add_format({"num_format": number_format} if number_format else {})
            self._formats[number_format] = found
        return found

    def sheet(
        self, name: str, columns: Sequence[Column], *, titles: Sequence[str] = (), frozen_columns: int = 0
    ) -> Sheet:
        """A new sheet named ``name`` (cut to Excel's 31 characters, made unique)."""
        base = _SHEET_NAME_FORBIDDEN.sub("-", name).strip("'")[:31] or "Sheet"
        unique, counter = base, 2
        while unique.casefold() in self._names:
            suffix = f" ({counter})"
            unique, counter = base[: 31 - len(suffix)] + suffix, counter + 1
        self._names.add(unique.casefold())
        sheet = Sheet(self, self._book.add_worksheet(unique), columns, titles, frozen_columns)
        self._sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self._sheets:
            sheet.finish()
        self._book.close()


def build_workbook(
    fill: Callable[[Workbook], None], *, created: dt.datetime, title: str | None = None
) -> IO[bytes]:
    """The workbook ``fill`` writes, complete, in a temporary file positioned at its start.

    The file lives on disk (deleted when closed), not in memory; stream it with
    :func:`shared.downloads.file_chunks`, which closes it.
    """
    file = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    try:
        book = Workbook(file, created=created, title=title)
        fill(book)
        book.close()
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file
