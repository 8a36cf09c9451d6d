import json
import sys

from shared.cli import run_service_cli
from shared.database import Database
from shared.relay import relay_command
from shared.settings import ServiceSettings
from targets.config import Settings
from targets.main import MIGRATIONS, create_app
from targets.models import outbox
from targets.seed.loader import load_seed


async def seed(settings: ServiceSettings) -> int:
    """Load the Hà Tĩnh org units and the plan HT-2021-2025 (idempotent)."""
    database = Database(settings.database_url.get_secret_value(), application_name="targets-seed")
    try:
        async with database.session() as session:
            report = await load_seed(session)
    finally:
        await database.dispose()
    print(json.dumps({"created": report.created, "existing": report.existing}, ensure_ascii=False))  # noqa: T201
    return 0


def main() -> None:
    sys.exit(
        run_service_cli(
            Settings,
            create_app,
            MIGRATIONS,
            commands_of_service={
                "seed": ("load the Hà Tĩnh org units and plan HT-2021-2025 (idempotent)", seed),
                "relay": relay_command(outbox),
            },
        )
    )


if __name__ == "__main__":
    main()
