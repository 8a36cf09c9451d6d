from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import EventProducerSettings


class Settings(EventProducerSettings):
    """Environment variables of the targets service; each is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="TARGETS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "targets"
    db_schema: ClassVar[str] = "targets"

    change_feed: bool = Field(
        default=True,
        description="Learn about changes by LISTEN/NOTIFY, not a query per request (see catalogue/feed.py)",
    )
    report_max_rows: int = Field(
        default=50_000,
        ge=1,
        le=1_000_000,
        description="The most target rows (units × targets) one progress report builds (docs/progress.md)",
    )
    public_progress_max_staleness_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How far behind the data GET /v1/public/progress may be, per process (0: never); its"
        " answers say max-age=60, so no more than that",
    )
