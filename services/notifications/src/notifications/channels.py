"""What every channel's sender raises when a message did not go."""

from __future__ import annotations


class SendFailed(Exception):
    """A send that did not succeed; ``retryable`` says whether trying again may help."""

    def __init__(self, reason: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status
