"""2021-2026, day by day, against the schedules published for civil servants (cán bộ, công chức, viên chức).

Each year lists the days off from Monday to Friday and the Saturdays and Sundays worked in exchange, with the
notices they come from: the Government Office's letters conveying the Prime Minister's (or a Deputy Prime
Minister's) decision and the ministry's notice that announced them (Bộ LĐTBXH until 2025, Bộ Nội vụ since),
and for the days that follow from the law alone, the Labour Code 2019 (Bộ luật Lao động 45/2019/QH14,
Điều 112: the holidays; Điều 111 khoản 3: a holiday falling on the weekly rest day is taken on the next
working day). The expected days were written from those notices, not from the library or the code.

The calendar under test is the one the service runs: the holiday library with the seeded exceptions. A day
that could not be verified is left out of the comparison and listed in docs/nominations.md as *cần đối
chiếu* (``UNVERIFIED``), never guessed either way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
import lunar_vn
import pytest

from nominations.calendar.lunar import tet_day_label
from nominations.calendar.seed import seeded_days
from nominations.calendar.working_days import WorkingCalendar

D = dt.date
LABOUR_CODE = "Bộ luật Lao động 2019, Điều 112 và Điều 111 khoản 3 (nghỉ bù)"


@dataclass(frozen=True)
class Year:
    days_off: frozenset[dt.date]  # Monday to Friday
    worked: frozenset[dt.date]  # Saturday or Sunday
    sources: tuple[str, ...]


def days(year: int, *groups: str) -> frozenset[dt.date]:
    """The days of ``year`` written as "MM-DD MM-DD …", one group for each holiday."""
    return frozenset(
        D.fromisoformat(f"{year}-{month_day}") for group in groups for month_day in group.split()
    )


YEARS = {
    2021: Year(
        days_off=days(
            2021,
            "01-01",  # Tết Dương lịch (Friday)
            "02-10 02-11 02-12 02-15 02-16",  # Tết Tân Sửu: 10/2-16/2 (29 Chạp-mùng 5)
            "04-21",  # Giỗ Tổ Hùng Vương (Wednesday)
            "04-30 05-03",  # 30/4 (Friday); 1/5 is a Saturday: taken on Monday 3/5
            "09-02 09-03",  # Quốc khánh: 2/9-5/9
        ),
        worked=frozenset(),
        sources=(
            "Công văn 9895/VPCP-KGVX ngày 26/11/2020 (Tết 10/02-16/02/2021, Quốc khánh 02/09-05/09/2021)",
            "Thông báo 4875/TB-LĐTBXH của Bộ LĐTBXH (the same days, announced)",
            LABOUR_CODE,
        ),
    ),
    2022: Year(
        days_off=days(
            2022,
            "01-03",  # 1/1 is a Saturday
            "01-31 02-01 02-02 02-03 02-04",  # Tết Nhâm Dần: 31/1-4/2 (29 Chạp-mùng 4)
            "04-11",  # Giỗ Tổ on Sunday 10/4
            "05-02 05-03",  # 30/4 and 1/5 on the weekend
            "09-01 09-02",  # Quốc khánh: 1/9-2/9
        ),
        worked=frozenset(),
        sources=(
            "Công văn 245/VPCP-KGVX ngày 11/01/2022 (Tết 31/01-04/02/2022, Quốc khánh 01/09-02/09/2022)",
            LABOUR_CODE,
        ),
    ),
    2023: Year(
        days_off=days(
            2023,
            "01-02",  # 1/1 is a Sunday
            "01-20 01-23 01-24 01-25 01-26",  # Tết Quý Mão: 20/1-26/1 (29 Chạp-mùng 5)
            "05-01 05-02 05-03",  # Giỗ Tổ on Saturday 29/4, 30/4 on Sunday: 29/4-3/5
            "09-01 09-04",  # Quốc khánh: 1/9-4/9 (2/9 is a Saturday)
        ),
        worked=frozenset(),
        sources=(
            "Công văn 8056/VPCP-KGVX ngày 01/12/2022 (Tết 20/01-26/01/2023, Quốc khánh 01/09-04/09/2023)",
            LABOUR_CODE + " (Giỗ Tổ, 30/4 and 1/5: 29/4-3/5, no swap)",
        ),
    ),
    2024: Year(
        days_off=days(
            2024,
            "01-01",  # Tết Dương lịch (Monday)
            "02-08 02-09 02-12 02-13 02-14",  # Tết Giáp Thìn: 8/2-14/2 (29 Chạp-mùng 5)
            "04-18",  # Giỗ Tổ (Thursday)
            "04-29 04-30 05-01",  # 27/4-1/5, Monday 29/4 swapped with Saturday 4/5
            "09-02 09-03",  # Quốc khánh: 31/8-3/9
        ),
        worked=days(2024, "05-04"),
        sources=(
            "Văn bản 8662/VPCP-KGVX ngày 03/11/2023 (Tết 08/02-14/02/2024, Quốc khánh 31/08-03/09/2024)",
            "Công văn 2450/VPCP-KGVX ngày 12/04/2024 (29/04 off, Saturday 04/05/2024 worked)",
            LABOUR_CODE,
        ),
    ),
    2025: Year(
        days_off=days(
            2025,
            "01-01",  # Tết Dương lịch (Wednesday)
            "01-27 01-28 01-29 01-30 01-31",  # Tết Ất Tỵ: 25/1-2/2 (26 Chạp-mùng 5)
            "04-07",  # Giỗ Tổ (Monday)
            "04-30 05-01 05-02",  # 30/4-4/5, Friday 2/5 swapped with Saturday 26/4
            "09-01 09-02",  # Quốc khánh: 30/8-2/9
        ),
        worked=days(2025, "04-26"),
        sources=(
            "Văn bản 8726/VPCP-KGVX ngày 26/11/2024 (Tết 25/01-02/02/2025; 30/04-04/05/2025, 02/05 swapped "
            "with Saturday 26/04), announced by Thông báo 6150/TB-BLĐTBXH",
            "Bộ Nội vụ's announcement of the Quốc khánh holiday, 30/08-02/09/2025 (August 2025)",
            LABOUR_CODE,
        ),
    ),
    2026: Year(
        days_off=days(
            2026,
            "01-01 01-02",  # 1/1-4/1, Friday 2/1 swapped with Saturday 10/1 (seeded)
            "02-16 02-17 02-18 02-19 02-20",  # Tết Bính Ngọ: 14/2-22/2 (27 Chạp-mùng 6)
            "04-27",  # Giỗ Tổ on Sunday 26/4
            "04-30 05-01",  # Thursday and Friday: 30/4-3/5, no swap
            "08-31 09-01 09-02",  # Quốc khánh: 29/8-2/9, Monday 31/8 swapped with Saturday 22/8
        ),
        worked=days(2026, "01-10", "08-22"),
        sources=(
            "Văn bản 12729/VPCP-KGVX ngày 25/12/2025 (Tết Dương lịch 01/01-04/01/2026; 02/01 swapped with "
            "Saturday 10/01)",
            "Thông báo số 9441 ngày 16/10/2025 của Bộ Nội vụ, after the Government Office's letter conveying "
            "the Prime Minister's approval (Tết 14/02-22/02/2026; Quốc khánh 29/08-02/09/2026, 31/08 swapped "
            "with Saturday 22/08)",
            LABOUR_CODE + " (Giỗ Tổ and 30/4-1/5; Cục Việc làm, Bộ Nội vụ: no swap, March 2026)",
        ),
    ),
}

# Days the library gives off (or worked) that no notice found confirms or refutes: left to the library and
# listed as "cần đối chiếu" in docs/nominations.md.
UNVERIFIED = {
    # Ngày Văn hóa Việt Nam (Tuesday): chosen by Nghị quyết 80-NQ/TW as a paid day off, to be written into
    # Điều 112 of the Labour Code (Nghị quyết 30/NQ-CP, 02/2026); no amendment in force for 2026 was found.
    D(2026, 11, 24),
}


def the_services_calendar() -> WorkingCalendar:
    seeded = seeded_days()
    return WorkingCalendar(
        extra_days_off=[(day.day, day.reason) for day in seeded if day.kind == "day_off"],
        extra_working_days=[day.day for day in seeded if day.kind == "working_day"],
    )


def every_day(year: int) -> list[dt.date]:
    first = D(year, 1, 1)
    return [first + dt.timedelta(days=n) for n in range((D(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", sorted(YEARS))
def test_each_years_days_off_and_weekends_worked_are_those_of_its_notices(year: int) -> None:
    calendar = the_services_calendar()
    expected = YEARS[year]
    assert expected.sources
    weekdays_off = {d for d in every_day(year) if d.weekday() < 5 and not calendar.is_working_day(d)}
    weekends_worked = {d for d in every_day(year) if d.weekday() >= 5 and calendar.is_working_day(d)}
    assert weekdays_off - UNVERIFIED == expected.days_off
    assert weekends_worked - UNVERIFIED == expected.worked
    assert all(day.weekday() < 5 for day in expected.days_off)
    assert all(day.weekday() >= 5 for day in expected.worked)


def test_the_seed_holds_exactly_the_days_the_library_gets_wrong() -> None:
    """A seeded day the library has learnt since would be noise: the test says which line can go."""
    library, service = WorkingCalendar(), the_services_calendar()
    differ = {
        day
        for year in YEARS
        for day in every_day(year)
        if library.is_working_day(day) != service.is_working_day(day)
    }
    assert differ == {day.day for day in seeded_days()} == {D(2026, 1, 2), D(2026, 1, 10)}
    assert all(day.source for day in seeded_days())


# Every day of each year's Tết break, as the calendar names it: the holidays by their lunar date, the
# weekends around them as weekends (the Saturday or Sunday that is itself one of Tết's days is named for it).
TET_LABELS = {
    2021: {
        "02-10": "Tết Nguyên đán (29 tháng Chạp)",
        "02-11": "Tết Nguyên đán (30 tháng Chạp)",
        "02-12": "Mùng 1 Tết",
        "02-13": "Mùng 2 Tết",
        "02-14": "Mùng 3 Tết",
        "02-15": "Mùng 4 Tết",
        "02-16": "Mùng 5 Tết",
    },
    2022: {
        "01-29": "Thứ Bảy",
        "01-30": "Chủ nhật",
        "01-31": "Tết Nguyên đán (29 tháng Chạp)",
        "02-01": "Mùng 1 Tết",
        "02-02": "Mùng 2 Tết",
        "02-03": "Mùng 3 Tết",
        "02-04": "Mùng 4 Tết",
        "02-05": "Thứ Bảy",
        "02-06": "Chủ nhật",
    },
    2023: {
        "01-20": "Tết Nguyên đán (29 tháng Chạp)",
        "01-21": "Tết Nguyên đán (30 tháng Chạp)",
        "01-22": "Mùng 1 Tết",
        "01-23": "Mùng 2 Tết",
        "01-24": "Mùng 3 Tết",
        "01-25": "Mùng 4 Tết",
        "01-26": "Mùng 5 Tết",
    },
    2024: {
        "02-08": "Tết Nguyên đán (29 tháng Chạp)",
        "02-09": "Tết Nguyên đán (30 tháng Chạp)",
        "02-10": "Mùng 1 Tết",
        "02-11": "Mùng 2 Tết",
        "02-12": "Mùng 3 Tết",
        "02-13": "Mùng 4 Tết",
        "02-14": "Mùng 5 Tết",
    },
    2025: {
        "01-25": "Thứ Bảy",
        "01-26": "Chủ nhật",
        "01-27": "Tết Nguyên đán (28 tháng Chạp)",  # the library calls it "29 Tết"
        "01-28": "Tết Nguyên đán (29 tháng Chạp)",  # the last day of Giáp Thìn: tháng Chạp had 29 days
        "01-29": "Mùng 1 Tết",
        "01-30": "Mùng 2 Tết",
        "01-31": "Mùng 3 Tết",
        "02-01": "Mùng 4 Tết",
        "02-02": "Chủ nhật",
    },
    2026: {
        "02-14": "Thứ Bảy",
        "02-15": "Chủ nhật",
        "02-16": "Tết Nguyên đán (29 tháng Chạp)",  # the last day of Ất Tỵ
        "02-17": "Mùng 1 Tết",
        "02-18": "Mùng 2 Tết",
        "02-19": "Mùng 3 Tết",
        "02-20": "Mùng 4 Tết",
        "02-21": "Thứ Bảy",
        "02-22": "Chủ nhật",
    },
}


@pytest.mark.parametrize("year", sorted(TET_LABELS))
def test_tets_days_are_named_by_their_lunar_date(year: int) -> None:
    calendar = the_services_calendar()
    named = {day: calendar.day_off_reason(D.fromisoformat(f"{year}-{day}")) for day in TET_LABELS[year]}
    assert named == TET_LABELS[year]


def test_the_other_holidays_keep_their_names() -> None:
    calendar = the_services_calendar()
    assert calendar.day_off_reason(D(2025, 1, 1)) == "Tết Dương lịch"
    assert calendar.day_off_reason(D(2025, 4, 7)) == "Ngày Giỗ Tổ Hùng Vương"
    assert calendar.day_off_reason(D(2025, 4, 30)) == "Ngày Chiến thắng"
    assert calendar.day_off_reason(D(2025, 9, 2)) == "Quốc khánh"
    assert calendar.day_off_reason(D(2022, 1, 3)) == "Tết Dương lịch (nghỉ bù)"
    assert (
        calendar.day_off_reason(D(2026, 1, 2)) == "Tết Dương lịch (nghỉ hoán đổi, làm bù thứ Bảy 10/01/2026)"
    )


def test_the_lunar_calendar_agrees_with_the_holiday_librarys_on_every_tet_and_gio_to() -> None:
    """Two independent sources of Vietnam's lunar calendar (UTC+7): the converter naming the days and the
    holiday library's own table deciding which days are off."""
    national = holidays.country_holidays("VN", language="vi", years=range(1901, 2100))
    new_years = [day for day, name in national.items() if name == "Tết Nguyên Đán"]
    gio_to = [day for day, name in national.items() if name == "Ngày Giỗ Tổ Hùng Vương"]
    assert len(new_years) == 2099 - 1901 + 1
    assert all(tet_day_label(day) == "Mùng 1 Tết" for day in new_years)
    assert len(gio_to) == 2099 - 2007 + 1  # a holiday since 2007
    assert all(lunar_vn.solar_to_lunar(day) == lunar_vn.LunarDate(10, 3, day.year) for day in gio_to)


def test_days_outside_tet_or_the_converters_years_have_no_tet_name() -> None:
    assert tet_day_label(D(2025, 6, 2)) is None
    assert tet_day_label(D(2025, 1, 18)) is None  # 19 tháng Chạp: too early for any Tết break
    assert tet_day_label(D(2025, 2, 8)) is None  # mùng 11
    assert tet_day_label(D(2150, 2, 1)) is None
