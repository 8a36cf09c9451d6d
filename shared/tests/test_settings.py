import os
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic_settings import SettingsConfigDict

from shared.database import to_async_url
from shared.settings import ConfigurationError, Environment, ServiceSettings, load_settings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "example"
    db_schema: ClassVar[str] = "example"


@pytest.fixture
def jwks(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text('{"keys": []}')
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("EXAMPLE_"):
            monkeypatch.delenv(name)
    # A development configuration, said as make run says it (the default is production).
    monkeypatch.setenv("EXAMPLE_ENVIRONMENT", "development")


def test_without_an_environment_a_service_runs_as_production(
    monkeypatch: pytest.MonkeyPatch, jwks: Path
) -> None:
    monkeypatch.delenv("EXAMPLE_ENVIRONMENT")
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    # Fails closed: a development key file is not enough where nobody said "development".
    with pytest.raises(ConfigurationError, match="EXAMPLE_JWKS_URL must be an https URL in production"):
        load_settings(ExampleSettings)
    monkeypatch.delenv("EXAMPLE_JWKS_FILE")
    monkeypatch.setenv("EXAMPLE_JWKS_URL", "http://idp.example/certs")
    with pytest.raises(ConfigurationError, match="must be an https URL in production"):
        load_settings(ExampleSettings)
    monkeypatch.setenv("EXAMPLE_JWKS_URL", "https://idp.example/certs")
    with pytest.raises(ConfigurationError, match="EXAMPLE_JWT_ISSUER and EXAMPLE_JWT_AUDIENCE are required"):
        load_settings(ExampleSettings)


def test_reads_prefixed_variables(monkeypatch: pytest.MonkeyPatch, jwks: Path) -> None:
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://u:p@db:5432/platform")
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    monkeypatch.setenv("EXAMPLE_PORT", "9001")
    settings = load_settings(ExampleSettings)
    assert settings.port == 9001
    assert settings.environment is Environment.DEVELOPMENT
    assert (
        to_async_url(settings.database_url.get_secret_value()) == "postgresql+asyncpg://u:p@db:5432/platform"
    )


def test_a_missing_variable_is_named(monkeypatch: pytest.MonkeyPatch, jwks: Path) -> None:
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    with pytest.raises(ConfigurationError, match="EXAMPLE_DATABASE_URL: Field required"):
        load_settings(ExampleSettings)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("not a url", "not a valid URL"),
        ("mysql://u@h/db", "not PostgreSQL"),
        ("postgresql://u@h", "names no database"),
        ("postgresql://u@/db", "names no host"),
    ],
)
def test_a_bad_database_url_is_named_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, jwks: Path, url: str, reason: str
) -> None:
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", url)
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    with pytest.raises(ConfigurationError, match=f"EXAMPLE_DATABASE_URL: .*{reason}"):
        load_settings(ExampleSettings)


def test_the_socket_form_of_the_embedded_server_is_accepted(
    monkeypatch: pytest.MonkeyPatch, jwks: Path
) -> None:
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://postgres:@/emulation?host=/tmp/pg")
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    url = load_settings(ExampleSettings).database_url.get_secret_value()
    assert "host=%2Ftmp%2Fpg" in to_async_url(url)


def test_bad_port_is_named(monkeypatch: pytest.MonkeyPatch, jwks: Path) -> None:
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    monkeypatch.setenv("EXAMPLE_PORT", "http")
    with pytest.raises(ConfigurationError, match="EXAMPLE_PORT: "):
        load_settings(ExampleSettings)


def test_exactly_one_key_source(monkeypatch: pytest.MonkeyPatch, jwks: Path) -> None:
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://u@h/db")
    with pytest.raises(ConfigurationError, match="set exactly one of EXAMPLE_JWKS_FILE and EXAMPLE_JWKS_URL"):
        load_settings(ExampleSettings)
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks.parent / "missing.json"))
    with pytest.raises(ConfigurationError, match="EXAMPLE_JWKS_FILE: no such file"):
        load_settings(ExampleSettings)


def test_production_refuses_development_shortcuts(monkeypatch: pytest.MonkeyPatch, jwks: Path) -> None:
    monkeypatch.setenv("EXAMPLE_ENVIRONMENT", "production")
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    with pytest.raises(ConfigurationError, match="EXAMPLE_JWKS_URL must be an https URL in production"):
        load_settings(ExampleSettings)
    monkeypatch.delenv("EXAMPLE_JWKS_FILE")
    monkeypatch.setenv("EXAMPLE_JWKS_URL", "https://idp.example/realms/ht/protocol/openid-connect/certs")
    with pytest.raises(ConfigurationError, match="EXAMPLE_JWT_ISSUER and EXAMPLE_JWT_AUDIENCE are required"):
        load_settings(ExampleSettings)
    monkeypatch.setenv("EXAMPLE_JWT_ISSUER", "https://idp.example/realms/ht")
    monkeypatch.setenv("EXAMPLE_JWT_AUDIENCE", "emulation-platform")
    assert load_settings(ExampleSettings).environment is Environment.PRODUCTION


def test_the_database_password_is_not_printed(monkeypatch: pytest.MonkeyPatch, jwks: Path) -> None:
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://u:hunter2@h/db")
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    settings = load_settings(ExampleSettings)
    assert "hunter2" not in repr(settings)


def test_secrets_are_read_from_files_named_after_their_variables(
    monkeypatch: pytest.MonkeyPatch, jwks: Path, tmp_path: Path
) -> None:
    # As Kubernetes mounts a Secret (deploy/k8s): one file per variable, the value its content.
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "example_database_url").write_text("postgresql://app:s3cret@db:5432/emulation\n")
    monkeypatch.setenv("EXAMPLE_SECRETS_DIR", str(secrets))
    monkeypatch.setenv("EXAMPLE_JWKS_FILE", str(jwks))
    settings = load_settings(ExampleSettings)
    assert settings.database_url.get_secret_value() == "postgresql://app:s3cret@db:5432/emulation"


def test_a_missing_secrets_directory_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EXAMPLE_SECRETS_DIR", str(tmp_path / "absent"))
    with pytest.raises(ConfigurationError, match="EXAMPLE_SECRETS_DIR: no such directory"):
        load_settings(ExampleSettings)
