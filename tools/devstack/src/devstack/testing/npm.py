"""A test's own npm packages (its ``package.json`` and ``package-lock.json``), installed with ``npm ci`` on
first use, once per lock file, one pytest-xdist worker at a time."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def tool(name: str, why: str) -> str:
    """The path of ``node`` or ``npm``; the test fails saying what it needs them for."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed: this test needs Node 20+ and npm ({why}); `make node` installs them"
        )
    return found


@contextlib.contextmanager
def installed(directory: Path, why: str) -> Iterator[Path]:
    """Hold ``directory``'s lock file while its packages are installed from it and used (workers share
    ``node_modules``); yields ``node_modules``."""
    with (directory / "package-lock.json").open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        digest = hashlib.sha256(
            (directory / "package-lock.json").read_bytes() + (directory / "package.json").read_bytes()
        ).hexdigest()
        stamp = directory / "node_modules" / ".installed-from"
        if not stamp.exists() or stamp.read_text() != digest:
            subprocess.run(
                [
                    tool("npm", why),
                    "ci",
                    "--ignore-scripts",
                    "--prefer-offline",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                ],
                cwd=directory,
                check=True,
                timeout=180,
            )
            stamp.write_text(digest)
        yield directory / "node_modules"
