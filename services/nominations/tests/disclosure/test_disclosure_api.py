"""Public disclosure and objections: what the public sees, when it may object, how objections are resolved."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.assertions import assert_problem
from services.nominations.tests.arrange import DISCLOSURE_UNTIL, Arrange
from shared import clock

PUBLIC_KEYS = {
    "id",
    "round_id",
    "award_type_code",
    "award_name",
    "nominee_name",
    "nominee_kind",
    "nominee_position",
    "nominating_org_unit_name",
    "achievements",
    "disclosure_from",
    "disclosure_until",
    "open_objections",
    "stage",
}
OBJECTION = {
    "text": "Người được đề nghị đang bị xem xét kỷ luật theo đơn tố cáo tháng 10.",
    "contact": "0912 345 678",
}


def on(day: str, days_after: int = 0) -> AbstractContextManager[None]:
    """The clock at 10:00 in Hà Tĩnh on ``day`` (or so many days after it)."""
    date = dt.date.fromisoformat(day) + dt.timedelta(days=days_after)
    return clock.pinned(dt.datetime(date.year, date.month, date.day, 10, 0, tzinfo=clock.VIETNAM))


async def public_items(client: httpx.AsyncClient, **params: str | int) -> dict[int, dict[str, object]]:
    response = await client.get("/v1/public/disclosures", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


async def test_the_public_list_shows_public_fields_only_while_the_period_runs(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    in_council = await arrange.in_council()
    disclosed = await arrange.disclosed()
    assert disclosed["disclosure_until"] == DISCLOSURE_UNTIL.isoformat()
    listed = await public_items(client, round_id=disclosed["round_id"])
    assert list(listed) == [disclosed["id"]]
    item = listed[disclosed["id"]]
    assert set(item) == PUBLIC_KEYS
    assert item["award_name"] == "Chiến sĩ thi đua cấp tỉnh"
    assert item["nominee_name"] == "Nguyễn Thị Hà"
    assert item["nominating_org_unit_name"] == "Huyện Thạch Hà"
    assert item["stage"] == "after_council"
    assert item["open_objections"] == 0
    assert in_council["id"] not in await public_items(client, round_id=in_council["round_id"])
    # The filters narrow; the nominee's key appears nowhere in the answer.
    assert await public_items(client, award_type="LDTT", round_id=disclosed["round_id"]) == {}
    raw = (await client.get("/v1/public/disclosures", params={"round_id": disclosed["round_id"]})).text
    assert disclosed["nominee"]["key"] not in raw
    with on(disclosed["disclosure_until"]):
        assert disclosed["id"] in await public_items(client, round_id=disclosed["round_id"])
    with on(disclosed["disclosure_until"], days_after=1):
        assert await public_items(client, round_id=disclosed["round_id"]) == {}


async def test_anyone_objects_without_login_and_the_contact_stays_with_the_secretariat(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    nomination = await arrange.disclosed()
    filed = await client.post(f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION)
    assert filed.status_code == 201, filed.text
    assert set(filed.json()) == {"id", "status"}
    assert filed.json()["status"] == "open"

    listed = await public_items(client, round_id=nomination["round_id"])
    assert listed[nomination["id"]]["open_objections"] == 1
    raw = (await client.get("/v1/public/disclosures", params={"round_id": nomination["round_id"]})).text
    assert OBJECTION["contact"] not in raw

    staff = await client.get(
        f"/v1/nominations/{nomination['id']}/objections", headers=arrange.steps.secretariat()
    )
    assert staff.status_code == 200, staff.text
    [objection] = staff.json()["items"]
    assert objection["id"] == filed.json()["id"]
    assert objection["text"] == OBJECTION["text"]
    assert objection["contact"] == OBJECTION["contact"]
    assert objection["status"] == "open"

    assert (await client.get(f"/v1/nominations/{nomination['id']}/objections")).status_code == 401
    officer = arrange.steps.officer("HT-THA")
    forbidden = await client.get(f"/v1/nominations/{nomination['id']}/objections", headers=officer)
    assert forbidden.status_code == 403


async def test_objections_are_taken_only_while_the_period_runs(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    in_council = await arrange.in_council()
    not_disclosed = await client.post(f"/v1/public/disclosures/{in_council['id']}/objections", json=OBJECTION)
    assert_problem(not_disclosed, 404, "disclosure-not-found")
    unknown = await client.post("/v1/public/disclosures/2000000000/objections", json=OBJECTION)
    assert_problem(unknown, 404, "disclosure-not-found")

    nomination = await arrange.disclosed()
    until = nomination["disclosure_until"]
    short = await client.post(
        f"/v1/public/disclosures/{nomination['id']}/objections", json={"text": "   không   "}
    )
    assert short.status_code == 422
    with on(until, days_after=1):
        late = await client.post(f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION)
        body = assert_problem(late, 409, "disclosure-closed")
    assert body["disclosure_until"] == until
    count = await db_session.scalar(
        text("SELECT count(*) FROM nominations.objections WHERE nomination_id = :id"),
        {"id": nomination["id"]},
    )
    assert count == 0


async def test_a_dismissed_objection_is_resolved_once_and_the_nomination_stays_disclosed(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    nomination = await arrange.disclosed()
    objection = (
        await client.post(f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION)
    ).json()
    secretariat = arrange.steps.secretariat()
    url = f"/v1/nominations/{nomination['id']}/objections/{objection['id']}/resolution"
    no_note = await client.post(url, json={"outcome": "dismissed"}, headers=secretariat)
    assert no_note.status_code == 422
    dismissed = await client.post(
        url,
        json={"outcome": "dismissed", "note": "Đã xác minh: không có quyết định kỷ luật"},
        headers=secretariat,
    )
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["resolved_by"] == "secretariat-1"
    assert dismissed.json()["resolved_at"] is not None
    again = await client.post(url, json={"outcome": "upheld", "note": "Xét lại"}, headers=secretariat)
    assert_problem(again, 409, "objection-already-resolved")
    read = (await client.get(f"/v1/nominations/{nomination['id']}", headers=secretariat)).json()
    assert read["status"] == "disclosure"
    listed = await public_items(client, round_id=nomination["round_id"])
    assert listed[nomination["id"]]["open_objections"] == 0
    wrong_nomination = await client.post(
        f"/v1/nominations/{nomination['id'] + 100000}/objections/{objection['id']}/resolution",
        json={"outcome": "dismissed", "note": "x"},
        headers=secretariat,
    )
    assert_problem(wrong_nomination, 404, "nomination-not-found")


async def test_an_upheld_objection_rejects_the_nomination_with_audit_and_outbox(
    client: httpx.AsyncClient, arrange: Arrange, db_session: AsyncSession
) -> None:
    nomination = await arrange.disclosed()
    objection = (
        await client.post(f"/v1/public/disclosures/{nomination['id']}/objections", json=OBJECTION)
    ).json()
    secretariat = arrange.steps.secretariat()
    url = f"/v1/nominations/{nomination['id']}/objections/{objection['id']}/resolution"
    officer = arrange.steps.officer("HT-THA")
    refused = await client.post(url, json={"outcome": "upheld", "note": "Có căn cứ"}, headers=officer)
    assert refused.status_code == 403
    upheld = await client.post(
        url,
        json={"outcome": "upheld", "note": "Đang bị xem xét kỷ luật: không đủ điều kiện"},
        headers=secretariat,
    )
    assert upheld.status_code == 200, upheld.text
    assert upheld.json()["status"] == "upheld"

    read = (await client.get(f"/v1/nominations/{nomination['id']}", headers=secretariat)).json()
    assert (read["status"], read["outcome"]) == ("decided", "rejected")
    events = (await client.get(f"/v1/nominations/{nomination['id']}/events", headers=secretariat)).json()
    events = events["items"]
    last = events[-1]
    assert (last["action"], last["from_status"], last["to_status"], last["actor"]) == (
        "uphold_objection",
        "disclosure",
        "decided",
        "secretariat-1",
    )
    assert last["note"] == "Đang bị xem xét kỷ luật: không đủ điều kiện"
    assert last["details"] == {"objection_id": objection["id"]}
    outbox = await db_session.execute(
        text(
            "SELECT subject FROM nominations.outbox"
            " WHERE event_type IN ('nomination.decided', 'objection.resolved') AND subject = ANY(:s)"
        ),
        {"s": [f"nomination/{nomination['id']}", f"objection/{objection['id']}"]},
    )
    assert sorted(outbox.scalars()) == [f"nomination/{nomination['id']}", f"objection/{objection['id']}"]
    assert nomination["id"] not in await public_items(client, round_id=nomination["round_id"])
