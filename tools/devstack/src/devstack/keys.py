"""The development identity provider: an RSA key generated on first use, its JWKS, and token minting.

The private key lives under ``.dev/keys`` (git-ignored); services trust it through ``*_JWKS_FILE`` in
development only (in production the settings require an https JWKS URL).

A service token (:meth:`DevKeys.mint_service`) is what Keycloak's client-credentials grant gives a service
account: the ``service`` role, the client's id as ``azp`` (the authorized party, which the notifications
intake compares with each event's ``producer``), the subject ``service-account-<client>``, no org unit.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from jwt.algorithms import RSAAlgorithm

from shared import clock
from shared.auth import Role

DEV_ISSUER = "urn:thidua:devstack"
DEV_AUDIENCE = "emulation-platform"
SERVICE_ROLE = Role.SERVICE.value


@dataclass(frozen=True)
class DevKeys:
    private_key_file: Path
    jwks_file: Path
    kid: str

    def mint(
        self,
        *,
        roles: Iterable[str],
        org_unit: str | None,
        subject: str | None = None,
        ttl_seconds: int = 8 * 3600,
        issuer: str = DEV_ISSUER,
        audience: str = DEV_AUDIENCE,
        azp: str | None = None,
        extra_claims: dict[str, object] | None = None,
    ) -> str:
        """A signed token; ``azp``: the client it was issued to (a service account's client id)."""
        now = token_time()
        claims: dict[str, object] = {
            "iss": issuer,
            "aud": audience,
            "sub": subject or f"dev-{uuid.uuid4().hex[:8]}",
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            "roles": sorted(set(roles)),
        }
        if org_unit:
            claims["org_unit"] = org_unit
        if azp:
            claims["azp"] = azp
        claims.update(extra_claims or {})
        private_key = _private_key(self.private_key_file, self.private_key_file.stat().st_mtime_ns)
        return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": self.kid})

    def mint_service(self, service: str, *, ttl_seconds: int = 8 * 3600) -> str:
        """A service account's token for ``service`` (e.g. ``nominations``, its relay calling intake)."""
        return self.mint(
            roles=[SERVICE_ROLE],
            org_unit=None,
            subject=service_subject(service),
            azp=service,
            ttl_seconds=ttl_seconds,
        )


def service_subject(service: str) -> str:
    """The subject of a service account's token, as Keycloak names it (``service-account-<client>``)."""
    return f"service-account-{service}"


def token_time() -> int:
    """Seconds since the epoch on the wall clock: a token's ``iat``/``exp`` are counted on it, as the identity
    provider writes them and PyJWT checks them (the platform's dates come from :mod:`shared.clock`)."""
    return int(clock.wall_seconds())


@functools.lru_cache(maxsize=16)
def _private_key(path: Path, mtime_ns: int) -> RSAPrivateKey:
    """Loading (and validating) an RSA key takes tens of milliseconds; tests mint thousands of tokens."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, RSAPrivateKey):
        raise TypeError(f"{path} does not hold an RSA private key")
    return key


def ensure_dev_keys(directory: Path) -> DevKeys:
    """Load the dev key pair from ``directory``, generating it on first use."""
    private_file = directory / "jwt-private.pem"
    jwks_file = directory / "jwks.json"
    if not private_file.exists() or not jwks_file.exists():
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public_jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        kid = f"dev-{uuid.uuid4().hex[:12]}"
        public_jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
        tmp = private_file.with_suffix(".tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        tmp.replace(private_file)
        jwks_tmp = jwks_file.with_suffix(".tmp")
        jwks_tmp.write_text(json.dumps({"keys": [public_jwk]}, indent=2))
        jwks_tmp.replace(jwks_file)
    kid = json.loads(jwks_file.read_text())["keys"][0]["kid"]
    return DevKeys(private_key_file=private_file, jwks_file=jwks_file, kid=kid)
