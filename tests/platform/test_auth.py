"""Authentication at every service's edge: good tokens pass, every kind of bad token is a 401 problem."""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devstack.keys import DEV_AUDIENCE, DEV_ISSUER, DevKeys, token_time

Minter = Callable[..., str]


async def whoami(client: httpx.AsyncClient, token: str | None, scheme: str = "Bearer") -> httpx.Response:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return await client.get("/v1/whoami", headers=headers)


async def test_whoami_echoes_the_callers_claims(client: httpx.AsyncClient, mint_token: Minter) -> None:
    token = mint_token(roles=["unit_officer", "viewer"], org_unit="HT-CAN-LOC", subject="officer-7")
    response = await whoami(client, token)
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "officer-7"
    assert body["roles"] == ["unit_officer", "viewer"]
    assert body["org_unit"] == "HT-CAN-LOC"
    assert body["claims"]["iss"] == DEV_ISSUER


def _forge(claims: dict[str, object], header: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def _claims(**overrides: object) -> dict[str, object]:
    now = token_time()
    claims: dict[str, object] = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": "mallory",
        "iat": now,
        "exp": now + 600,
        "roles": ["admin"],
    }
    claims.update(overrides)
    return claims


def _bad_tokens(dev_keys: DevKeys, mint: Minter) -> dict[str, str]:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    our_key = serialization.load_pem_private_key(dev_keys.private_key_file.read_bytes(), password=None)
    public_pem = our_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    good = mint(roles=["admin"], org_unit="HT")
    header, _, signature = good.split(".")
    escalated = {**jwt.decode(good, options={"verify_signature": False}), "roles": ["admin", "authority"]}
    tampered = base64.urlsafe_b64encode(json.dumps(escalated).encode()).rstrip(b"=").decode()
    without_subject = {key: value for key, value in _claims().items() if key != "sub"}
    return {
        "not a jwt": "definitely-not-a-token",
        "alg none": _forge(_claims(), {"alg": "none", "typ": "JWT"}),
        "HS256 signed with the public key": _hs256(_claims(), public_pem, dev_keys.kid),
        "expired": mint(roles=["admin"], org_unit="HT", ttl_seconds=-3600),
        "wrong issuer": mint(roles=["admin"], org_unit="HT", issuer="https://evil.example"),
        "wrong audience": mint(roles=["admin"], org_unit="HT", audience="another-api"),
        "signed by another key": jwt.encode(
            _claims(), other_key, algorithm="RS256", headers={"kid": dev_keys.kid}
        ),
        "unknown kid": jwt.encode(_claims(), other_key, algorithm="RS256", headers={"kid": "nobody"}),
        "tampered payload": f"{header}.{tampered}.{signature}",
        "roles not a list": mint(roles=[], org_unit="HT", extra_claims={"roles": "admin"}),
        "org unit not a string": mint(roles=["admin"], org_unit=None, extra_claims={"org_unit": ["HT"]}),
        "org unit too long": mint(roles=["admin"], org_unit="X" * 51),
        "kid not a string": _forge(_claims(), {"alg": "RS256", "typ": "JWT", "kid": 5}) + "c2ln",
        "alg not ascii": _forge(_claims(), {"alg": "中", "typ": "JWT"}) + "c2ln",
        "roles not strings": mint(roles=[], org_unit="HT", extra_claims={"roles": [["admin"], {"x": 1}]}),
        "subject too long": mint(roles=["admin"], org_unit="HT", subject="s" * 201),
        "no subject": jwt.encode(without_subject, our_key, algorithm="RS256", headers={"kid": dev_keys.kid}),  # type: ignore[arg-type]
    }


def _hs256(claims: dict[str, object], secret: bytes, kid: str) -> str:
    """The classic key-confusion attack: an HMAC token keyed with the server's public key."""

    def part(value: dict[str, object]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=")

    signing_input = part({"alg": "HS256", "typ": "JWT", "kid": kid}) + b"." + part(claims)
    mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()


async def test_every_kind_of_bad_token_is_a_401_problem(
    client: httpx.AsyncClient, dev_keys: DevKeys, mint_token: Minter
) -> None:
    failures = []
    for name, token in _bad_tokens(dev_keys, mint_token).items():
        response = await whoami(client, token)
        ok = (
            response.status_code == 401
            and response.headers["content-type"] == "application/problem+json"
            and response.json()["type"] == "urn:thidua:problem:invalid-token"
            and response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
        )
        if not ok:
            failures.append(f"{name}: {response.status_code} {response.text}")
    assert failures == []


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"],
)
async def test_a_missing_token_is_a_401_problem(client: httpx.AsyncClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await client.get("/v1/whoami", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_without_any_platform_role_is_403(
    client: httpx.AsyncClient, mint_token: Minter
) -> None:
    token = mint_token(roles=["offline_access"], org_unit="HT")
    response = await whoami(client, token)
    assert response.status_code == 403
    body = response.json()
    assert body["type"] == "urn:thidua:problem:missing-role"
    assert "viewer" in body["required_roles"]


async def test_a_service_token_is_not_a_platform_user(client: httpx.AsyncClient, mint_token: Minter) -> None:
    """A sibling service's token opens its internal endpoints only: "any user" endpoints refuse it."""
    token = mint_token(roles=["service"], org_unit=None)
    response = await whoami(client, token)
    assert response.status_code == 403
    assert "service" not in response.json()["required_roles"]
