"""The one rule of where a webhook may go, at the level of addresses and of URLs."""

from __future__ import annotations

import ipaddress

import pytest

from notifications.webhooks.targets import TargetPolicy, TargetRefused, check_target, refusal

DEVELOPMENT = TargetPolicy(https_only=False, allow_private=True)
STRICT = TargetPolicy(https_only=True, allow_private=False)
NO_PRIVATE = TargetPolicy(https_only=False, allow_private=False)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.10.0.3", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.10", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "not publicly routable"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address checked, not bound
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback (IPv4 127.0.0.1 inside IPv6)"),
        ("::ffff:10.0.0.1", "private (IPv4 10.0.0.1 inside IPv6)"),
        ("64:ff9b::a9fe:a9fe", "link-local (IPv4 169.254.169.254 inside IPv6)"),
        ("2002:c0a8:0101::1", "private (IPv4 192.168.1.1 inside IPv6)"),
        ("8.8.8.8", None),
        ("203.113.131.1", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_which_addresses_a_webhook_may_reach(address: str, why: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == why


async def refused(url: str, policy: TargetPolicy) -> TargetRefused:
    with pytest.raises(TargetRefused) as caught:
        await check_target(url, policy)
    return caught.value


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://files.hatinh.gov.vn/hook", "http or https, not ftp"),
        ("hatinh.gov.vn/hook", "http or https, not without a scheme"),
        ("https://user:pass@hooks.hatinh.gov.vn/", "user name or password"),
        ("https://token@hooks.hatinh.gov.vn/", "user name or password"),
        ("https:///nohost", "names no host"),
        ("https://hooks.hatinh.gov.vn:99999/", "cannot be read"),
        ("https://hooks.hatinh.gov.vn/a b", "spaces or control characters"),
        ("https://hooks.hatinh.gov.vn/\r\nX: y", "spaces or control characters"),
        ("https://hooks.hatinh.gov.vn/" + "a" * 2000, "longer than 2000"),
    ],
)
async def test_a_url_that_is_not_a_plain_http_url_is_refused_everywhere(url: str, says: str) -> None:
    assert says in (await refused(url, DEVELOPMENT)).reason


async def test_http_is_refused_where_https_is_required() -> None:
    assert (
        await refused("http://203.113.131.1/hook", STRICT)
    ).reason == "The URL must be https in production."
    await check_target("https://203.113.131.1/hook", STRICT)
    await check_target("http://203.113.131.1/hook", NO_PRIVATE)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hook",
        "https://0.0.0.0/",
    ],
)
async def test_private_targets_are_refused_unless_allowed(url: str) -> None:
    problem = await refused(url, STRICT)
    assert "webhooks go to public addresses only" in problem.reason
    assert not problem.transient
    await check_target(url, TargetPolicy(https_only=True, allow_private=True))
