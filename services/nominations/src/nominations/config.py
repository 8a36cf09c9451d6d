from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import Environment, ServiceSettings, http_url


class Settings(ServiceSettings):
    """Environment variables of the nominations service; each is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="NOMINATIONS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "nominations"
    db_schema: ClassVar[str] = "nominations"

    targets_url: Annotated[str, AfterValidator(http_url)] = Field(
        default="http://127.0.0.1:8001", description="The targets service (org units, progress)."
    )
    notifications_url: Annotated[str, AfterValidator(http_url)] = Field(
        default="http://127.0.0.1:8003", description="The notifications service (the outbox relay's intake)."
    )
    org_units_cache_seconds: int = Field(default=300, ge=0, le=86_400)
    attachments_dir: Path = Field(default=Path("var/attachments"), description="Local attachment storage.")
    attachments_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    clock_offset_days: int = Field(
        default=0, ge=0, le=3650, description="Move today forward (tests and demos; refused in production)."
    )

    @model_validator(mode="after")
    def _no_clock_games_in_production(self) -> "Settings":
        if self.environment is Environment.PRODUCTION and self.clock_offset_days:
            raise ValueError("clock_offset_days must be 0 in production")
        return self
