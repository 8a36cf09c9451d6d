"""The email settings refuse what would send mail unsafely or not at all, at start-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from notifications.config import Settings

PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "jwks_file": None,
    "jwks_url": "https://id.hatinh.gov.vn/realms/thidua/protocol/openid-connect/certs",
    "jwt_issuer": "https://id.hatinh.gov.vn/realms/thidua",
    "jwt_audience": "emulation-platform",
}
MakeSettings = Callable[..., Settings]


def test_plain_smtp_to_another_host_is_refused_in_production(make_settings: MakeSettings) -> None:
    with pytest.raises(ValidationError, match="NOTIFICATIONS_SMTP_SECURITY=none is refused in production"):
        make_settings(**PRODUCTION, smtp_host="mail.hatinh.gov.vn")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "::1"])
def test_plain_smtp_to_a_relay_on_this_machine_is_allowed_in_production(
    make_settings: MakeSettings, host: str
) -> None:
    assert make_settings(**PRODUCTION, smtp_host=host).smtp_security == "none"


def test_starttls_to_another_host_is_allowed_in_production(make_settings: MakeSettings) -> None:
    settings = make_settings(**PRODUCTION, smtp_host="mail.hatinh.gov.vn", smtp_security="starttls")
    assert settings.smtp_port == 1025


def test_a_username_needs_a_password(make_settings: MakeSettings) -> None:
    with pytest.raises(ValidationError, match="NOTIFICATIONS_SMTP_PASSWORD"):
        make_settings(smtp_username="notifications")


@pytest.mark.parametrize("mail_from", ["no address", "A <a@b>\r\nBcc: x@y"])
def test_mail_from_must_be_an_address(make_settings: MakeSettings, mail_from: str) -> None:
    with pytest.raises(ValidationError, match="NOTIFICATIONS_MAIL_FROM"):
        make_settings(mail_from=mail_from)


def test_the_message_id_domain_defaults_to_the_senders(make_settings: MakeSettings) -> None:
    assert make_settings().message_id_host == "hatinh.gov.vn"
    assert make_settings(message_id_domain="thidua.hatinh.gov.vn").message_id_host == "thidua.hatinh.gov.vn"
    with pytest.raises(ValidationError):
        make_settings(message_id_domain="bad domain")
