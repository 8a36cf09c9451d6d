"""The webhook endpoints API: a secret shown once, rotation with an overlap, soft deletion, bad input."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook, WebhookVerificationError

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders
from notifications.channels import SendFailed
from notifications.config import Settings
from notifications.webhooks.sender import WebhookSender
from notifications.webhooks.service import valid_secrets
from services.notifications.tests.webhooks.conftest import Receiver
from shared import clock

PATH = "/v1/webhook-endpoints"
UNIT = "HT-THA"


def registration(**changes: Any) -> dict[str, Any]:
    return {
        "org_unit": UNIT,
        "url": "https://qlvb.thachha.hatinh.gov.vn/hooks/thidua",
        "description": "Hệ thống quản lý văn bản huyện Thạch Hà",
        "event_types": ["report.due", "report.overdue"],
    } | changes


async def register(client: httpx.AsyncClient, auth: AuthHeaders, **changes: Any) -> dict[str, Any]:
    response = await client.post(PATH, json=registration(**changes), headers=auth("admin"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def webhooks(settings: Settings) -> AsyncIterator[WebhookSender]:
    sender = WebhookSender(settings)
    yield sender
    await sender.aclose()


async def test_a_registration_shows_the_secret_once(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    response = await client.post(
        PATH, json=registration(), headers=auth("reporter", org_unit=UNIT, subject="ht-tha-sync")
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["previous_secret_expires_at"] is None
    assert created["event_types"] == ["report.due", "report.overdue"]
    assert (created["org_unit"], created["active"], created["created_by"]) == (UNIT, True, "ht-tha-sync")
    assert response.headers["location"] == f"/api/v1/webhook-endpoints/{created['id']}"
    assert response.headers["etag"] == '"1"'

    read = await client.get(f"{PATH}/{created['id']}", headers=auth("admin"))
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert "secret" not in read.json()
    assert created["secret"] not in read.text
    listed = await client.get(PATH, params={"org_unit": UNIT}, headers=auth("admin"))
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]
    assert created["secret"] not in listed.text


async def test_an_idempotent_replay_creates_nothing_more(
    client: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    headers = auth("unit_officer", org_unit=UNIT) | {"Idempotency-Key": f"register-{uuid.uuid4()}"}
    first = await client.post(PATH, json=registration(), headers=headers)
    again = await client.post(PATH, json=registration(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()  # the same answer, secret included: the first may have been lost
    assert again.headers["idempotent-replayed"] == "true"
    listed = await client.get(PATH, headers=auth("unit_officer", org_unit=UNIT))
    assert [item["id"] for item in listed.json()["items"]] == [first.json()["id"]]

    other = await client.post(PATH, json=registration(description="khác"), headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")


async def test_an_unknown_event_type_is_named(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    response = await client.post(
        PATH, json=registration(event_types=["report.due", "report.forgotten"]), headers=auth("admin")
    )
    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"][0]["location"] == "body.event_types"
    assert "'report.forgotten'" in problem["detail"]
    assert (await client.get(PATH, headers=auth("admin"))).json()["items"] == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://qlvb.thachha.hatinh.gov.vn/hook", "must be http or https"),
        ("https://sync:secret@qlvb.thachha.hatinh.gov.vn/hook", "user name or password"),
    ],
)
async def test_a_url_that_breaks_the_target_rule_is_a_problem(
    client: httpx.AsyncClient, auth: AuthHeaders, url: str, says: str
) -> None:
    response = await client.post(PATH, json=registration(url=url), headers=auth("admin"))
    problem = assert_problem(response, 422, "webhook-target-refused")
    assert says in problem["detail"]
    assert problem["errors"][0]["location"] == "body.url"
    assert (await client.get(PATH, headers=auth("admin"))).json()["items"] == []


async def test_rotation_signs_with_both_secrets_during_the_overlap_then_the_new_one_alone(
    client: httpx.AsyncClient,
    auth: AuthHeaders,
    db_session: AsyncSession,
    receiver: Receiver,
    webhooks: WebhookSender,
) -> None:
    created = await register(client, auth, url=receiver.url("/ok"))
    endpoint_id, old = uuid.UUID(created["id"]), created["secret"]
    rotated = await client.post(f"{PATH}/{endpoint_id}/actions/rotate-secret", headers=auth("admin"))
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new.startswith("whsec_")
    assert new != old
    now = clock.now()
    overlap_ends = dt.datetime.fromisoformat(rotated.json()["previous_secret_expires_at"])
    assert overlap_ends - now == pytest.approx(dt.timedelta(hours=24), abs=dt.timedelta(seconds=5))

    during = await valid_secrets(db_session, endpoint_id, now)
    after = await valid_secrets(db_session, endpoint_id, overlap_ends + dt.timedelta(seconds=1))
    assert (during, after) == ([new, old], [new])

    for secrets in (during, after):
        await webhooks.send(receiver.url("/ok"), secrets, uuid.uuid4(), b'{"type":"report.due"}')
    first, second = receiver.requests
    Webhook(old).verify(first.body, first.headers)
    Webhook(new).verify(first.body, first.headers)
    Webhook(new).verify(second.body, second.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(second.body, second.headers)


async def test_a_second_rotation_ends_the_first_overlap(
    client: httpx.AsyncClient, auth: AuthHeaders, db_session: AsyncSession
) -> None:
    created = await register(client, auth)
    rotate = f"{PATH}/{created['id']}/actions/rotate-secret"
    second = (await client.post(rotate, headers=auth("admin"))).json()["secret"]
    third = (await client.post(rotate, headers=auth("admin"))).json()["secret"]
    assert await valid_secrets(db_session, uuid.UUID(created["id"]), clock.now()) == [third, second]


async def test_a_deleted_endpoint_is_kept_inactive_and_signs_nothing(
    client: httpx.AsyncClient, auth: AuthHeaders, db_session: AsyncSession
) -> None:
    created = await register(client, auth)
    path = f"{PATH}/{created['id']}"
    assert (await client.delete(path, headers=auth("admin"))).status_code == 204
    assert (await client.delete(path, headers=auth("admin"))).status_code == 204

    read = (await client.get(path, headers=auth("admin"))).json()
    assert (read["active"], read["version"]) == (False, 2)
    assert dt.datetime.fromisoformat(read["deleted_at"]) <= clock.now()
    assert (await client.get(PATH, headers=auth("admin"))).json()["items"] == []
    assert await valid_secrets(db_session, uuid.UUID(created["id"]), clock.now()) == []
    rotate = await client.post(f"{path}/actions/rotate-secret", headers=auth("admin"))
    assert_problem(rotate, 409, "webhook-endpoint-deleted")
    missing = await client.get(f"{PATH}/{uuid.uuid4()}", headers=auth("admin"))
    assert_problem(missing, 404, "webhook-endpoint-not-found")


async def test_a_change_needs_the_current_etag(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    created = await register(client, auth)
    path = f"{PATH}/{created['id']}"
    change: dict[str, Any] = {"event_types": [], "description": None}
    assert_problem(await client.patch(path, json=change, headers=auth("admin")), 428, "precondition-required")
    changed = await client.patch(path, json=change, headers=auth("admin") | {"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["event_types"], changed.json()["description"]) == ([], None)
    assert changed.headers["etag"] == '"2"'
    stale = await client.patch(path, json={"url": "ftp://x"}, headers=auth("admin") | {"If-Match": '"1"'})
    assert_problem(stale, 412, "version-mismatch")
    bad = await client.patch(path, json={"url": "ftp://x"}, headers=auth("admin") | {"If-Match": '"2"'})
    assert_problem(bad, 422, "webhook-target-refused")


async def test_lists_are_paged(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    ids = [(await register(client, auth))["id"] for _ in range(3)]
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(3):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(PATH, params=params, headers=auth("admin"))).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == 3


async def test_the_secret_never_reaches_a_log(
    client: httpx.AsyncClient,
    auth: AuthHeaders,
    caplog: pytest.LogCaptureFixture,
    receiver: Receiver,
    webhooks: WebhookSender,
    db_session: AsyncSession,
) -> None:
    with caplog.at_level(logging.DEBUG):
        created = await register(client, auth, url=receiver.url("/ok"))
        path = f"{PATH}/{created['id']}"
        rotated = (await client.post(f"{path}/actions/rotate-secret", headers=auth("admin"))).json()
        await client.get(path, headers=auth("admin"))
        await client.get(PATH, headers=auth("admin"))
        secrets = await valid_secrets(db_session, uuid.UUID(created["id"]), clock.now())
        await webhooks.send(receiver.url("/ok"), secrets, uuid.uuid4(), b"{}")
        with pytest.raises(SendFailed):
            await webhooks.send(receiver.url("/error"), secrets, uuid.uuid4(), b"{}")
    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert caplog.records
    for secret in (created["secret"], rotated["secret"]):
        assert secret not in logged
        assert secret.removeprefix("whsec_") not in logged
