import datetime as dt
import json
import sys

from nominations.attachments.service import sweep
from nominations.attachments.storage import storage_from_settings
from nominations.calendar.seed import load_exceptions
from nominations.catalogue.seed import CatalogueConflict, load_catalogue
from nominations.config import Settings
from nominations.main import MIGRATIONS, create_app
from nominations.models import outbox
from nominations.movements.seed import load_movements
from nominations.registry import service as registry
from shared.cli import run_service_cli
from shared.database import Database
from shared.relay import relay_command
from shared.settings import ServiceSettings

# Longer than any upload takes between storing its file and committing its row.
SWEEP_GRACE = dt.timedelta(hours=1)


async def seed(settings: ServiceSettings) -> int:
    """Load the award catalogue of the domain brief, the calendar's seeded exceptions and the plan's movements
    (idempotent)."""
    database = Database(settings.database_url.get_secret_value(), application_name="nominations-seed")
    try:
        async with database.session() as session:
            await load_catalogue(session)
            await load_exceptions(session)
            await load_movements(session)
    except CatalogueConflict as exc:
        print(f"seed refused: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    finally:
        await database.dispose()
    return 0


async def sweep_attachments(settings: ServiceSettings) -> int:
    """Delete the attachment files no attachment refers to, written more than an hour ago (run it hourly)."""
    assert isinstance(settings, Settings)  # noqa: S101 - the CLI passes this service's settings
    database = Database(settings.database_url.get_secret_value(), application_name="nominations-sweep")
    try:
        async with database.session() as session:
            outcome = await sweep(session, storage_from_settings(settings), grace=SWEEP_GRACE)
    finally:
        await database.dispose()
    print(json.dumps({"kept": outcome.kept, "removed": outcome.removed}))  # noqa: T201
    return 0


async def reindex_awards(settings: ServiceSettings) -> int:
    """Compute the registry's search words where they are missing (rows loaded in bulk)."""
    database = Database(settings.database_url.get_secret_value(), application_name="nominations-reindex")
    try:
        changed = await registry.reindex(database.session)
    finally:
        await database.dispose()
    print(json.dumps({"reindexed": changed}))  # noqa: T201
    return 0


def main() -> None:
    sys.exit(
        run_service_cli(
            Settings,
            create_app,
            MIGRATIONS,
            commands_of_service={
                "seed": (
                    "load the award catalogue, the calendar's exceptions and the movements (idempotent)",
                    seed,
                ),
                "sweep-attachments": (
                    "delete attachment files nothing refers to (hourly)",
                    sweep_attachments,
                ),
                "reindex-awards": (
                    "compute the registry's search words where they are missing (bulk-loaded rows)",
                    reindex_awards,
                ),
                "relay": relay_command(outbox),
            },
        )
    )


if __name__ == "__main__":
    main()
