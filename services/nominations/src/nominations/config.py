from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables of the nominations service; each is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="NOMINATIONS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "nominations"
    db_schema: ClassVar[str] = "nominations"
