from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, http_url


class Settings(ServiceSettings):
    """Environment variables of the notifications service; each is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "notifications"
    db_schema: ClassVar[str] = "notifications"

    app_url: Annotated[str, AfterValidator(http_url)] = Field(
        default="http://127.0.0.1:8080",
        description="The web app's public address, for the links in messages.",
    )
    worker_concurrency: int = Field(default=8, ge=1, le=100, description="Jobs one worker runs at once.")
    delivery_max_attempts: int = Field(
        default=8, ge=1, le=50, description="Attempts before a delivery is dead."
    )
    delivery_backoff_base_seconds: float = Field(
        default=5.0, gt=0, description="The first retry's bound; it doubles per attempt (full jitter)."
    )
    delivery_backoff_cap_seconds: float = Field(
        default=3600.0, gt=0, description="The longest wait between attempts."
    )
    delivery_lease_seconds: int = Field(
        default=120,
        ge=5,
        description="How long a worker holds a delivery it is sending before the sweep hands it on.",
    )
    sweep_interval_seconds: int = Field(
        default=5, ge=1, le=59, description="How often a worker looks for what a dead worker left."
    )
    sweep_grace_seconds: int = Field(
        default=30, ge=1, description="How late a job must be before the sweep defers it again."
    )
    digest_hour_utc: int = Field(
        default=10, ge=0, le=23, description="Hour (UTC) of the daily digest; 10 is 17:00 in Vietnam."
    )
