from fastapi import FastAPI

import targets
from shared.app import create_service_app
from shared.settings import ServiceSettings, load_settings
from targets import __version__
from targets.config import Settings

MIGRATIONS = "targets:migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or load_settings(Settings),
        title="Target registry",
        version=__version__,
        description=targets.__doc__ or "",
        script_location=MIGRATIONS,
        routers=[],
    )
