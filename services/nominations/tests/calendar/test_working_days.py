import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nominations.calendar.working_days import WorkingCalendar

D = dt.date


def test_tet_and_the_swapped_days_of_2025() -> None:
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(D(2025, 1, 29))  # mùng 1 Tết Ất Tỵ
    assert calendar.day_off_reason(D(2025, 1, 29)) == "Mùng 1 Tết"
    assert not calendar.is_working_day(D(2025, 5, 2))  # given off in exchange for …
    assert calendar.is_working_day(D(2025, 4, 26))  # … this Saturday, worked
    assert calendar.day_off_reason(D(2025, 4, 27)) == "Chủ nhật"
    assert calendar.day_off_reason(D(2025, 5, 10)) == "Thứ Bảy"


def test_ten_working_days_of_public_disclosure_across_the_april_holidays() -> None:
    # From Friday 2025-04-25: Saturday 4/26 (worked in exchange), 4/28, 4/29, (4/30-5/4 off), 5/5 … 5/13.
    assert WorkingCalendar().add_working_days(D(2025, 4, 25), 10) == D(2025, 5, 13)


def test_days_the_province_adds() -> None:
    calendar = WorkingCalendar(
        extra_days_off=[(D(2025, 6, 16), "Nghỉ theo quyết định của UBND tỉnh")],
        extra_working_days=[D(2025, 6, 21)],
    )
    assert not calendar.is_working_day(D(2025, 6, 16))
    assert calendar.day_off_reason(D(2025, 6, 16)) == "Nghỉ theo quyết định của UBND tỉnh"
    assert calendar.is_working_day(D(2025, 6, 21))  # a Saturday worked in exchange
    assert calendar.add_working_days(D(2025, 6, 13), 2) == D(2025, 6, 18)


def test_a_deadline_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        WorkingCalendar().add_working_days(D(2025, 1, 1), 1000)


@given(st.dates(min_value=D(2021, 1, 1), max_value=D(2030, 12, 31)), st.integers(min_value=0, max_value=60))
def test_adding_and_counting_working_days_agree(start: dt.date, count: int) -> None:
    calendar = WorkingCalendar()
    deadline = calendar.add_working_days(start, count)
    assert calendar.working_days_between(start, deadline) == count
    assert count == 0 or calendar.is_working_day(deadline)
    assert calendar.working_days_between(deadline, start) == -count
