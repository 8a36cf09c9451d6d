"""The supervisor's decisions, on a stand-in stack and a clock the test moves (the real processes: the
`make run` test in tests/e2e/test_processes.py)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from devstack.supervisor import Backoff, Supervisor


@dataclass
class StandInStack:
    exited: dict[str, int] = field(default_factory=dict)
    respawned: list[str] = field(default_factory=list)
    ready: set[str] = field(default_factory=set)

    @property
    def readiness(self) -> Mapping[str, str]:
        return {"targets": "http://targets/readyz"}

    def crashed(self) -> list[str]:
        return list(self.exited)

    def reap(self, name: str) -> int:
        return self.exited.pop(name)

    def respawn(self, name: str) -> int:
        self.respawned.append(name)
        return 1000 + len(self.respawned)


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


def supervisor(stack: StandInStack, clock: Clock, said: list[str]) -> Supervisor:
    return Supervisor(stack, said.append, clock=clock, is_ready=lambda url: url.split("/")[2] in stack.ready)


def test_a_process_that_exits_is_started_again_after_a_wait_that_doubles_in_a_row() -> None:
    stack, clock, said = StandInStack(), Clock(), list[str]()
    watcher = supervisor(stack, clock, said)
    starts: list[float] = []
    for _ in range(7):
        stack.exited["targets-relay"] = -9
        watcher.tick()
        exited_at = clock.now
        while not stack.respawned or len(stack.respawned) == len(starts):
            clock.now += 0.5
            watcher.tick()
        starts.append(clock.now - exited_at)
        clock.now += 5  # runs a little, then exits again
    assert starts == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert said[0] == "targets-relay exited with status -9; starting it again in 1 s (exit 1 in a row)"
    assert said[1] == "targets-relay started again (pid 1001)"


def test_a_process_that_ran_for_a_minute_starts_over_from_the_first_wait() -> None:
    stack, clock, said = StandInStack(), Clock(), list[str]()
    watcher = supervisor(stack, clock, said)
    for _ in range(3):
        stack.exited["gateway"] = 1
        watcher.tick()
        clock.now += 30
        watcher.tick()
    assert watcher.waiting == {}
    clock.now += Backoff().stable_seconds
    stack.exited["gateway"] = 1
    watcher.tick()
    assert watcher.waiting == {"gateway": clock.now + 1.0}


def test_a_restarted_service_is_said_ready_again_once_its_readiness_answers() -> None:
    stack, clock, said = StandInStack(), Clock(), list[str]()
    watcher = supervisor(stack, clock, said)
    stack.exited["targets"] = -9
    watcher.tick()
    clock.now += 1
    watcher.tick()
    clock.now += 2.5
    watcher.tick()
    assert not [line for line in said if "ready again" in line]
    stack.ready.add("targets")
    watcher.tick()
    assert said[-1] == "targets ready again, 2.5 s after its start"
    watcher.tick()
    assert len([line for line in said if "ready again" in line]) == 1
