import sys

from nominations.config import Settings
from nominations.main import MIGRATIONS, create_app
from shared.cli import run_service_cli


def main() -> None:
    sys.exit(run_service_cli(Settings, create_app, MIGRATIONS))


if __name__ == "__main__":
    main()
