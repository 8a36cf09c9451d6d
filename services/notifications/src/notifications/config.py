import ipaddress
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Self

from pydantic import AfterValidator, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import Environment, ServiceCredentialsSettings, http_url

DEFAULT_MAIL_FROM = "Ban Thi đua - Khen thưởng tỉnh Hà Tĩnh <thiduakhenthuong@hatinh.gov.vn>"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME_PATTERN = rf"^{_LABEL}(?:\.{_LABEL})*$"


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): a relay on this very machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Settings(ServiceCredentialsSettings):
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
        default=180,
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

    # Reminders (notifications.reminders): the siblings they ask, as a service, and when.
    targets_url: Annotated[str | None, AfterValidator(http_url)] = Field(
        default=None, description="The targets service, whose reporting obligations the reminders read."
    )
    nominations_url: Annotated[str | None, AfterValidator(http_url)] = Field(
        default=None, description="The nominations service: its working calendar and round deadlines."
    )
    reminder_hour_utc: int = Field(
        default=1, ge=0, le=23, description="Hour (UTC) of the daily reminder pass; 1 is 08:00 in Vietnam."
    )
    report_due_lead_working_days: int = Field(
        default=3,
        ge=0,
        le=30,
        description="report.due goes this many working days before a report's due date.",
    )
    report_overdue_window_working_days: int = Field(
        default=10,
        ge=1,
        le=60,
        description="report.overdue goes once, from the first working day after the due date to this many.",
    )
    round_deadline_lead_working_days: int = Field(
        default=3, ge=0, le=30, description="round.deadline_approaching goes this many working days before."
    )

    # Email (notifications.email): one SMTP server, the development stack's mail catcher by default.
    smtp_host: str = Field(default="127.0.0.1", min_length=1, max_length=253)
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none",
        description="none: plain SMTP; starttls: upgrade after connecting (587); tls: TLS at once (465).",
    )
    smtp_username: str | None = Field(default=None, min_length=1)
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    smtp_ca_file: Path | None = Field(
        default=None, description="PEM certificates to trust for the SMTP server (else the system's)."
    )
    mail_from: str = Field(default=DEFAULT_MAIL_FROM, min_length=3, max_length=500)
    message_id_domain: str | None = Field(
        default=None,
        max_length=253,
        pattern=HOSTNAME_PATTERN,
        description="Right of the @ in Message-ID (default: mail_from's domain).",
    )

    # Webhooks (notifications.webhooks).
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_secret_overlap_hours: int = Field(default=24, ge=0, le=24 * 30)
    webhook_allow_private_targets: bool | None = Field(
        default=None,
        description="Allow private, loopback, link-local … targets (unset: everywhere but production).",
    )

    @model_validator(mode="after")
    def _channels_safe(self) -> Self:
        _, address = parseaddr(self.mail_from)
        if "@" not in address or any(char in self.mail_from for char in "\r\n"):
            raise ValueError(f"{self.env_name('mail_from')}: not an address such as 'Name <user@domain>'")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError(
                f"set both {self.env_name('smtp_username')} and {self.env_name('smtp_password')}, or neither"
            )
        if self.smtp_ca_file is not None and not self.smtp_ca_file.is_file():
            raise ValueError(f"{self.env_name('smtp_ca_file')}: no such file: {self.smtp_ca_file}")
        if self.environment is Environment.PRODUCTION:
            for name in ("targets_url", "nominations_url"):
                value = getattr(self, name)
                if value is not None and not value.startswith("https://"):
                    raise ValueError(f"{self.env_name(name)} must be an https URL in production")
        if (
            self.environment is Environment.PRODUCTION
            and self.smtp_security == "none"
            and not is_loopback_host(self.smtp_host)
        ):
            raise ValueError(
                f"{self.env_name('smtp_security')}=none is refused in production unless"
                f" {self.env_name('smtp_host')} is a relay on this machine (localhost, 127.0.0.1, ::1):"
                " use starttls or tls"
            )
        return self

    def reminders_not_configured(self) -> str | None:
        """Why the reminders cannot run (which variables to set), or ``None``."""
        missing = [
            self.env_name(name) for name in ("targets_url", "nominations_url") if getattr(self, name) is None
        ]
        credentials = self.credentials_missing()
        if credentials is not None:
            missing.append(credentials)
        return f"the reminders need {' and '.join(missing)}" if missing else None

    @property
    def sender_address(self) -> Address:
        """``mail_from`` as a header address (its display name is encoded when the message is written)."""
        name, address = parseaddr(self.mail_from)
        return Address(display_name=name, addr_spec=address)

    @property
    def message_id_host(self) -> str:
        return self.message_id_domain or self.sender_address.domain

    @property
    def webhooks_reach_private_targets(self) -> bool:
        """Explicitly allowed, or by default everywhere but production (fail closed there)."""
        if self.webhook_allow_private_targets is not None:
            return self.webhook_allow_private_targets
        return self.environment is not Environment.PRODUCTION
