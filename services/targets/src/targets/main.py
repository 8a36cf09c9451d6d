from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import targets
from shared.app import create_service_app
from shared.database import libpq_dsn
from shared.settings import ServiceSettings, load_settings
from targets import __version__
from targets.cache.counters import on_local_commit
from targets.cache.feed import ChangeFeed
from targets.cache.service import CatalogueCache
from targets.config import Settings
from targets.indicators.endpoints import router as indicators_router
from targets.org_units.endpoints import router as org_units_router
from targets.plans.endpoints import router as plans_router
from targets.progress.endpoints import router as progress_router
from targets.progress.service import ProgressCache
from targets.reporting.endpoints import router as reporting_router
from targets.reports.endpoints import router as reports_router
from targets.results.endpoints import router as results_router

MIGRATIONS = "targets:migrations"


@asynccontextmanager
async def change_feed(app: FastAPI) -> AsyncIterator[None]:
    """Start the change feed when configured; without it, counters are read per request (tests do that)."""
    settings: Settings = app.state.settings
    if not settings.change_feed:
        yield
        return
    feed = ChangeFeed(libpq_dsn(settings.database_url.get_secret_value()))
    feed.start()
    app.state.catalogue.feed = feed
    on_local_commit(feed.mark_dirty)
    try:
        yield
    finally:
        on_local_commit(None)
        app.state.catalogue.feed = None
        await feed.stop()


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or load_settings(Settings)
    app = create_service_app(
        settings,
        title="Target registry",
        version=__version__,
        description=targets.__doc__ or "",
        script_location=MIGRATIONS,
        routers=[
            org_units_router,
            indicators_router,
            plans_router,
            results_router,
            reports_router,
            progress_router,
            reporting_router,
        ],
        lifespan_extension=change_feed,
    )
    # Per-process caches, valid under the change counters (see targets.cache).
    app.state.catalogue = CatalogueCache()
    app.state.progress_cache = ProgressCache()
    app.state.chart_cache = ProgressCache()
    return app
