"""Where the repository and the local state live."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    override = os.environ.get("DEVSTACK_ROOT")
    if override:
        return Path(override).resolve()
    # tools/devstack/src/devstack/paths.py: the workspace is installed editable, so this is the checkout.
    return Path(__file__).resolve().parents[4]


def state_dir() -> Path:
    """Local state that must never be committed: embedded database, dev signing key, logs (``.dev/``)."""
    override = os.environ.get("DEVSTACK_STATE_DIR")
    return Path(override).resolve() if override else repo_root() / ".dev"
