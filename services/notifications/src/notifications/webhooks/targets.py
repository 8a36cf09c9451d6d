"""Where a webhook may be sent: one rule, applied when an endpoint is registered or changed AND before each
send, since what a name resolves to can change after it was registered.

* http or https only, and https only in production; a host, and no user name or password in the URL;
* every address the host resolves to must be a public one: not private, loopback, link-local, shared
  (100.64/10), multicast, reserved or unspecified, IPv4 or IPv6, looking through IPv4 written inside IPv6
  (``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``), unless
  ``NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS`` allows them (by default everywhere but production).

A webhook must not become a way to reach what sits beside the platform (the database, the metadata
service at 169.254.169.254, an admin port on localhost).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from notifications.config import Settings
from shared.problems import UnprocessableContent
from shared.settings import Environment

MAX_URL_LENGTH = 2000
RESOLVE_TIMEOUT_SECONDS = 5.0
NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(UnprocessableContent):
    slug = "webhook-target-refused"
    title = "This webhook URL is not allowed"

    def __init__(self, reason: str, *, transient: bool = False) -> None:
        super().__init__(
            reason, errors=[{"location": "body.url", "message": reason, "type": "webhook_target"}]
        )
        self.reason = reason
        # The name did not resolve just now: worth trying again later (a send), unlike a forbidden address.
        self.transient = transient


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    https_only: bool
    allow_private: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> TargetPolicy:
        return cls(
            https_only=settings.environment is Environment.PRODUCTION,
            allow_private=settings.webhooks_reach_private_targets,
        )


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def refusal(address: IPAddress) -> str | None:
    """Why a webhook may not go to ``address`` (None: it may)."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner = refusal(embedded)
        return f"{inner} (IPv4 {embedded} inside IPv6)" if inner else None
    for kind, found in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if found:
            return kind
    return None if address.is_global else "not publicly routable"


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError) as exc:
        raise TargetRefused(f"The host {host} does not resolve ({exc}).", transient=True) from None
    # A scoped IPv6 address comes back as "fe80::1%eth0"; the zone does not change what it is.
    return sorted({ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}, key=str)


async def check_target(url: str, policy: TargetPolicy) -> None:
    """Refuse (:class:`TargetRefused`, naming why) a URL a webhook may not be sent to."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise TargetRefused("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"The URL cannot be read: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise TargetRefused(f"The URL must be http or https, not {scheme or 'without a scheme'}.")
    if policy.https_only and scheme != "https":
        raise TargetRefused("The URL must be https in production.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("The URL may not carry a user name or password; authenticate by the signature.")
    host = parts.hostname
    if not host:
        raise TargetRefused("The URL names no host.")
    if policy.allow_private:
        return
    for address in await _resolve(host, port or (443 if scheme == "https" else 80)):
        why = refusal(address)
        if why is not None:
            raise TargetRefused(
                f"The host {host} resolves to {address} ({why}): webhooks go to public addresses only."
            )
