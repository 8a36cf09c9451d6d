from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables of the notifications service; each is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "notifications"
    db_schema: ClassVar[str] = "notifications"
