"""The whole platform on one machine: PostgreSQL, migrations, the three services and the nginx gateway.

``make run`` and the end-to-end tests both use :class:`Stack`, so the tests exercise what developers run.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from devstack.gateway import GatewayConfig, check_config, nginx_command, prepare_prefix
from devstack.keys import DEV_AUDIENCE, DEV_ISSUER, DevKeys, ensure_dev_keys
from devstack.postgres import EMBEDDED_DATABASE, embedded_server
from devstack.processes import ManagedProcess


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    seeds: bool = False  # has a `seed` command that loads the demo data (idempotent)

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"


SERVICES = (
    ServiceSpec("targets", seeds=True),
    ServiceSpec("nominations", seeds=True),
    ServiceSpec("notifications", seeds=True),
)
# The services whose outbox a relay delivers to the notifications service.
PRODUCERS = ("targets", "nominations")
# What does deferred work (the relays, the notifications workers, the mail catcher standing for a mail server)
# yields the CPU to what answers requests: on one machine, where all share two cores, a relay's batch or a
# worker's sends made a request wait for a core (on Kubernetes each has CPU of its own: deploy/k8s/).
DEFERRED_NICENESS = 10
# The services that call their siblings as a service (a token of their own): the producers' relays, and the
# notifications reminders (targets' reporting obligations, nominations' round deadlines).
SERVICE_CALLERS = (*PRODUCERS, "notifications")
# A service token lives as long as a development stack may run; the relays are restarted with the stack.
SERVICE_TOKEN_TTL_SECONDS = 30 * 24 * 3600
# Typical local frontend dev servers (Vite, Next.js); GATEWAY_CORS_ORIGINS replaces the list.
DEFAULT_CORS_ORIGINS = ("http://localhost:3000", "http://localhost:5173")


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (nginx workers, uvicorn's), in MiB; psutil.Error if
    it is gone."""
    parent = psutil.Process(pid)
    rss = parent.memory_info().rss + sum(child.memory_info().rss for child in parent.children(recursive=True))
    return round(rss / 2**20, 1)


def memory_mib(pids: Mapping[str, int]) -> dict[str, float]:
    """:func:`rss_mib` of each named process that is still there."""
    result: dict[str, float] = {}
    for name, pid in pids.items():
        with contextlib.suppress(psutil.Error):
            result[name] = rss_mib(pid)
    return result


class StackError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gateway_prefix(wanted: Path) -> Path:
    """``wanted``, unless nginx's workers (``nobody`` when started as root) could not reach it.

    Workers write request bodies to the prefix's tmp/; under a private directory (pytest's tmp dirs are
    0700) that fails with "Permission denied", so a fresh world-traversable directory is used instead.
    """
    if os.geteuid() != 0 or all(
        parent.stat().st_mode & 0o001 for parent in wanted.parents if parent.exists()
    ):
        return wanted
    fallback = Path(tempfile.mkdtemp(prefix="devstack-gateway-"))
    fallback.chmod(0o755)
    return fallback


@dataclass
class StackOptions:
    state: Path
    database_url: str | None = None
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    service_ports: dict[str, int] = field(default_factory=dict)
    cors_origins: tuple[str, ...] = DEFAULT_CORS_ORIGINS
    trusted_proxies: tuple[str, ...] = ()
    echo: bool = True
    seed: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    # Every service's clock starts at this moment instead of the wall clock's (the end-to-end tests).
    clock_at: dt.datetime | None = None
    # The notifications workers (procrastinate) and the mail catcher's SMTP and web ports (0: free ports).
    workers: int = 1
    mail_smtp_port: int = 0
    mail_http_port: int = 0
    # Where the notifications service sends mail instead of the mail catcher (0: the mail catcher).
    smtp_port: int = 0

    def port_of(self, service: str) -> int:
        return self.service_ports[service]


@dataclass
class StartupReport:
    seconds: float
    database: str
    memory_mib: dict[str, float]


class Stack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.log_dir = options.state / "logs"
        self.processes: dict[str, ManagedProcess] = {}
        self._exit = ExitStack()
        self.database_url = ""
        self.database_kind = ""
        self.keys: DevKeys | None = None
        self.report: StartupReport | None = None
        self._commands: dict[str, tuple[list[str], Mapping[str, str], signal.Signals, int]] = {}
        self._started_at = time.perf_counter()

    @property
    def gateway_url(self) -> str:
        return f"http://{self.options.gateway_host}:{self.options.gateway_port}"

    def service_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.options.port_of(service)}"

    def log_file(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        assert self.keys is not None  # noqa: S101 - set in start()
        prefix = spec.env_prefix
        env = {**os.environ, **self.options.extra_env}
        env.update(
            {
                f"{prefix}ENVIRONMENT": "development",
                f"{prefix}DATABASE_URL": self.database_url,
                f"{prefix}HOST": "127.0.0.1",
                f"{prefix}PORT": str(self.options.port_of(spec.name)),
                f"{prefix}JWKS_FILE": str(self.keys.jwks_file),
                f"{prefix}JWT_ISSUER": DEV_ISSUER,
                f"{prefix}JWT_AUDIENCE": DEV_AUDIENCE,
                # A development stack's clock may be set (demonstrations, the end-to-end round).
                f"{prefix}CLOCK_ADJUSTABLE": "true",
                # Sibling services, for the calls a service makes over HTTP.
                **{
                    f"{prefix}{other.name.upper()}_URL": self.service_url(other.name)
                    for other in SERVICES
                    if other != spec
                },
            }
        )
        env.pop(f"{prefix}JWKS_URL", None)
        if self.options.clock_at is not None:
            env[f"{prefix}CLOCK_AT"] = self.options.clock_at.isoformat()
        if spec.name == "nominations":
            env.setdefault("NOMINATIONS_ATTACHMENTS_DIR", str(self.options.state / "attachments"))
        if spec.name == "notifications":
            env.update(
                {
                    "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
                    "NOTIFICATIONS_SMTP_PORT": str(self.options.smtp_port or self.options.mail_smtp_port),
                    "NOTIFICATIONS_SMTP_SECURITY": "none",
                    # Webhook receivers of a developer's machine listen on loopback.
                    "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
                    "NOTIFICATIONS_APP_URL": self.gateway_url,
                }
            )
        if spec.name in SERVICE_CALLERS:
            env[f"{prefix}SERVICE_TOKEN"] = self.keys.mint(
                roles=["service"],
                org_unit=None,
                subject=f"service-account-{spec.name}",
                ttl_seconds=SERVICE_TOKEN_TTL_SECONDS,
                extra_claims={"azp": spec.name},
            )
        return env

    @property
    def mail_url(self) -> str:
        """Where a developer reads the mail the stack sent (the mail catcher's page)."""
        return f"http://127.0.0.1:{self.options.mail_http_port}"

    def say(self, message: str) -> None:
        """A line on the terminal for each step, with the seconds since the start (``make run``)."""
        if self.options.echo:
            print(f"devstack: {time.perf_counter() - self._started_at:5.1f} s  {message}", flush=True)

    def _spawn(
        self,
        name: str,
        command: list[str],
        env: Mapping[str, str],
        stop_signal: signal.Signals = signal.SIGTERM,
        niceness: int = 0,
    ) -> None:
        self._commands[name] = (command, env, stop_signal, niceness)
        self.processes[name] = ManagedProcess(
            name,
            command,
            env=env,
            log_file=self.log_file(name),
            echo=self.options.echo,
            stop_signal=stop_signal,
            niceness=niceness,
        )

    def _start_workers(self) -> None:
        """The mail catcher, a relay per producing service, and the notifications workers."""
        self._spawn(
            "mailcatcher",
            [
                sys.executable,
                "-m",
                "devstack.mailcatcher",
                "--smtp-port",
                str(self.options.mail_smtp_port),
                "--http-port",
                str(self.options.mail_http_port),
                "--dir",
                str(self.options.state / "mail"),
            ],
            dict(os.environ),
            niceness=DEFERRED_NICENESS,
        )
        specs = {spec.name: spec for spec in SERVICES}
        for producer in PRODUCERS:
            self._spawn(
                f"{producer}-relay",
                [sys.executable, "-m", producer, "relay"],
                self.service_env(specs[producer]),
                niceness=DEFERRED_NICENESS,
            )
        for index in range(1, self.options.workers + 1):
            self._spawn(
                f"notifications-worker-{index}",
                [sys.executable, "-m", "notifications", "worker"],
                self.service_env(specs["notifications"]),
                niceness=DEFERRED_NICENESS,
            )

    def start(self, timeout: float = 60.0) -> StartupReport:
        started = self._started_at = time.perf_counter()
        try:
            for spec in SERVICES:
                self.options.service_ports.setdefault(spec.name, free_port())
            self.options.mail_smtp_port = self.options.mail_smtp_port or free_port()
            self.options.mail_http_port = self.options.mail_http_port or free_port()
            self.log_dir.mkdir(parents=True, exist_ok=True)
            self.keys = ensure_dev_keys(self.options.state / "keys")
            self._start_database()
            self.say(f"database ready ({self.database_kind})")
            self._migrate()
            # Processes get ``timeout`` to be ready once the schema is there (migrations end on their own).
            deadline = time.monotonic() + timeout
            for spec in SERVICES:
                self._spawn(spec.name, [sys.executable, "-m", spec.name, "serve"], self.service_env(spec))
            self.say("services starting: " + ", ".join(spec.name for spec in SERVICES))
            for spec in SERVICES:
                self._wait_ready(spec.name, self.readiness[spec.name], deadline)
                self.say(f"{spec.name} ready at {self.service_url(spec.name)}")
            # After the services, not beside them: eight processes importing at once on two cores made the
            # services ready 1.2 s later (8.1-8.3 s against 6.8-7.1 s).
            self._start_workers()
            self._wait_ready("mailcatcher", self.readiness["mailcatcher"], deadline)
            self.say(f"relays, workers and mail catcher started ({self.mail_url})")
            self._start_gateway()
            for spec in SERVICES:
                self._wait_ready("gateway", f"{self.gateway_url}/health/{spec.name}", deadline)
            self.say(f"gateway ready at {self.gateway_url}")
        except BaseException:
            self.stop()
            raise
        self.report = StartupReport(
            seconds=time.perf_counter() - started,
            database=self.database_kind,
            memory_mib=self.memory_mib(),
        )
        return self.report

    def _start_database(self) -> None:
        if self.options.database_url:
            self.database_url = self.options.database_url
            self.database_kind = "DATABASE_URL"
            return
        server = self._exit.enter_context(embedded_server(self.options.state / "pgdata"))
        self.database_url = server.create_database(EMBEDDED_DATABASE, exist_ok=True)
        self.database_kind = server.kind

    def _migrate(self) -> None:
        """Each service's migrate command (as its compose migrate job runs it), then its seed if any."""

        def migrate(spec: ServiceSpec) -> subprocess.CompletedProcess[str]:
            steps = ["migrate", "seed"] if spec.seeds and self.options.seed else ["migrate"]
            for step in steps:
                result = subprocess.run(
                    [sys.executable, "-m", spec.name, step],
                    env=self.service_env(spec),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    break
            else:
                self.say(f"{spec.name}: {' and '.join(steps)} done")
            return result

        with concurrent.futures.ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
            results = dict(zip(SERVICES, pool.map(migrate, SERVICES), strict=True))
        failed = {spec.name: result for spec, result in results.items() if result.returncode != 0}
        if failed:
            details = "\n".join(
                f"[{name}]\n{result.stdout}{result.stderr}" for name, result in failed.items()
            )
            raise StackError(f"migrations failed for {', '.join(failed)}:\n{details}")

    def _start_gateway(self) -> None:
        wanted = self.options.state / "gateway"
        prefix = gateway_prefix(wanted)
        if prefix != wanted:
            self._exit.callback(shutil.rmtree, prefix, ignore_errors=True)
        conf = prepare_prefix(
            prefix,
            GatewayConfig(
                listen=f"{self.options.gateway_host}:{self.options.gateway_port}",
                upstreams={spec.name: f"127.0.0.1:{self.options.port_of(spec.name)}" for spec in SERVICES},
                cors_origins=self.options.cors_origins,
                trusted_proxies=self.options.trusted_proxies,
            ),
        )
        checked = check_config(prefix, conf)
        if checked.returncode != 0:
            raise StackError(f"nginx -t failed:\n{checked.stderr}")
        self._spawn(
            "gateway",
            nginx_command(prefix, conf, "-g", "daemon off;"),
            dict(os.environ),
            stop_signal=signal.SIGQUIT,  # nginx: graceful shutdown
        )

    def _wait_ready(self, name: str, url: str, deadline: float) -> None:
        process = self.processes[name]
        last = "no answer yet"
        with httpx.Client(timeout=2.0) as client:
            first = True
            while first or time.monotonic() < deadline:
                first = False
                if not process.alive():
                    raise StackError(f"{name} exited with {process.process.returncode}:\n{process.tail()}")
                try:
                    response = client.get(url)
                    if response.status_code == 200:
                        return
                    last = f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last = repr(exc)
                time.sleep(0.1)
        raise StackError(f"{name} not ready at {url} in time (last: {last}):\n{process.tail()}")

    @property
    def readiness(self) -> dict[str, str]:
        """The address that answers 200 once a process is ready, for those that have one."""
        ready = {spec.name: f"{self.service_url(spec.name)}/readyz" for spec in SERVICES}
        return ready | {"mailcatcher": f"{self.mail_url}/messages", "gateway": f"{self.gateway_url}/healthz"}

    def kill(self, name: str) -> None:
        """SIGKILL a process and its children, as a crash would: no shutdown code of its own runs."""
        managed = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(managed.pid, signal.SIGKILL)
        managed.process.wait()
        managed.stop()  # only closes its log now

    def respawn(self, name: str) -> int:
        """Start a stopped process again as it was started (same command, environment and ports); its pid."""
        self._spawn(name, *self._commands[name])
        return self.processes[name].pid

    def restart_with(self, name: str, env: Mapping[str, str], timeout: float = 60.0) -> None:
        """Stop ``name`` gracefully and start it again with ``env`` added to its environment, ready."""
        command, started_with, stop_signal, niceness = self._commands[name]
        self.processes.pop(name).stop()
        self._commands[name] = (command, {**started_with, **env}, stop_signal, niceness)
        self.restart(name, timeout)

    def restart(self, name: str, timeout: float = 60.0) -> None:
        """:meth:`respawn` a killed process and wait until it is ready, for those that say so."""
        self.respawn(name)
        if name in self.readiness:
            self._wait_ready(name, self.readiness[name], time.monotonic() + timeout)

    def reap(self, name: str) -> int:
        """Forget a process that has exited (its log closed); its exit status."""
        return self.processes.pop(name).stop()

    def crashed(self) -> list[str]:
        return [name for name, process in self.processes.items() if not process.alive()]

    def memory_mib(self) -> dict[str, float]:
        """Resident memory of each process (with its children: nginx workers, uvicorn)."""
        return memory_mib({name: managed.pid for name, managed in self.processes.items()})

    def stop(self) -> None:
        """Gateway first (no new requests), then the relays and workers, the services, then the database."""
        services = [spec.name for spec in SERVICES]
        others = [name for name in self._commands if name not in {*services, "gateway"}]
        for name in ["gateway", *others, *services]:
            process = self.processes.pop(name, None)
            if process is not None:
                process.stop()
        self._exit.close()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def default_options(state: Path) -> StackOptions:
    """Options from the environment, as documented in the README's configuration table."""
    origins = os.environ.get("GATEWAY_CORS_ORIGINS")
    # The services listen on base+1, base+2, base+3; 0 picks free ports (handy in tests and CI).
    base = int(os.environ.get("SERVICE_PORT_BASE", "8100"))
    ports = (
        {spec.name: base + index for index, spec in enumerate(SERVICES, start=1)}
        if base
        else {spec.name: free_port() for spec in SERVICES}
    )
    return StackOptions(
        state=state,
        database_url=os.environ.get("DATABASE_URL") or None,
        gateway_host=os.environ.get("GATEWAY_HOST", "127.0.0.1"),
        gateway_port=int(os.environ.get("GATEWAY_PORT", "8080")),
        service_ports=ports,
        cors_origins=tuple(origin for origin in (origins or "").split(",") if origin)
        if origins is not None
        else DEFAULT_CORS_ORIGINS,
        workers=int(os.environ.get("NOTIFICATIONS_WORKERS", "1")),
        mail_smtp_port=int(os.environ.get("MAIL_SMTP_PORT", "1025")),
        mail_http_port=int(os.environ.get("MAIL_HTTP_PORT", "8025")),
    )
