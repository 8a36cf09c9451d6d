import sys

from notifications.config import Settings
from notifications.main import MIGRATIONS, create_app
from notifications.seed import load_seed
from notifications.worker.run import run_worker
from shared.cli import run_service_cli
from shared.database import Database
from shared.settings import ServiceSettings


async def seed(settings: ServiceSettings) -> int:
    """Load the seed (the templates of every event type), in one transaction (idempotent)."""
    database = Database(settings.database_url.get_secret_value(), application_name="notifications-seed")
    try:
        async with database.session() as session:
            await load_seed(session)
    finally:
        await database.dispose()
    return 0


def main() -> None:
    sys.exit(
        run_service_cli(
            Settings,
            create_app,
            MIGRATIONS,
            commands_of_service={
                "worker": ("send what the events call for (procrastinate jobs)", run_worker),
                "seed": ("load the message templates of every event type, vi and en (idempotent)", seed),
            },
        )
    )


if __name__ == "__main__":
    main()
