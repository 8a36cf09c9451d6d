import sys

from notifications.config import Settings
from notifications.main import MIGRATIONS, create_app
from notifications.worker.run import run_worker
from shared.cli import run_service_cli


def main() -> None:
    sys.exit(
        run_service_cli(
            Settings,
            create_app,
            MIGRATIONS,
            commands_of_service={
                "worker": ("send what the events call for (procrastinate jobs)", run_worker)
            },
        )
    )


if __name__ == "__main__":
    main()
