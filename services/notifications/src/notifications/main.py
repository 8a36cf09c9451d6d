from fastapi import FastAPI

import notifications
from notifications import __version__
from notifications.config import Settings
from notifications.webhooks.endpoints import router as webhooks_router
from shared.app import create_service_app
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = "notifications:migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or load_settings(Settings),
        title="Notifications",
        version=__version__,
        description=notifications.__doc__ or "",
        script_location=MIGRATIONS,
        routers=[webhooks_router],
    )
