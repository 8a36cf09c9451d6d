import json
import sys

from nominations.catalogue.seed import load_catalogue
from nominations.config import Settings
from nominations.main import MIGRATIONS, create_app
from shared.cli import run_service_cli
from shared.database import Database
from shared.settings import ServiceSettings


async def seed(settings: ServiceSettings) -> int:
    """Load the award catalogue of the domain brief (idempotent)."""
    database = Database(settings.database_url.get_secret_value(), application_name="nominations-seed")
    try:
        async with database.session() as session:
            created = await load_catalogue(session)
    finally:
        await database.dispose()
    print(json.dumps({"created": created}, ensure_ascii=False))  # noqa: T201
    return 0


def main() -> None:
    sys.exit(
        run_service_cli(
            Settings,
            create_app,
            MIGRATIONS,
            commands_of_service={"seed": ("load the award catalogue of the domain brief (idempotent)", seed)},
        )
    )


if __name__ == "__main__":
    main()
