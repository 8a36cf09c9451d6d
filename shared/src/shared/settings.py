"""Settings: one pydantic-settings class per service, each with its own environment prefix.

The base class holds what every service needs. A bad or missing value stops the process at start-up with
a message naming the environment variable (``TARGETS_DATABASE_URL: ...``), never later at the first request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ClassVar, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.database import to_async_url


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ConfigurationError(Exception):
    """Raised at start-up; its message names each bad variable."""


def _postgres_url(value: SecretStr) -> SecretStr:
    to_async_url(value.get_secret_value())  # raises ValueError with the reason
    return value


def http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return value


class ServiceSettings(BaseSettings):
    """Variables every service reads, prefixed with the service's name (``TARGETS_``, ``NOMINATIONS_`` …)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: ClassVar[str]
    db_schema: ClassVar[str]

    # Fail closed: a deployment that forgets its environment runs with production's checks (https JWKS, issuer
    # and audience, a fixed clock); development and test say so (make run, docker compose, the tests).
    environment: Environment = Environment.PRODUCTION
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")

    database_url: Annotated[SecretStr, AfterValidator(_postgres_url)] = Field(
        description="A postgresql:// URL; the service keeps its tables in its own schema of that database."
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=30_000, ge=0)

    jwks_file: Path | None = Field(default=None, description="JWKS document on disk (development).")
    jwks_url: Annotated[str | None, AfterValidator(http_url)] = Field(
        default=None, description="The identity provider's JWKS endpoint (production)."
    )
    jwks_cache_seconds: int = Field(default=300, ge=10)
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    jwt_roles_claim: str = Field(
        default="roles",
        description="Dotted path of the roles list in the token, e.g. realm_access.roles for Keycloak.",
    )

    http_timeout_seconds: float = Field(default=5.0, gt=0)
    http_retries: int = Field(default=2, ge=0, le=10)
    traces_endpoint: Annotated[str | None, AfterValidator(http_url)] = Field(
        default=None,
        description="OTLP/HTTP endpoint receiving OpenTelemetry traces (an OpenTelemetry Collector's"
        " http://collector:4318); unset, no spans are made",
    )
    probe_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Where a relay or a worker serves /healthz, /readyz and /metrics (shared.probes)",
    )
    probe_stale_seconds: float = Field(
        default=120.0,
        gt=0,
        description="A relay or worker whose work loop has not gone round for this long answers /healthz 503",
    )
    shutdown_grace_seconds: int = Field(default=15, ge=0)
    workers: int = Field(
        default=1, ge=1, le=64, description="uvicorn worker processes (one per core is usual)"
    )
    clock_adjustable: bool = Field(
        default=False,
        description="Allow setting the clock to another moment (POST /internal/v1/clock); not in production.",
    )
    clock_at: AwareDatetime | None = Field(
        default=None,
        description="Start the clock at this moment (ISO 8601 with offset); it runs on from there."
        " Needs clock_adjustable; refused in production.",
    )

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Self:
        if (self.jwks_file is None) == (self.jwks_url is None):
            raise ValueError(
                f"set exactly one of {self.env_name('jwks_file')} and {self.env_name('jwks_url')}"
            )
        if self.jwks_file is not None and not self.jwks_file.is_file():
            raise ValueError(f"{self.env_name('jwks_file')}: no such file: {self.jwks_file}")
        if self.clock_at is not None and not self.clock_adjustable:
            raise ValueError(f"{self.env_name('clock_at')} needs {self.env_name('clock_adjustable')}=true")
        if self.environment is Environment.PRODUCTION:
            if self.clock_adjustable or self.clock_at is not None:
                raise ValueError(
                    f"the clock cannot be set in production ({self.env_name('clock_adjustable')},"
                    f" {self.env_name('clock_at')})"
                )
            if self.jwks_url is None or not self.jwks_url.startswith("https://"):
                raise ValueError(f"{self.env_name('jwks_url')} must be an https URL in production")
            if not self.jwt_issuer or not self.jwt_audience:
                raise ValueError(
                    f"{self.env_name('jwt_issuer')} and {self.env_name('jwt_audience')}"
                    " are required in production"
                )
        return self

    @classmethod
    def env_name(cls, field: str) -> str:
        prefix = cls.model_config.get("env_prefix") or ""
        return f"{prefix}{field}".upper()


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def secrets_dir_of(settings_class: type[ServiceSettings], environ: Mapping[str, str]) -> Path | None:
    """``<S>_SECRETS_DIR``: a directory of files named after the variables (``targets_database_url``), one
    secret each, read before the environment's defaults and after its variables (Kubernetes mounts a Secret
    so, and a secret as a file stays out of ``/proc/<pid>/environ`` and crash dumps)."""
    value = environ.get(settings_class.env_name("secrets_dir"))
    if not value:
        return None
    directory = Path(value)
    if not directory.is_dir():
        raise ConfigurationError(f"{settings_class.env_name('secrets_dir')}: no such directory: {directory}")
    return directory


def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    """Read the environment (and ``<S>_SECRETS_DIR``), or raise :class:`ConfigurationError` naming every bad
    variable."""
    secrets_dir = secrets_dir_of(settings_class, os.environ)
    try:
        return settings_class(_secrets_dir=secrets_dir)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            name = settings_class.env_name(field) if field else settings_class.__name__
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {message}" if field else message)
        raise ConfigurationError("invalid configuration:\n  " + "\n  ".join(lines)) from None


class ServiceCredentialsSettings(ServiceSettings):
    """What a service that calls its siblings as a service reads besides: how it authenticates, either a
    static bearer token (development) or an OAuth2 client of the identity provider (client credentials, e.g.
    a Keycloak client with a service account). They are checked here when given; the process that needs them
    (a relay, the reminders) refuses to start without them (the service itself does not need them).
    """

    service_token: SecretStr | None = Field(
        default=None, description="A static bearer token with the service role (development)."
    )
    service_token_url: Annotated[str | None, AfterValidator(http_url)] = Field(
        default=None, description="The identity provider's token endpoint (OAuth2 client credentials)."
    )
    service_client_id: str | None = Field(default=None, min_length=1)
    service_client_secret: SecretStr | None = Field(default=None)

    @model_validator(mode="after")
    def _service_credentials(self) -> Self:
        static, token_url = self.service_token is not None, self.service_token_url is not None
        client = (self.service_client_id is not None, self.service_client_secret is not None)
        if static and (token_url or any(client)):
            raise ValueError(
                f"set either {self.env_name('service_token')} or {self.env_name('service_token_url')} with"
                " a client id and secret, not both"
            )
        if (token_url or any(client)) and not (token_url and all(client)):
            raise ValueError(
                f"{self.env_name('service_token_url')}, {self.env_name('service_client_id')} and"
                f" {self.env_name('service_client_secret')} go together"
            )
        if (
            self.environment is Environment.PRODUCTION
            and self.service_token_url is not None
            and not self.service_token_url.startswith("https://")
        ):
            raise ValueError(f"{self.env_name('service_token_url')} must be an https URL in production")
        return self

    def credentials_missing(self) -> str | None:
        """The variables to set for the service's credentials, or ``None`` when they are there."""
        if self.service_token is None and self.service_token_url is None:
            return (
                f"{self.env_name('service_token')} (development) or {self.env_name('service_token_url')},"
                f" {self.env_name('service_client_id')} and {self.env_name('service_client_secret')}"
            )
        return None


class EventProducerSettings(ServiceCredentialsSettings):
    """What a service that writes events (targets, nominations) reads besides: where its relay delivers them
    (``python -m <service> relay``, :mod:`shared.relay`), and the credentials it authenticates there with.
    """

    notifications_url: Annotated[str | None, AfterValidator(http_url)] = Field(
        default=None, description="The notifications service, whose /internal/v1/events the relay posts to."
    )
    relay_batch_size: int = Field(default=100, ge=1, le=1000, description="Events per intake request.")
    relay_poll_seconds: float = Field(
        default=5.0, gt=0, le=3600, description="How often the relay looks without being woken."
    )
    relay_backoff_base_seconds: float = Field(default=0.5, gt=0, le=3600)
    relay_backoff_cap_seconds: float = Field(default=300.0, gt=0, le=86_400)

    @model_validator(mode="after")
    def _relay(self) -> Self:
        if self.relay_backoff_cap_seconds < self.relay_backoff_base_seconds:
            raise ValueError(
                f"{self.env_name('relay_backoff_cap_seconds')} must not be less than"
                f" {self.env_name('relay_backoff_base_seconds')}"
            )
        if (
            self.environment is Environment.PRODUCTION
            and self.notifications_url is not None
            and not self.notifications_url.startswith("https://")
        ):
            raise ValueError(f"{self.env_name('notifications_url')} must be an https URL in production")
        return self

    def relay_not_configured(self) -> str | None:
        """Why the relay cannot start (which variables to set), or ``None``."""
        missing = []
        if self.notifications_url is None:
            missing.append(self.env_name("notifications_url"))
        credentials = self.credentials_missing()
        if credentials is not None:
            missing.append(credentials)
        return f"the relay needs {' and '.join(missing)}" if missing else None
