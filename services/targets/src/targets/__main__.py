import sys

from shared.cli import run_service_cli
from targets.config import Settings
from targets.main import MIGRATIONS, create_app


def main() -> None:
    sys.exit(run_service_cli(Settings, create_app, MIGRATIONS))


if __name__ == "__main__":
    main()
