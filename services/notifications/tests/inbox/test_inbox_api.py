"""The inbox: the caller's own items, newest first, paged, read and unread."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.plugin import AuthHeaders
from notifications.inbox import service
from services.notifications.tests.arrange import MOMENT, event


async def fill(session: AsyncSession, sub: str, count: int) -> None:
    for index in range(count):
        stored = await event(session, "nomination.screened", nomination_id=100 + index)
        await service.add(
            session,
            [
                {
                    "event_id": stored.id,
                    "event_type": stored.type,
                    "recipient": sub,
                    "subject": f"nomination/{100 + index}",
                    "title": f"Hồ sơ {100 + index} đã được thẩm định",
                    "body": "…",
                    "occurred_at": MOMENT,
                }
            ],
        )


async def test_the_inbox_is_paged_newest_first_and_read_one_by_one(
    client: httpx.AsyncClient, db_session: AsyncSession, auth: AuthHeaders
) -> None:
    await fill(db_session, "officer-1", 3)
    await fill(db_session, "officer-2", 1)
    me = auth("unit_officer", subject="officer-1")
    first = (await client.get("/v1/inbox?limit=2", headers=me)).json()
    assert [i["subject"] for i in first["items"]] == ["nomination/102", "nomination/101"]
    rest = (await client.get(f"/v1/inbox?limit=2&cursor={first['next_cursor']}", headers=me)).json()
    assert [i["subject"] for i in rest["items"]] == ["nomination/100"]
    assert rest["next_cursor"] is None
    assert (await client.get("/v1/inbox/unread-count", headers=me)).json() == {"unread": 3}
    item = first["items"][0]["id"]
    read = await client.post(f"/v1/inbox/{item}/read", headers=me)
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    again = await client.post(f"/v1/inbox/{item}/read", headers=me)
    assert again.json()["read_at"] == read.json()["read_at"]
    assert (await client.get("/v1/inbox/unread-count", headers=me)).json() == {"unread": 2}
    unread = (await client.get("/v1/inbox?unread=true", headers=me)).json()["items"]
    assert item not in [i["id"] for i in unread]
    assert (await client.post("/v1/inbox/actions/read-all", headers=me)).json() == {"marked": 2}


async def test_nobody_reads_or_marks_another_persons_item(
    client: httpx.AsyncClient, db_session: AsyncSession, auth: AuthHeaders
) -> None:
    await fill(db_session, "officer-2", 1)
    theirs = (await client.get("/v1/inbox", headers=auth("unit_officer", subject="officer-2"))).json()[
        "items"
    ][0]
    mine = await client.get("/v1/inbox", headers=auth("admin", subject="officer-1"))
    assert mine.json()["items"] == []
    marked = await client.post(f"/v1/inbox/{theirs['id']}/read", headers=auth("admin", subject="officer-1"))
    assert marked.status_code == 404
    assert marked.json()["type"] == "urn:thidua:problem:inbox-item-not-found"


async def test_a_bad_cursor_is_a_400(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    response = await client.get("/v1/inbox?cursor=bm90LWEtY3Vyc29y", headers=auth("viewer"))
    assert response.status_code == 400


async def test_the_inbox_needs_a_platform_user(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    assert (await client.get("/v1/inbox")).status_code == 401
    assert (await client.get("/v1/inbox", headers=auth("service"))).status_code == 403
