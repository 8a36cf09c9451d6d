from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import nominations
from nominations import __version__
from nominations.attachments.endpoints import router as attachments_router
from nominations.blocks.endpoints import router as blocks_router
from nominations.calendar.endpoints import router as calendar_router
from nominations.catalogue.endpoints import router as catalogue_router
from nominations.config import Settings
from nominations.council.endpoints import router as council_router
from nominations.decisions.endpoints import router as decisions_router
from nominations.disclosure.endpoints import router as disclosure_router
from nominations.evidence.endpoints import router as evidence_router
from nominations.exemplars.endpoints import router as exemplars_router
from nominations.fairness.endpoints import router as reports_router
from nominations.movements.endpoints import router as movements_router
from nominations.nominations.endpoints import router as nominations_router
from nominations.org_scope import TargetsClient
from nominations.registry.endpoints import router as registry_router
from nominations.rounds.endpoints import router as rounds_router
from nominations.timeliness.endpoints import router as timeliness_router
from shared.app import create_service_app
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = "nominations:migrations"


@asynccontextmanager
async def clients(app: FastAPI) -> AsyncIterator[None]:
    """The targets client, unless a test put one in place (the real targets app in-process)."""
    settings: Settings = app.state.settings
    own = getattr(app.state, "targets", None) is None
    if own:
        app.state.targets = TargetsClient(
            settings.targets_url,
            cache_seconds=settings.org_units_cache_seconds,
            timeout_seconds=settings.http_timeout_seconds,
            retries=settings.http_retries,
        )
    try:
        yield
    finally:
        if own:
            await app.state.targets.aclose()
            app.state.targets = None


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or load_settings(Settings),
        title="Nominations and awards",
        version=__version__,
        description=nominations.__doc__ or "",
        script_location=MIGRATIONS,
        routers=[
            catalogue_router,
            calendar_router,
            rounds_router,
            movements_router,
            blocks_router,
            timeliness_router,
            nominations_router,
            evidence_router,
            attachments_router,
            council_router,
            disclosure_router,
            decisions_router,
            registry_router,
            exemplars_router,
            reports_router,
        ],
        lifespan_extension=clients,
    )
