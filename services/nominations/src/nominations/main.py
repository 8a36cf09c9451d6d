from fastapi import FastAPI

import nominations
from nominations import __version__
from nominations.catalogue.endpoints import router as catalogue_router
from nominations.config import Settings
from shared.app import create_service_app
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = "nominations:migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or load_settings(Settings),
        title="Nominations and awards",
        version=__version__,
        description=nominations.__doc__ or "",
        script_location=MIGRATIONS,
        routers=[catalogue_router],
    )
