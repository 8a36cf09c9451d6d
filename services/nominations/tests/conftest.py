from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER
from nominations.config import Settings
from nominations.main import create_app
from shared.settings import Environment


@pytest.fixture(scope="session")
def settings(database_url: str, jwks_file: Path) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=SecretStr(database_url),
        jwks_file=jwks_file,
        jwt_issuer=DEV_ISSUER,
        jwt_audience=DEV_AUDIENCE,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)
