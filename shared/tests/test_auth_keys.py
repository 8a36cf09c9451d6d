"""Key sources: file rotation and the identity provider's JWKS endpoint (unit tests)."""

import asyncio
import json
import os
from pathlib import Path

import httpx
import jwt
import pytest

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER, ensure_dev_keys
from shared import clock
from shared.auth import InvalidToken, JwksFileSource, JwksUrlSource, Role, TokenVerifier
from shared.problems import ServiceUnavailable


async def test_a_rotated_key_file_is_picked_up(tmp_path: Path) -> None:
    keys = ensure_dev_keys(tmp_path / "a")
    verifier = TokenVerifier(JwksFileSource(keys.jwks_file), issuer=DEV_ISSUER, audience=DEV_AUDIENCE)
    assert (await verifier.verify(keys.mint(roles=["viewer"], org_unit="HT"))).roles == {Role.VIEWER}

    rotated = ensure_dev_keys(tmp_path / "b")
    keys.jwks_file.write_text(rotated.jwks_file.read_text())
    os.utime(keys.jwks_file, (1, 1))  # a different mtime, as a real rewrite would give
    assert (await verifier.verify(rotated.mint(roles=["admin"], org_unit="HT"))).roles == {Role.ADMIN}
    with pytest.raises(InvalidToken):
        await verifier.verify(keys.mint(roles=["admin"], org_unit="HT"))


async def test_keycloak_style_roles_claim(tmp_path: Path) -> None:
    keys = ensure_dev_keys(tmp_path)
    verifier = TokenVerifier(JwksFileSource(keys.jwks_file), roles_claim="realm_access.roles")
    token = keys.mint(
        roles=[], org_unit="HT", extra_claims={"realm_access": {"roles": ["secretariat", "offline_access"]}}
    )
    principal = await verifier.verify(token)
    assert principal.roles == {Role.SECRETARIAT}


async def test_url_source_fetches_caches_and_survives_an_outage(tmp_path: Path) -> None:
    keys = ensure_dev_keys(tmp_path)
    calls: list[int] = []
    up = {"value": True}

    def idp(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if not up["value"]:
            return httpx.Response(503)
        return httpx.Response(200, json=json.loads(keys.jwks_file.read_text()))

    source = JwksUrlSource(
        "https://idp.example/certs",
        cache_seconds=300,
        client=httpx.AsyncClient(transport=httpx.MockTransport(idp)),
    )
    verifier = TokenVerifier(source)
    await verifier.verify(keys.mint(roles=["viewer"], org_unit="HT"))
    await verifier.verify(keys.mint(roles=["viewer"], org_unit="HT"))
    assert len(calls) == 1
    up["value"] = False
    source._fetched_at = 0  # the cache has expired while the provider is down
    await verifier.verify(keys.mint(roles=["viewer"], org_unit="HT"))
    await source.aclose()


async def test_url_source_without_any_keys_is_503(tmp_path: Path) -> None:
    keys = ensure_dev_keys(tmp_path)

    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502)

    source = JwksUrlSource(
        "https://idp.example/certs",
        cache_seconds=300,
        client=httpx.AsyncClient(transport=httpx.MockTransport(down)),
    )
    with pytest.raises(ServiceUnavailable):
        await TokenVerifier(source).verify(keys.mint(roles=["viewer"], org_unit="HT"))
    await source.aclose()


class CountingSource(JwksFileSource):
    calls = 0

    async def keys(self, *, refresh: bool = False) -> jwt.PyJWKSet:
        self.calls += 1
        return await super().keys(refresh=refresh)


async def test_a_verified_token_is_reused_until_it_expires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = ensure_dev_keys(tmp_path)
    source = CountingSource(keys.jwks_file)
    verifier = TokenVerifier(source, issuer=DEV_ISSUER, audience=DEV_AUDIENCE, leeway_seconds=0)
    # Two seconds: the claims are whole seconds, so a token of one could expire before its first check.
    token = keys.mint(roles=["viewer"], org_unit="HT", ttl_seconds=2)
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first
    assert source.calls == 1
    # After its expiry the token is checked again, and refused.
    expires = float(first.claims["exp"])
    await asyncio.sleep(max(0.0, expires - clock.wall_seconds()) + 0.05)
    with pytest.raises(InvalidToken, match="expired"):
        await verifier.verify(token)
