import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from shared.bounds import MAX_DATE, MIN_DATE, Day


class Dated(BaseModel):
    day: Day


@pytest.mark.parametrize("value", [0, 1_900_000_000, "0", "2026-03-10T00:00:00", "10/03/2026", 20260310.0])
def test_only_a_date_written_yyyy_mm_dd_is_a_date(value: object) -> None:
    # Pydantic's lax mode took 0 (and any number of seconds) as 1970-01-01, and a moment as its day.
    with pytest.raises(ValidationError, match="must be a date written YYYY-MM-DD"):
        Dated.model_validate({"day": value})


def test_the_platforms_range_is_enforced_and_documented() -> None:
    assert Dated.model_validate({"day": "2026-03-10"}).day == dt.date(2026, 3, 10)
    assert Dated(day=dt.date(2026, 3, 10)).day == dt.date(2026, 3, 10)
    for outside in ("1899-12-31", "2200-01-01"):
        with pytest.raises(ValidationError, match="must be from 1900-01-01 to 2199-12-31"):
            Dated.model_validate({"day": outside})
    with pytest.raises(ValidationError, match="is not a date of the calendar"):
        Dated.model_validate({"day": "2026-02-30"})
    schema = Dated.model_json_schema()["properties"]["day"]
    assert (schema["format"], schema["formatMinimum"], schema["formatMaximum"]) == (
        "date",
        MIN_DATE.isoformat(),
        MAX_DATE.isoformat(),
    )
