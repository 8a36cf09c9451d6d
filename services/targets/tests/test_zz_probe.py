"""TEMPORARY review probes; deleted after running."""
from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from devstack.testing.plugin import AuthHeaders


def b64(obj: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


async def test_probe_kid_not_string(client: httpx.AsyncClient) -> None:
    token = b64({"alg": "RS256", "kid": 5, "typ": "JWT"}) + "." + b64({"sub": "x"}) + ".c2ln"
    r = await client.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    print("kid-int", r.status_code, r.headers.get("content-type"), r.text[:200])


async def test_probe_alg_non_latin1(client: httpx.AsyncClient) -> None:
    token = b64({"alg": "中", "typ": "JWT"}) + "." + b64({"sub": "x"}) + ".c2ln"
    r = await client.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    print("alg-cjk", r.status_code, r.headers.get("content-type"), r.text[:200])


async def test_probe_big_ids(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    r = await client.get("/v1/targets/99999999999", headers=auth("viewer"))
    print("target-big", r.status_code, r.text[:200])
    r = await client.delete("/v1/period-locks/99999999999", headers=auth("admin"))
    print("lock-big", r.status_code, r.text[:200])
    r = await client.get("/v1/targets", params={"cursor": b64(99999999999)}, headers=auth("viewer"))
    print("target-cursor-big", r.status_code, r.text[:200])


async def test_probe_overflow(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    values = [("ECO_INCOME_PC", "2021", "HT", "1e-100"), ("ECO_INCOME_PC", "2022", "HT", "1e100")]
    r = await client.post(
        "/v1/data-value-sets",
        json={"dataValues": [{"dataElement": d, "period": p, "orgUnit": o, "value": v} for d, p, o, v in values]},
        headers=auth("admin"),
    )
    print("post", r.status_code, r.json()["importCount"])
    r = await client.get("/v1/progress", params={"at": "2023-01-01"}, headers=auth("viewer"))
    print("progress", r.status_code, r.text[:200])
    r = await client.get("/v1/public/progress", params={"at": "2023-01-01"})
    print("public", r.status_code, r.text[:200])


async def test_probe_patch_valid_to_strands(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    h = auth("admin")
    r = await client.post("/v1/org-units", json={"code": "HT-THA-X1", "name": "Xã X1", "type": "commune",
                                                 "valid_from": "2021-01-01", "parent": "HT-THA"}, headers=h)
    print("create", r.status_code)
    r = await client.get("/v1/org-units/HT-THA", headers=h)
    etag = r.headers["etag"]
    r = await client.patch("/v1/org-units/HT-THA", json={"valid_to": "2023-12-31"}, headers={**h, "If-Match": etag})
    print("patch", r.status_code, r.text[:300])
    r = await client.get("/v1/org-units/HT-THA-X1", params={"at": "2024-06-01"}, headers=h)
    print("child 2024", r.status_code, r.json().get("parent"), r.json().get("level"))
    r = await client.get("/v1/org-units", params={"at": "2024-06-01", "level": 3}, headers=h)
    print("level3 2024", [u["code"] for u in r.json()["items"]])
    r = await client.get("/v1/org-units", params={"at": "2024-06-01", "parent": "HT"}, headers=h)
    print("children of HT 2024", "HT-THA-X1" in [u["code"] for u in r.json()["items"]], len(r.json()["items"]))
