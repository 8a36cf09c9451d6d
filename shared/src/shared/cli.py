"""``python -m <service> serve|migrate|downgrade``: the entry point of every service's process and image."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from alembic import command
from fastapi import FastAPI

from shared import migrations
from shared.logs import configure_logging, logging_config
from shared.metrics import shared_metrics
from shared.settings import ConfigurationError, ServiceSettings, load_settings

ServiceCommand = Callable[[ServiceSettings], Coroutine[Any, Any, int]]


@dataclass(frozen=True, slots=True)
class CommandWithArguments:
    """A service's command that takes options of its own (``python -m notifications remind --on DATE``)."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[ServiceSettings, argparse.Namespace], Coroutine[Any, Any, int]]


def run_service_cli(
    settings_class: type[ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    script_location: str,
    argv: Sequence[str] | None = None,
    commands_of_service: Mapping[str, tuple[str, ServiceCommand] | CommandWithArguments] | None = None,
) -> int:
    name = settings_class.service_name
    parser = argparse.ArgumentParser(prog=f"python -m {name}", description=f"The {name} service.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="answer HTTP requests (uvicorn)")
    upgrade = commands.add_parser("migrate", help="upgrade the service's schema (default: to head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = commands.add_parser("downgrade", help="downgrade the service's schema")
    downgrade.add_argument("revision")
    revision = commands.add_parser("revision", help="write a new migration (developers)")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--autogenerate", action="store_true", help="diff the models against the database")
    extra = dict(commands_of_service or {})
    for command_name, spec in extra.items():
        if isinstance(spec, CommandWithArguments):
            spec.add_arguments(commands.add_parser(command_name, help=spec.help))
        else:
            commands.add_parser(command_name, help=spec[0])
    args = parser.parse_args(argv)

    try:
        settings = load_settings(settings_class)
    except ConfigurationError as exc:
        print(f"{name}: {exc}", file=sys.stderr)  # noqa: T201 - logging is not configured yet
        return 2

    configure_logging(name, settings.log_level)
    config = migrations.alembic_config(
        script_location, settings.database_url.get_secret_value(), settings.db_schema
    )
    if args.command == "migrate":
        migrations.upgrade(config, args.revision)
        return 0
    if args.command == "downgrade":
        migrations.downgrade(config, args.revision)
        return 0
    if args.command == "revision":
        command.revision(config, message=args.message, autogenerate=args.autogenerate)
        return 0
    if args.command in extra:
        spec = extra[args.command]
        try:
            if isinstance(spec, CommandWithArguments):
                return asyncio.run(spec.run(settings, args))
            return asyncio.run(spec[1](settings))
        except ConfigurationError as exc:  # a command's own check of how its settings fit together
            print(f"{name} {args.command}: {exc}", file=sys.stderr)  # noqa: T201 - before anything is logged
            return 2

    # One worker runs in this process; more are forked by uvicorn, each building its app from the environment.
    target: FastAPI | str = app_factory(settings) if settings.workers == 1 else f"{name}.main:create_app"
    with shared_metrics(settings.workers):
        serve(target, name, settings)
    return 0


# Longer than the gateway keeps an idle connection to a service (keepalive_timeout 60s, render-config.sh), so
# the gateway always closes first. With uvicorn's 5 s, a request the gateway sent on a connection uvicorn was
# closing got a reset and the client a 502 (one in 119,000 under make bench-load).
KEEP_ALIVE_SECONDS = 65


def serve(target: FastAPI | str, name: str, settings: ServiceSettings) -> None:
    uvicorn.run(
        target,
        factory=settings.workers > 1,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_config=logging_config(name, settings.log_level),
        access_log=False,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
