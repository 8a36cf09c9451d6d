"""Child processes of the development stack (devstack.processes)."""

import os
import sys
from pathlib import Path

from devstack.processes import ManagedProcess


def test_a_child_given_a_niceness_yields_the_cpu_and_one_without_keeps_the_supervisors(
    tmp_path: Path,
) -> None:
    command = [sys.executable, "-c", "import time; time.sleep(30)"]
    deferred = ManagedProcess(
        "relay", command, env=os.environ, log_file=tmp_path / "relay.log", echo=False, niceness=10
    )
    answering = ManagedProcess("api", command, env=os.environ, log_file=tmp_path / "api.log", echo=False)
    try:
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, deferred.pid) == 10
        assert os.getpriority(os.PRIO_PROCESS, answering.pid) == own
    finally:
        deferred.stop(timeout=5)
        answering.stop(timeout=5)
