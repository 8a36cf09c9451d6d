"""In-process tests of what every service must do the same way, run once per service."""

import importlib
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from devstack.stack import SERVICES
from shared.settings import ServiceSettings


@pytest.fixture(scope="session", params=[spec.name for spec in SERVICES])
def service(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def settings_class(service: str) -> type[ServiceSettings]:
    settings: type[ServiceSettings] = importlib.import_module(f"{service}.config").Settings
    return settings


def build_app(service: str, **settings: Any) -> FastAPI:
    create_app = importlib.import_module(f"{service}.main").create_app
    app: FastAPI = create_app(settings_class(service)(**settings))
    return app


@pytest.fixture(scope="session")
def base_settings(database_url: str, jwks_file: Path) -> dict[str, Any]:
    return {
        "environment": "test",
        "database_url": database_url,
        "jwks_file": jwks_file,
        "jwt_issuer": DEV_ISSUER,
        "jwt_audience": DEV_AUDIENCE,
    }


@pytest.fixture(scope="session")
def app(service: str, base_settings: dict[str, Any]) -> FastAPI:
    return build_app(service, **base_settings)
