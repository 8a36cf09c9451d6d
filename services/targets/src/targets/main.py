from fastapi import FastAPI

import targets
from shared.app import create_service_app
from shared.settings import ServiceSettings, load_settings
from targets import __version__
from targets.catalogue.snapshot import CatalogueCache
from targets.config import Settings
from targets.indicators.endpoints import router as indicators_router
from targets.org_units.endpoints import router as org_units_router
from targets.plans.endpoints import router as plans_router
from targets.progress.endpoints import router as progress_router
from targets.progress.service import ProgressCache
from targets.results.endpoints import router as results_router

MIGRATIONS = "targets:migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    app = create_service_app(
        settings or load_settings(Settings),
        title="Target registry",
        version=__version__,
        description=targets.__doc__ or "",
        script_location=MIGRATIONS,
        routers=[org_units_router, indicators_router, plans_router, results_router, progress_router],
    )
    # Per-process caches, valid under the change counters (see targets.catalogue).
    app.state.catalogue = CatalogueCache()
    app.state.progress_cache = ProgressCache()
    return app
