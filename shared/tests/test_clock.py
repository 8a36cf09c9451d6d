"""The one clock: today is Vietnam's date, the clock can be set and runs on, production refuses setting it."""

import datetime as dt
import os
import time
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest
from pydantic_settings import SettingsConfigDict

from shared import clock
from shared.settings import ConfigurationError, ServiceSettings, load_settings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "example"
    db_schema: ClassVar[str] = "example"


@pytest.mark.parametrize(
    ("utc", "vietnam"),
    [
        ("2024-12-31T16:59:59+00:00", "2024-12-31"),
        ("2024-12-31T17:00:00+00:00", "2025-01-01"),  # midnight in Hà Tĩnh
        ("2025-06-30T23:30:00+00:00", "2025-07-01"),  # the day the district tier ended, 06:30 local
        ("2024-02-28T23:30:00+00:00", "2024-02-29"),
        ("2025-01-23T23:30:00+00:00", "2025-01-24"),
    ],
)
def test_today_is_the_date_in_vietnam(utc: str, vietnam: str) -> None:
    with clock.pinned(dt.datetime.fromisoformat(utc)):
        assert clock.today() == dt.date.fromisoformat(vietnam)
        assert clock.now().utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("year", [1976, 1999, 2021, 2024, 2025, 2100])
def test_the_fixed_offset_agrees_with_the_time_zone_database(year: int) -> None:
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    for month in (1, 4, 7, 10):
        moment = dt.datetime(year, month, 15, 18, 45, tzinfo=dt.UTC)
        assert moment.astimezone(clock.VIETNAM).date() == moment.astimezone(zone).date()
        assert clock.VIETNAM.utcoffset(moment) == zone.utcoffset(moment.replace(tzinfo=None))


def test_a_set_clock_runs_on_from_its_moment_and_pinned_restores_it() -> None:
    moment = dt.datetime(2025, 1, 24, 2, 0, tzinfo=dt.UTC)
    with clock.pinned(moment):
        first = clock.now()
        time.sleep(0.01)
        second = clock.now()
        assert moment <= first < second < moment + dt.timedelta(seconds=5)
        with clock.pinned(moment + dt.timedelta(days=30)):
            assert clock.today() == dt.date(2025, 2, 23)
        assert clock.today() == dt.date(2025, 1, 24)
        assert clock.is_set()


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        clock.set_to(dt.datetime(2025, 1, 24, 9, 0))


@pytest.fixture
def example_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("EXAMPLE_"):
            monkeypatch.delenv(name)
    jwks = tmp_path / "jwks.json"
    jwks.write_text('{"keys": []}')
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://u:p@db:5432/platform")
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    monkeypatch.setenv("EXAMPLE_ENVIRONMENT", "development")  # the default is production
    return monkeypatch


def test_the_clock_is_set_only_where_it_is_adjustable(example_env: pytest.MonkeyPatch) -> None:
    example_env.setenv("EXAMPLE_CLOCK_AT", "2025-01-24T09:00:00+07:00")
    with pytest.raises(ConfigurationError, match="EXAMPLE_CLOCK_AT needs EXAMPLE_CLOCK_ADJUSTABLE=true"):
        load_settings(ExampleSettings)
    example_env.setenv("EXAMPLE_CLOCK_ADJUSTABLE", "true")
    settings = load_settings(ExampleSettings)
    assert settings.clock_at == dt.datetime(2025, 1, 24, 2, 0, tzinfo=dt.UTC)
    example_env.setenv("EXAMPLE_CLOCK_AT", "2025-01-24T09:00:00")
    with pytest.raises(ConfigurationError, match="EXAMPLE_CLOCK_AT"):
        load_settings(ExampleSettings)


def test_production_refuses_a_settable_clock(example_env: pytest.MonkeyPatch) -> None:
    example_env.delenv("EXAMPLE_JWKS_FILE")
    example_env.setenv("EXAMPLE_ENVIRONMENT", "production")
    example_env.setenv("EXAMPLE_JWKS_URL", "https://id.example.vn/jwks")
    example_env.setenv("EXAMPLE_JWT_ISSUER", "https://id.example.vn")
    example_env.setenv("EXAMPLE_JWT_AUDIENCE", "platform")
    assert load_settings(ExampleSettings).clock_adjustable is False
    example_env.setenv("EXAMPLE_CLOCK_ADJUSTABLE", "true")
    with pytest.raises(ConfigurationError, match="the clock cannot be set in production"):
        load_settings(ExampleSettings)
