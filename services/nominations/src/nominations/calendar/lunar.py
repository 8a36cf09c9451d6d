"""The names of Tết's days, by Vietnam's lunar calendar (âm lịch, whose new moons are reckoned at UTC+7).

The notices that set each year's holidays name Tết's days by their lunar date ("từ ngày 29 tháng Chạp năm
Ất Tỵ đến hết ngày mùng 4 tháng Giêng năm Bính Ngọ"), and so does the calendar: a day before the new year is
"Tết Nguyên đán (28 tháng Chạp)", a day of the new year "Mùng 1 Tết" … "Mùng 10 Tết". The holiday library
counts back from the new year instead, so its "29 Tết" is the 28th when tháng Chạp has 29 days (27/1/2025).

``lunar_vn`` converts the dates (Hồ Ngọc Đức's algorithm at UTC+7, the one Vietnamese calendars print); the
holiday library's own lunar table for Vietnam agrees with it on every Tết from 1901 to 2099 (tested).
"""

from __future__ import annotations

import datetime as dt

import lunar_vn

TWELFTH_MONTH = 12  # tháng Chạp
FIRST_MONTH = 1  # tháng Giêng
# Tết's days off lie between these: its five days start at most three days before the new year, and the
# weekends and substitute days next to them stay within the first week of tháng Giêng.
FIRST_DAY_OF_CHAP = 20
LAST_DAY_OF_GIENG = 10


def tet_day_label(day: dt.date) -> str | None:
    """The name of ``day`` as a day of Tết Nguyên đán, or None when it lies outside Tết (or the converter's
    years, 1900-2100)."""
    first_year, last_year = lunar_vn.SUPPORTED_YEAR_RANGE
    if not first_year <= day.year <= last_year:
        return None
    lunar = lunar_vn.solar_to_lunar(day)
    if lunar.month == FIRST_MONTH and not lunar.leap and lunar.day <= LAST_DAY_OF_GIENG:
        return f"Mùng {lunar.day} Tết"
    if lunar.month == TWELFTH_MONTH and lunar.day >= FIRST_DAY_OF_CHAP:
        month = "tháng Chạp nhuận" if lunar.leap else "tháng Chạp"
        return f"Tết Nguyên đán ({lunar.day} {month})"
    return None
