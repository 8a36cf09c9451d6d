"""``make run``'s supervisor: a process of the stack that exits is started again, after a wait that doubles
with each exit in a row (1 s, 2 s, 4 s … at most 30 s; back to 1 s once it has run for a minute), and each
step is said on the terminal with its time. The stack keeps running meanwhile: a crashed relay or worker
costs nothing but its delay, a crashed service the gateway's 502 until it is back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import httpx


class Supervised(Protocol):
    """What the supervisor needs of :class:`devstack.stack.Stack`."""

    @property
    def readiness(self) -> Mapping[str, str]: ...

    def crashed(self) -> list[str]: ...

    def reap(self, name: str) -> int: ...

    def respawn(self, name: str) -> int: ...


def _answers_200(url: str) -> bool:
    try:
        return httpx.get(url, timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass(frozen=True)
class Backoff:
    first_seconds: float = 1.0
    cap_seconds: float = 30.0
    # A process that ran this long before exiting starts over from the first wait.
    stable_seconds: float = 60.0

    def delay(self, exits_in_a_row: int) -> float:
        return float(min(self.cap_seconds, self.first_seconds * 2 ** (exits_in_a_row - 1)))


@dataclass
class Supervisor:
    stack: Supervised
    say: Callable[[str], None]
    backoff: Backoff = field(default_factory=Backoff)
    clock: Callable[[], float] = time.monotonic
    # Whether a restarted process's readiness answers 200 (replaced in unit tests).
    is_ready: Callable[[str], bool] = _answers_200
    _exits: dict[str, int] = field(default_factory=dict)
    _started: dict[str, float] = field(default_factory=dict)
    _due: dict[str, float] = field(default_factory=dict)
    _awaiting_ready: dict[str, float] = field(default_factory=dict)

    def tick(self) -> None:
        """Look once: reap what exited, restart what is due, say what came back."""
        now = self.clock()
        for name in self.stack.crashed():
            status = self.stack.reap(name)
            ran = now - self._started.get(name, float("-inf"))
            exits = 1 if ran >= self.backoff.stable_seconds else self._exits.get(name, 0) + 1
            self._exits[name] = exits
            wait = self.backoff.delay(exits)
            self._due[name] = now + wait
            self._awaiting_ready.pop(name, None)
            self.say(
                f"{name} exited with status {status}; starting it again in {wait:g} s (exit {exits} in a row)"
            )
        for name, due in list(self._due.items()):
            if now >= due:
                del self._due[name]
                pid = self.stack.respawn(name)
                self._started[name] = now
                self.say(f"{name} started again (pid {pid})")
                if name in self.stack.readiness:
                    self._awaiting_ready[name] = now
        for name, since in list(self._awaiting_ready.items()):
            if self.is_ready(self.stack.readiness[name]):
                del self._awaiting_ready[name]
                self.say(f"{name} ready again, {self.clock() - since:.1f} s after its start")

    @property
    def waiting(self) -> Mapping[str, float]:
        """The processes to start again, with when."""
        return dict(self._due)
