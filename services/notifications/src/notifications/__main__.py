import argparse
import datetime as dt
import sys

from notifications.config import Settings
from notifications.main import MIGRATIONS, create_app
from notifications.reminders import service as reminders
from notifications.seed import load_seed
from notifications.worker.run import run_worker
from shared import clock
from shared.cli import CommandWithArguments, run_service_cli
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


def _remind_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--on",
        type=dt.date.fromisoformat,
        default=None,
        help="the day (YYYY-MM-DD; default: today in Vietnam)",
    )


async def remind(settings: ServiceSettings, args: argparse.Namespace) -> int:
    """One reminder pass, as the worker's daily job runs it (each reminder is recorded once, by any)."""
    assert isinstance(settings, Settings)  # noqa: S101 - the notifications CLI passes its own
    why_not = settings.reminders_not_configured()
    if why_not is not None:
        print(f"notifications: {why_not}", file=sys.stderr)  # noqa: T201 - a command's answer
        return 2
    if settings.clock_at is not None:  # a development stack's pinned clock, as the service's own
        clock.set_to(settings.clock_at)
    database = Database(settings.database_url.get_secret_value(), application_name="notifications-remind")
    try:
        result = await reminders.run_pass(settings, database, today=args.on)
    except reminders.SiblingUnavailable as exc:
        print(f"notifications: {exc}", file=sys.stderr)  # noqa: T201 - a command's answer
        return 1
    finally:
        await database.dispose()
    print(f"{result.day}: {result.found} reminders due, {result.recorded} new")  # noqa: T201
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
                "remind": CommandWithArguments(
                    "one reminder pass as the worker runs it daily (reports and round deadlines)",
                    _remind_arguments,
                    remind,
                ),
            },
        )
    )


if __name__ == "__main__":
    main()
