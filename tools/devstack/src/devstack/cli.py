"""``devstack run`` (behind ``make run``) and ``devstack token`` (behind ``make token``)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from devstack.bench import run_bench
from devstack.bench_awards import run_bench_awards
from devstack.bench_commendation import run_bench_commendation
from devstack.bench_load import run_bench_load
from devstack.bench_notifications import run_bench_notifications
from devstack.bench_reports import run_bench_reports
from devstack.demo import RECOVER, SIGN_IN, DemoError, DemoReport, load_demo
from devstack.gateway import NginxMissing
from devstack.keys import ensure_dev_keys
from devstack.openapi import run_openapi
from devstack.paths import state_dir
from devstack.stack import Stack, StackError, StartupReport, default_options
from devstack.supervisor import Supervisor
from shared.auth import Role


def _run(_: argparse.Namespace) -> int:
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    stack = Stack(default_options(state_dir()))
    try:
        report = stack.start()
    except (StackError, NginxMissing) as exc:
        print(f"devstack: {exc}", file=sys.stderr)
        return 1
    try:
        return _serve(stack, report, stop)
    finally:
        # Whatever happens after the start (an error in the demonstration's loading too), the children, each
        # in a session of its own, are stopped and their ports freed.
        print("devstack: stopping…", flush=True)
        stack.stop()
        print("devstack: stopped", flush=True)


def _serve(stack: Stack, report: StartupReport, stop: threading.Event) -> int:
    memory = ", ".join(f"{name} {mib} MiB" for name, mib in report.memory_mib.items())
    demo = _demo(stack)
    print(
        "\n"
        f"  Web app:   {stack.gateway_url}/  (the public pages, in Vietnamese)\n"
        f"{_demo_lines(stack, demo)}"
        f"  Gateway:   {stack.gateway_url}\n"
        f"  Health:    {stack.gateway_url}/health/targets (also /nominations, /notifications)\n"
        f"  Token:     {_token_command('ROLE=admin ORG_UNIT=HT')}\n"
        f"  Mail:      {stack.mail_url} (every email the stack sends)\n"
        f"  Database:  {report.database}\n"
        f"  Logs:      {stack.log_dir}\n"
        f"  Started in {report.seconds:.1f} s; memory: {memory}\n"
        "  Press Ctrl-C to stop.\n",
        flush=True,
    )
    supervisor = Supervisor(stack, stack.say)
    while not stop.wait(0.5):
        supervisor.tick()
    return 0


def _demo(stack: Stack) -> DemoReport | None:
    """The demonstration data set, unless ``DEMO=0``; a refusal is said and the stack keeps running."""
    if os.environ.get("DEMO", "1") == "0":
        return None
    print("devstack: loading the demonstration data (DEMO=0 skips it)…", flush=True)
    try:
        demo = load_demo(stack)
    except DemoError as exc:
        print(f"devstack: the demonstration data was not loaded: {exc}", file=sys.stderr, flush=True)
        return None
    done = ", ".join(demo.loaded) or "nothing new"
    kept = f"; already there: {', '.join(demo.present)}" if demo.present else ""
    print(f"devstack: demonstration data loaded in {demo.seconds:.1f} s ({done}{kept})", flush=True)
    for part in demo.cut:
        print(f"devstack: demonstration part not loaded: {part}: {RECOVER}", file=sys.stderr, flush=True)
    return demo


def _token_command(claims: str) -> str:
    """``make token`` as this stack's keys sign: with its state directory when it is not the default one."""
    state = os.environ.get("DEVSTACK_STATE_DIR")
    return f"{f'DEVSTACK_STATE_DIR={state} ' if state else ''}make -s token {claims}"


def _demo_lines(stack: Stack, demo: DemoReport | None) -> str:
    if demo is None:
        return ""
    people = "".join(f"             {who}: {_token_command(claims)}\n" for who, claims in SIGN_IN)
    return (
        f"  Demo:      results 2021-2024: {demo.published_values} published (each with its source), "
        f"{demo.illustrative_values} illustrative (marked 'Số liệu minh họa'); docs/web.md\n"
        f"  Sign in:   {stack.gateway_url}/#/dang-nhap with a token:\n{people}"
    )


def _token(args: argparse.Namespace) -> int:
    if args.service:
        if args.role or args.org_unit or args.sub:
            print("devstack token: --service takes no --role, --org-unit or --sub", file=sys.stderr)
            return 2
        keys = ensure_dev_keys(state_dir() / "keys")
        print(keys.mint_service(args.service, ttl_seconds=args.ttl))
        return 0
    roles = [role.strip() for value in args.role for role in value.split(",") if role.strip()]
    known = {role.value for role in Role}
    unknown = sorted(set(roles) - known)
    if unknown or not roles:
        print(
            f"devstack token: unknown role(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(sorted(known))}",
            file=sys.stderr,
        )
        return 2
    keys = ensure_dev_keys(state_dir() / "keys")
    print(keys.mint(roles=roles, org_unit=args.org_unit or None, subject=args.sub, ttl_seconds=args.ttl))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack", description="The platform's local development stack.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start PostgreSQL, the three services and the gateway; Ctrl-C stops")
    token = commands.add_parser("token", help="print a bearer token the local stack accepts")
    token.add_argument("--role", action="append", default=[], help="a role, or several comma-separated")
    token.add_argument("--org-unit", default=None, help="the org unit code the token acts for")
    token.add_argument("--sub", default=None, help="the subject (user or system id); random when omitted")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds (default 8 hours)")
    token.add_argument(
        "--service",
        default=None,
        help="a service account's token instead: role service, azp and subject service-account-<SERVICE>",
    )
    commands.add_parser("bench", help="the targets benchmark (make bench); options: devstack bench --help")
    commands.add_parser("bench-awards", help="the nominations benchmark (make bench-awards)")
    commands.add_parser("bench-reports", help="the report downloads benchmark (make bench-reports)")
    commands.add_parser(
        "bench-commendation", help="fairness, timeliness, block ranking (make bench-commendation)"
    )
    commands.add_parser("openapi", help="write the merged OpenAPI document, web/openapi.json (make openapi)")
    commands.add_parser(
        "bench-notifications",
        help="the notifications benchmark (make bench-notifications); options: --help after it",
    )
    commands.add_parser(
        "bench-load",
        help="mixed load through the gateway with locust (make bench-load); options: --help after it",
    )
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["bench-load"]:
        return run_bench_load(argv[1:])
    if argv[:1] == ["bench"]:
        return run_bench(argv[1:])
    if argv[:1] == ["bench-awards"]:
        return run_bench_awards(argv[1:])
    if argv[:1] == ["bench-reports"]:
        return run_bench_reports(argv[1:])
    if argv[:1] == ["bench-commendation"]:
        return run_bench_commendation(argv[1:])
    if argv[:1] == ["bench-notifications"]:
        return run_bench_notifications(argv[1:])
    if argv[:1] == ["openapi"]:
        return run_openapi(argv[1:])
    args = parser.parse_args(argv)
    handlers = {"run": _run, "token": _token}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
