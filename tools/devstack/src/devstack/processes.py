"""Child processes with their output captured to a log file (and optionally mirrored to the terminal)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO


def _routine(line: bytes) -> bool:
    """A job queue's bookkeeping at INFO (a periodic sweep every 5 s: three lines each), kept in the log file
    and not mirrored to the terminal, where it buried the start-up banner within seconds."""
    return b'"logger": "procrastinate.' in line and b'"level": "INFO"' in line


class ManagedProcess:
    """A child in its own session: Ctrl-C reaches only the supervisor, which stops the children in order."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        env: Mapping[str, str],
        log_file: Path,
        echo: bool,
        stop_signal: signal.Signals = signal.SIGTERM,
        cwd: Path | None = None,
        niceness: int = 0,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.log_file = log_file
        self.stop_signal = stop_signal
        log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = log_file.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=dict(env),
            cwd=cwd,
            # Not mirrored: the child writes to its log file itself. A copying thread costs this process CPU
            # per line (a tenth of a core under make bench-load's 200 requests/s), which benchmarks count.
            stdout=subprocess.PIPE if echo else self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        if niceness:
            # Set from here, once started (a preexec_fn is unsafe in a process with threads): the children
            # given a niceness start no process of their own.
            with contextlib.suppress(ProcessLookupError):
                os.setpriority(os.PRIO_PROCESS, self.process.pid, niceness)
        self._pump: threading.Thread | None = None
        if echo:
            self._pump = threading.Thread(target=self._copy_output, name=f"log-{name}", daemon=True)
            self._pump.start()

    def _copy_output(self) -> None:
        assert self.process.stdout is not None  # noqa: S101 - stdout=PIPE when echoing
        prefix = f"{self.name:>13} | ".encode()
        for line in iter(self.process.stdout.readline, b""):
            self._log.write(line)
            self._log.flush()
            if not _routine(line):
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.buffer.flush()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> int:
        """Ask the child to stop gracefully; kill it when it has not stopped within ``timeout`` seconds."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, self.stop_signal)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # What the child left behind in its session (nginx's workers when the master was killed, uvicorn's):
        # they would keep its port, and its output pipe open, so the copying thread would never end.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self._pump is not None:
            self._pump.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()
        return self.process.returncode

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""
