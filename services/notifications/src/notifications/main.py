from fastapi import FastAPI

import notifications
from notifications import __version__
from notifications.config import Settings
from notifications.deliveries.endpoints import router as deliveries_router
from notifications.events.endpoints import router as events_router
from notifications.inbox.endpoints import router as inbox_router
from notifications.recipients.endpoints import router as recipients_router
from notifications.routing.endpoints import router as routing_router
from notifications.templates.endpoints import router as templates_router
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
        routers=[
            events_router,
            recipients_router,
            routing_router,
            inbox_router,
            deliveries_router,
            templates_router,
            webhooks_router,
        ],
    )
