from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import EventProducerSettings, http_url


class Settings(EventProducerSettings):
    """Environment variables of the nominations service; each is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="NOMINATIONS_", extra="ignore", frozen=True)

    service_name: ClassVar[str] = "nominations"
    db_schema: ClassVar[str] = "nominations"

    targets_url: Annotated[str, AfterValidator(http_url)] = Field(
        default="http://127.0.0.1:8001", description="The targets service (org units, progress)."
    )
    org_units_cache_seconds: int = Field(default=300, ge=0, le=86_400)
    attachments_dir: Path = Field(default=Path("var/attachments"), description="Local attachment storage.")
    attachments_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    attachments_backend: Literal["local", "s3"] = Field(
        default="local", description="Where attachment files live: the local directory or an S3 bucket."
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="An S3-compatible endpoint (MinIO, Ceph); unset: AWS's own."
    )
    s3_bucket: str | None = Field(default=None, description="The bucket of attachments (backend s3).")
    s3_region: str | None = Field(default=None)
    s3_access_key_id: SecretStr | None = Field(default=None)
    s3_secret_access_key: SecretStr | None = Field(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> "Settings":
        if self.attachments_backend == "s3" and not self.s3_bucket:
            raise ValueError("s3_bucket is required when attachments_backend is s3")
        return self
