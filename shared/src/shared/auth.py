"""Bearer-token authentication (RS256 JWTs checked against a JWKS) and explicit per-endpoint permissions.

Every route declares who may call it with exactly one of:

* a role guard, usually through a typed alias such as ``AnyUser`` or
  ``Annotated[Principal, Depends(RoleGuard(Role.SECRETARIAT, Role.ADMIN))]``, which authenticates the
  caller and checks the roles; or
* ``PUBLIC`` in ``dependencies=``, which says on purpose that no login is needed.

``shared.app.routes_without_permission`` lists any route for a route with neither.
The claims are ``sub``, ``roles`` (a list, or another dotted path such as Keycloak's
``realm_access.roles``) and ``org_unit``; org-unit scope itself is decided by the service that owns the
hierarchy.
"""

from __future__ import annotations

import asyncio
import json
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared import clock
from shared.problems import Forbidden, ServiceUnavailable, Unauthorized

ACCEPTED_ALGORITHMS = ("RS256",)
# Subjects and org-unit codes are stored with what a caller does (stored_by, changed_by …); longer ones are
# not from our identity provider.
MAX_SUBJECT_LENGTH = 200
MAX_ORG_UNIT_LENGTH = 50
# How long a verified token is trusted without checking it again (never past its own expiry): bounds how long
# a key withdrawn from the JWKS keeps working in a process.
VERIFIED_TOKEN_TTL_SECONDS = 60.0
VERIFIED_TOKEN_CACHE_SIZE = 4096


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    UNIT_OFFICER = "unit_officer"
    COUNCIL_MEMBER = "council_member"
    AUTHORITY = "authority"
    REPORTER = "reporter"
    VIEWER = "viewer"
    # A sibling service calling an internal endpoint (a client-credentials token of the identity provider,
    # never a person's): not a platform role, so it opens no endpoint guarded for "any user".
    SERVICE = "service"


# The roles of the people (and district systems) who use the platform.
PLATFORM_ROLES = frozenset(Role) - {Role.SERVICE}


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: who, with which roles, on behalf of which org unit."""

    subject: str
    roles: frozenset[Role]
    org_unit: str | None
    claims: Mapping[str, Any] = field(repr=False)

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


class InvalidToken(Unauthorized):
    slug = "invalid-token"
    title = "Invalid token"

    def __init__(self, detail: str) -> None:
        # A header holds latin-1 only; keep it to plain ASCII whatever the message quotes.
        description = detail.replace('"', "'").encode("ascii", "replace").decode("ascii")
        super().__init__(
            detail,
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'},
        )


class MissingToken(Unauthorized):
    slug = "missing-token"
    title = "Authentication required"

    def __init__(self) -> None:
        super().__init__(
            "Send an 'Authorization: Bearer <token>' header.", headers={"WWW-Authenticate": "Bearer"}
        )


class MissingRole(Forbidden):
    slug = "missing-role"
    title = "Missing role"


class KeySource(ABC):
    """Where the public keys that sign tokens come from."""

    @abstractmethod
    async def keys(self, *, refresh: bool = False) -> jwt.PyJWKSet: ...

    async def aclose(self) -> None:
        return None


class JwksFileSource(KeySource):
    """A JWKS document on disk (development); re-read when the file changes, so keys can be rotated."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: tuple[float, jwt.PyJWKSet] | None = None

    async def keys(self, *, refresh: bool = False) -> jwt.PyJWKSet:
        mtime = self.path.stat().st_mtime
        if self._cached is None or self._cached[0] != mtime:
            self._cached = (mtime, jwt.PyJWKSet.from_dict(json.loads(self.path.read_text())))
        return self._cached[1]


class JwksUrlSource(KeySource):
    """The identity provider's JWKS endpoint, cached; an unknown ``kid`` causes at most one refresh."""

    _MIN_REFRESH_INTERVAL = 30.0

    def __init__(self, url: str, *, cache_seconds: int, client: httpx.AsyncClient) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self.client = client
        self._fetched_at = 0.0
        self._keys: jwt.PyJWKSet | None = None
        self._lock = asyncio.Lock()

    async def keys(self, *, refresh: bool = False) -> jwt.PyJWKSet:
        now = time.monotonic()
        stale = self._keys is None or now - self._fetched_at > self.cache_seconds
        wanted = refresh and now - self._fetched_at > self._MIN_REFRESH_INTERVAL
        if stale or wanted:
            async with self._lock:
                if self._keys is None or time.monotonic() - self._fetched_at > self._MIN_REFRESH_INTERVAL:
                    await self._fetch()
        assert self._keys is not None  # noqa: S101 - _fetch sets it or raises
        return self._keys

    async def _fetch(self) -> None:
        try:
            response = await self.client.get(self.url)
            response.raise_for_status()
            self._keys = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWKSetError) as exc:
            if self._keys is None:
                raise ServiceUnavailable("The identity provider's keys cannot be fetched.") from exc
            # Keep serving with the keys we have; the provider may be briefly unreachable.
        self._fetched_at = time.monotonic()

    async def aclose(self) -> None:
        await self.client.aclose()


def _dotted(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


class TokenVerifier:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str | None = None,
        audience: str | None = None,
        leeway_seconds: int = 30,
        roles_claim: str = "roles",
    ) -> None:
        self.key_source = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway_seconds
        self.roles_claim = roles_claim
        # token → (principal, trusted until): a client sends the same token with every request, and checking
        # an RS256 signature and the claims again costs more than answering a cached read.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        """The token's principal; a token verified within the last minute is not checked again."""
        now = clock.wall_seconds()
        cached = self._verified.get(token)
        if cached is not None and now < cached[1]:
            self._verified.move_to_end(token)
            return cached[0]
        principal = await self._verify(token)
        expires = float(principal.claims.get("exp", now))
        self._verified[token] = (principal, min(expires, now + VERIFIED_TOKEN_TTL_SECONDS))
        while len(self._verified) > VERIFIED_TOKEN_CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:  # DecodeError, and a header with e.g. a non-string "kid"
            raise InvalidToken("The token is not a well-formed JWT.") from None
        algorithm = header.get("alg")
        if algorithm not in ACCEPTED_ALGORITHMS:
            # The caller's "alg" is not echoed: it is untrusted text and would go into a response header.
            raise InvalidToken("Only tokens signed with RS256 are accepted.")
        key = await self._signing_key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=list(ACCEPTED_ALGORITHMS),
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "sub"], "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("The token has expired.") from None
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"The token was rejected: {exc}.") from None
        return self._principal(claims)

    async def _signing_key(self, kid: str | None) -> jwt.PyJWK:
        for refresh in (False, True):
            candidates = [
                key for key in (await self.key_source.keys(refresh=refresh)).keys if key.key_type == "RSA"
            ]
            if kid is None and len(candidates) == 1:
                return candidates[0]
            for key in candidates:
                if kid is not None and key.key_id == kid:
                    return key
        raise InvalidToken("The token names no key this service trusts (unknown 'kid').")

    def _principal(self, claims: dict[str, Any]) -> Principal:
        raw_roles = _dotted(claims, self.roles_claim) or []
        if not isinstance(raw_roles, list) or not all(isinstance(role, str) for role in raw_roles):
            raise InvalidToken(f"The '{self.roles_claim}' claim must be a list of role names.")
        known = {role.value for role in Role}
        roles = frozenset(Role(role) for role in raw_roles if role in known)
        org_unit = claims.get("org_unit")
        if org_unit is not None and (not isinstance(org_unit, str) or len(org_unit) > MAX_ORG_UNIT_LENGTH):
            raise InvalidToken(
                f"The 'org_unit' claim must be a code of at most {MAX_ORG_UNIT_LENGTH} characters."
            )
        if len(str(claims["sub"])) > MAX_SUBJECT_LENGTH:
            raise InvalidToken(f"The 'sub' claim must be at most {MAX_SUBJECT_LENGTH} characters.")
        return Principal(subject=str(claims["sub"]), roles=roles, org_unit=org_unit, claims=claims)


_bearer = HTTPBearer(auto_error=False, description="An RS256 JWT from the identity provider.")


def get_token_verifier(request: Request) -> TokenVerifier:
    verifier: Any = request.app.state.token_verifier
    assert isinstance(verifier, TokenVerifier)  # noqa: S101 - set by the app factory
    return verifier


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise MissingToken
    # Verified already from this request's own header, before its body was read (shared.early_auth).
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    principal = await get_token_verifier(request).verify(credentials.credentials)
    request.state.principal = principal
    return principal


class RoleGuard:
    """A dependency that authenticates the caller and admits only the given roles.

    With no roles given it admits any caller holding at least one platform role: a valid token from the
    identity provider that carries none of our roles is not a user of this platform, nor is a service.
    """

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        allowed = self.roles or PLATFORM_ROLES
        if not principal.has_any(allowed):
            raise MissingRole(
                "This action needs one of the roles: " + ", ".join(sorted(allowed)) + ".",
                required_roles=sorted(allowed),
            )
        return principal

    def __repr__(self) -> str:
        return f"RoleGuard({', '.join(sorted(self.roles)) or 'any platform role'})"


async def _public_access() -> None:
    """Marks an endpoint as deliberately open to anyone."""


PUBLIC = Depends(_public_access)

AnyUser = Annotated[Principal, Depends(RoleGuard())]
Admin = Annotated[Principal, Depends(RoleGuard(Role.ADMIN))]


def is_permission_dependency(call: object) -> bool:
    return isinstance(call, RoleGuard) or call is _public_access
