"""What every channel's sender raises when a message did not get through, so that the delivery worker
records one kind of failure and decides from it alone whether to try again."""

from __future__ import annotations


class SendFailed(Exception):
    """A send that did not get through.

    ``reason`` is for people (the delivery log shows it); ``retryable`` says whether trying the same
    message again later can succeed; ``status`` is the receiver's HTTP status, where there was one.
    """

    def __init__(self, reason: str, retryable: bool, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status

    def __repr__(self) -> str:
        return f"SendFailed({self.reason!r}, retryable={self.retryable}, status={self.status})"
