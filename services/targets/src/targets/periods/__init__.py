"""DHIS2 period identifiers: parse them into date ranges and print them back.

>>> p = parse_period("2024W05")
>>> str(p), p.start.isoformat(), p.end.isoformat()
('2024W5', '2024-01-29', '2024-02-04')
"""

from targets.periods.core import JAVA_TRIM, InvalidPeriod, Period, PeriodType, format_period, parse_period

__all__ = ["JAVA_TRIM", "InvalidPeriod", "Period", "PeriodType", "format_period", "parse_period"]
