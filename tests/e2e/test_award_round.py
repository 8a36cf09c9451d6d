"""A whole annual award round through the real gateway, the real services and PostgreSQL.

History imported, a round opened, nominations from two districts (one returned and resubmitted, one failing
a rule at screening), a council session with secret ballots, public disclosure with an objection that is
heard, the clock moved past the disclosure period, a decision with its bonuses, the public registry, and the
audit trail of every step; and what each person was told of it: the emails in the mail catcher, the signed
webhooks a district system received, and the inbox entries, for the right people and nobody else.
"""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from devstack.flows import AwardsFlow, unique
from devstack.stack import Stack
from devstack.testing import dates
from devstack.testing.receiver import WebhookReceiver
from tests.e2e.conftest import bearer

pytestmark = pytest.mark.e2e

HEADER = (
    "recipient_kind,recipient_key,recipient_name,org_unit,award_type_code,year,occasion,"
    "decision_number,decision_date,decision_authority"
)
A = "individual,E2E-A,Trần Thị Hương Giang,HT-THA"
HISTORY = "\n".join(
    [
        HEADER,
        f"{A},CSTD_CO_SO,2022,annual,120/QĐ-UBND,2022-12-20,district_chair",
        f"{A},CSTD_CO_SO,2023,annual,98/QĐ-UBND,2023-12-18,district_chair",
        f"{A},CSTD_CO_SO,2024,annual,131/QĐ-UBND,2024-12-19,district_chair",
        f"{A},LDTT,2024,annual,130/QĐ-UBND,2024-12-19,district_chair",
    ]
)


@pytest.fixture
async def gateway_async(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver().running() as running:
        yield running


# Who is in the directory: the round's people, and two who must hear nothing of it.
PEOPLE: dict[str, tuple[str, str | None]] = {
    "secretariat-1": ("secretariat", "HT-SNV"),
    "officer-HT-THA": ("unit_officer", "HT-THA"),
    "officer-HT-CLO": ("unit_officer", "HT-CLO"),
    "officer-HT-HSO": ("unit_officer", "HT-HSO"),  # another district's officer
    "reporter-HT-THA": ("reporter", "HT-THA"),  # Thạch Hà's data reporter
    **{f"e2e-member-{n}": ("council_member", None) for n in range(1, 6)},
}
# The event types a round sends; a reminder the worker may emit meanwhile is not the round's.
ROUND_TYPES = ("nomination.", "disclosure.", "objection.", "council_session.", "award.")


async def set_clock(stack: Stack, days: int) -> str:
    """The nominations service's clock, ``days`` after the suite's (``/internal/`` only on its own port)."""
    async with httpx.AsyncClient(base_url=stack.service_url("nominations"), timeout=10) as direct:
        response = await direct.post(
            "/internal/v1/clock",
            json={"at": dates.days_later(days).isoformat()},
            headers=bearer(stack, "admin", "HT", "e2e-admin"),
        )
    assert response.status_code == 200, response.text
    today: str = response.json()["today"]
    return today


async def register_people(client: httpx.AsyncClient, admin: dict[str, str], run: str) -> None:
    for sub, (role, unit) in PEOPLE.items():
        created = await client.post(
            "/api/v1/recipients",
            json={
                "sub": sub,
                "display_name": f"Cán bộ {sub}",
                "email": f"{sub}.{run}@thidua.hatinh.gov.vn",
                "language": "vi",
                "org_unit": unit,
                "roles": [role],
            },
            headers=admin,
        )
        assert created.status_code == 201, created.text


async def register_webhooks(
    client: httpx.AsyncClient, admin: dict[str, str], receiver: WebhookReceiver
) -> dict[str, str]:
    """Each nominating district's system, at its own path of the receiver; its secret, shown once."""
    secrets = {}
    for unit in ("HT-THA", "HT-CLO"):
        created = await client.post(
            "/api/v1/webhook-endpoints",
            json={"org_unit": unit, "url": f"{receiver.url}/{unit}", "description": "Hệ thống của huyện"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        secrets[unit] = created.json()["secret"]
    return secrets


async def our_mail(stack: Stack, run: str, expected: int) -> list[dict[str, Any]]:
    """The round's messages to this run's people, once as many as expected have come (or 60 s passed)."""
    mine: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=stack.mail_url, timeout=10) as catcher:
        for _ in range(600):
            mine = [
                message
                for message in (await catcher.get("/messages")).json()
                if any(to.endswith(f".{run}@thidua.hatinh.gov.vn") for to in message["rcpt_tos"])
                and message["headers"]["X-Notification-Type"].startswith(ROUND_TYPES)
            ]
            if len(mine) >= expected:
                break
            await asyncio.sleep(0.1)
    return mine


async def inbox_of(stack: Stack, client: httpx.AsyncClient, sub: str) -> Counter[tuple[str, str]]:
    role, unit = PEOPLE[sub]
    headers = bearer(stack, role, unit, sub)
    seen: Counter[tuple[str, str]] = Counter()
    params: dict[str, str | int] = {"limit": 10}
    while True:
        page = await client.get("/api/v1/inbox", params=params, headers=headers)
        assert page.status_code == 200, page.text
        seen.update(
            (item["event_type"], item["subject"])
            for item in page.json()["items"]
            if item["event_type"].startswith(ROUND_TYPES)
        )
        if not page.json().get("next_cursor"):
            return seen
        params["cursor"] = page.json()["next_cursor"]


async def test_a_whole_annual_round(
    stack: Stack, gateway_async: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    client = gateway_async

    def auth(*roles: str, org_unit: str | None = "HT", subject: str | None = None) -> dict[str, str]:
        return bearer(stack, roles[0], org_unit, subject or f"{roles[0]}-{org_unit}")

    # 0. The people the round concerns, in the notifications directory, and two districts' systems.
    admin = auth("admin", subject="e2e-admin")
    run = unique("run").lower()
    await register_people(client, admin, run)
    secrets = await register_webhooks(client, admin, receiver)

    steps = AwardsFlow(client, auth, prefix="/api")
    secretariat = steps.secretariat()
    tha, clo = steps.officer("HT-THA"), steps.officer("HT-CLO")

    # 1. The award history of the years before the platform.
    imported = await client.post(
        "/api/v1/awards/import",
        content=HISTORY.encode(),
        headers=secretariat | {"Content-Type": "text/csv; charset=utf-8"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"imported": 4, "ignored": 0}

    # 2. The round, its deadlines in working days.
    round_ = await steps.create_round(code=unique("E2E-KT-2024"))

    # 3. Nominations from two districts.
    giang = await steps.nominate(
        round_["id"],
        "HT-THA",
        award_type_code="CSTD_CAP_TINH",
        nominee={"name": "Trần Thị Hương Giang", "key": "E2E-A"},
        initiatives=[{"title": "Phần mềm quản lý hồ sơ đất đai", "scope": "provincial", "year": 2023}],
    )
    binh = await steps.nominate(
        round_["id"],
        "HT-CLO",
        award_type_code="BANG_KHEN_CT_TINH",
        nominee={"name": "Lê Văn Bình", "key": "E2E-B"},
        achievement_keys=["CLO-2024-cuu-ho-bao-so-4"],
    )
    cuong = await steps.nominate(
        round_["id"],
        "HT-CLO",
        award_type_code="CSTD_CAP_TINH",
        nominee={"name": "Phạm Quốc Cường"},
        initiatives=[{"title": "Mô hình tổ liên gia an toàn", "scope": "provincial", "year": 2024}],
    )
    for nomination, officer in ((giang, tha), (binh, clo), (cuong, clo)):
        await steps.must(nomination["id"], "submit", officer)

    # 4. One returned, corrected and resubmitted.
    await steps.must(binh["id"], "return", secretariat, note="Bổ sung xác nhận của UBND xã")
    current = await client.get(f"/api/v1/nominations/{binh['id']}", headers=clo)
    edited = await client.patch(
        f"/api/v1/nominations/{binh['id']}",
        json={"achievements": "Cứu hộ 42 hộ dân trong bão số 4; có xác nhận của UBND xã Thiên Lộc."},
        headers=clo | {"If-Match": current.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.text
    await steps.must(binh["id"], "resubmit", clo)

    # 5. Screening: Cường lacks three consecutive grassroots titles.
    for nomination in (giang, binh, cuong):
        await steps.must(nomination["id"], "screen", secretariat)
    verdicts = await client.get(f"/api/v1/nominations/{cuong['id']}/eligibility", headers=secretariat)
    failed = [v["kind"] for v in verdicts.json()["verdicts"] if v["status"] == "failed"]
    assert failed == ["consecutive_titles"]
    blocked = await steps.act(cuong["id"], "send_to_council", secretariat)
    assert blocked.status_code == 409
    assert blocked.json()["failed_rules"] == ["consecutive_titles"]
    rejected = await steps.must(cuong["id"], "reject", secretariat, note="Chưa đủ 3 lần CSTĐ cơ sở liên tục")
    assert (rejected["status"], rejected["outcome"]) == ("decided", "rejected")
    giang_rules = await client.get(f"/api/v1/nominations/{giang['id']}/eligibility", headers=secretariat)
    assert giang_rules.json()["overall"] == "passed", giang_rules.text
    for nomination in (giang, binh):
        await steps.must(nomination["id"], "send_to_council", secretariat)

    # 6. The council: five members, secret ballots.
    members = [f"e2e-member-{n}" for n in range(1, 6)]
    created = await client.post(
        "/api/v1/council-sessions",
        json={
            "round_id": round_["id"],
            "name": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh",
            "held_on": round_["opens_on"],
            "members": [{"subject": m, "name": f"Ủy viên {n}"} for n, m in enumerate(members, 1)],
            "nomination_ids": [giang["id"], binh["id"]],
        },
        headers=secretariat,
    )
    assert created.status_code == 201, created.text
    council = created.json()
    outsider = await client.post(
        f"/api/v1/council-sessions/{council['id']}/ballots",
        json={"choices": {str(giang["id"]): "approve", str(binh["id"]): "approve"}},
        headers=auth("council_member", subject="e2e-not-a-member"),
    )
    assert outsider.status_code == 403
    for index, member in enumerate(members):
        ballot = await client.post(
            f"/api/v1/council-sessions/{council['id']}/ballots",
            json={
                "choices": {
                    str(giang["id"]): "approve",
                    str(binh["id"]): "reject" if index == 0 else "approve",
                }
            },
            headers=auth("council_member", subject=member),
        )
        assert ballot.status_code == 201, ballot.text
        assert set(ballot.json()) == {"session_id", "recorded"}
    twice = await client.post(
        f"/api/v1/council-sessions/{council['id']}/ballots",
        json={"choices": {str(giang["id"]): "reject", str(binh["id"]): "reject"}},
        headers=auth("council_member", subject=members[0]),
    )
    assert twice.status_code == 409
    session_url = f"/api/v1/council-sessions/{council['id']}"
    read = await client.get(session_url, headers=secretariat)
    closed = await client.post(
        f"{session_url}/actions/close", headers=secretariat | {"If-Match": read.headers["ETag"]}
    )
    assert closed.status_code == 200, closed.text
    tallies = {item["nomination_id"]: item["tally"] for item in closed.json()["agenda"]}
    assert (tallies[giang["id"]]["approve"], tallies[giang["id"]]["passed"]) == (5, True)  # ≥ 90 % of all
    assert (tallies[binh["id"]]["approve"], tallies[binh["id"]]["passed"]) == (4, True)  # ≥ 70 % of all

    # 7. Public disclosure, and an objection from anyone.
    disclosed = await client.get("/api/v1/public/disclosures", params={"round_id": round_["id"]})
    assert disclosed.status_code == 200, disclosed.text
    listed = {item["id"]: item for item in disclosed.json()["items"]}
    assert set(listed) == {giang["id"], binh["id"]}
    assert "nominee_key" not in listed[giang["id"]]
    objection = await client.post(
        f"/api/v1/public/disclosures/{binh['id']}/objections",
        json={"text": "Đề nghị làm rõ số hộ dân được cứu hộ trong bão số 4.", "contact": "0912 000 111"},
    )
    assert objection.status_code == 201, objection.text
    assert "contact" not in objection.json()

    try:
        # 8. The disclosure period (10 working days) passes.
        today = await set_clock(stack, 30)
        decision_body: dict[str, Any] = {
            "number": unique("E2E") + "/QĐ-UBND",
            "signed_on": today,
            "signer": "Võ Trọng Hải",
            "signer_title": "Chủ tịch UBND tỉnh",
            "authority": "provincial_chair",
            "nomination_ids": [giang["id"], binh["id"]],
        }
        authority = auth("authority", subject="e2e-authority")
        too_early = await client.post("/api/v1/decisions", json=decision_body, headers=authority)
        assert too_early.status_code == 409, too_early.text
        assert too_early.json()["type"].endswith("open-objections")
        heard = await client.get(f"/api/v1/nominations/{binh['id']}/objections", headers=secretariat)
        assert heard.json()["items"][0]["contact"] == "0912 000 111"
        resolved = await client.post(
            f"/api/v1/nominations/{binh['id']}/objections/{objection.json()['id']}/resolution",
            json={"outcome": "dismissed", "note": "UBND xã Thiên Lộc xác nhận số liệu."},
            headers=secretariat,
        )
        assert resolved.status_code == 200, resolved.text

        # 9. The decision and its bonuses: coefficient × the base salary in force (2,340,000 VND). The
        # 2024 dossiers were sent in 2026, so Nghị định 152/2025/NĐ-CP judges them (Điều 60 khoản 3):
        # Bằng khen of the provincial chair 1.5 (Điều 54 khoản 1 điểm b).
        decided = await client.post(
            "/api/v1/decisions", json=decision_body, headers=authority | {"Idempotency-Key": unique("d")}
        )
        assert decided.status_code == 201, decided.text
        decision = await client.get(f"/api/v1/decisions/{decided.json()['id']}", headers=authority)
        bonuses = {a["nomination_id"]: a["bonus_vnd"] for a in decision.json()["awards"]}
        assert bonuses == {giang["id"]: 7_020_000, binh["id"]: 3_510_000}
    finally:
        await set_clock(stack, 0)

    # 10. The public registry, searched without accents.
    found = await client.get("/api/v1/public/awards", params={"q": "tran thi huong giang", "year": 2024})
    assert found.status_code == 200, found.text
    awards = {item["award_type_code"]: item for item in found.json()["items"]}
    assert set(awards) == {"CSTD_CAP_TINH", "CSTD_CO_SO", "LDTT"}
    assert awards["CSTD_CAP_TINH"]["decision_number"] == decision_body["number"]
    assert "recipient_key" not in awards["CSTD_CAP_TINH"]
    assert "bonus_vnd" not in awards["CSTD_CAP_TINH"]

    # 11. The audit trail of every step.
    trail = await client.get(f"/api/v1/nominations/{binh['id']}/events", headers=secretariat)
    assert [(e["action"], e["to_status"]) for e in trail.json()["items"]] == [
        ("create", "draft"),
        ("submit", "submitted"),
        ("return", "returned"),
        ("edit", "returned"),
        ("resubmit", "submitted"),
        ("screen", "screening"),
        ("send_to_council", "council"),
        ("council_pass", "disclosure"),
        ("objection_filed", "disclosure"),
        ("dismiss_objection", "disclosure"),
        ("award", "decided"),
    ]
    assert trail.json()["items"][2]["actor"] == "secretariat-1"
    assert trail.json()["items"][-1]["actor"] == "e2e-authority"
    final = await client.get(f"/api/v1/nominations/{giang['id']}", headers=tha)
    assert (final.json()["status"], final.json()["outcome"]) == ("decided", "awarded")

    # 12. What reached whom: the relay took each event to the notifications service, the worker fanned it
    # out by the seeded routing rules and sent it.
    g, b, c = (f"nomination/{n['id']}" for n in (giang, binh, cuong))
    award = {a["nomination_id"]: f"award/{a['id']}" for a in decision.json()["awards"]}
    objected = f"objection/{objection.json()['id']}"
    opened = f"council_session/{council['id']}"
    officer_tha = [("nomination.screened", g), ("disclosure.opened", g), ("nomination.decided", g)]
    officer_tha += [("award.granted", award[giang["id"]])]
    officer_clo = [("nomination.returned", b), ("nomination.screened", b), ("nomination.screened", c)]
    officer_clo += [("nomination.decided", c), ("disclosure.opened", b), ("objection.resolved", objected)]
    officer_clo += [("nomination.decided", b), ("award.granted", award[binh["id"]])]
    emailed = Counter(
        {("secretariat-1", "nomination.submitted"): 4, ("secretariat-1", "objection.filed"): 1}
        | {("secretariat-1", "council_session.closed"): 1}
        | {(f"e2e-member-{n}", "council_session.opened"): 1 for n in range(1, 6)}
    )
    emailed.update(("officer-HT-THA", kind) for kind, _ in officer_tha)
    emailed.update(("officer-HT-CLO", kind) for kind, _ in officer_clo)

    mail = await our_mail(stack, run, emailed.total())
    sent_to = Counter(
        (m["rcpt_tos"][0].split(f".{run}@")[0], m["headers"]["X-Notification-Type"]) for m in mail
    )
    assert sent_to == emailed  # nothing to the other district's officer or the reporter, nothing twice
    assert len({m["message_id"] for m in mail}) == len(mail)
    assert {m["headers"]["Content-Language"] for m in mail} == {"vi"}
    returned = next(m for m in mail if m["headers"]["X-Notification-Type"] == "nomination.returned")
    assert "Bổ sung xác nhận của UBND xã" in returned["text"]
    assert "Lê Văn Bình" in returned["subject"] + returned["text"]
    assert "Bổ sung xác nhận của UBND xã" in (returned["html"] or "")

    inboxes = {sub: await inbox_of(stack, client, sub) for sub in PEOPLE}
    submitted = [("nomination.submitted", g), ("nomination.submitted", b), ("nomination.submitted", c)]
    assert inboxes["secretariat-1"] == Counter(
        [
            *submitted,
            ("nomination.submitted", b),
            ("disclosure.opened", g),
            ("disclosure.opened", b),
            ("objection.filed", objected),
            ("objection.resolved", objected),
            ("council_session.opened", opened),
            ("council_session.closed", opened),
        ]
    )
    assert inboxes["officer-HT-THA"] == Counter(
        [("nomination.submitted", g), ("nomination.sent_to_council", g), *officer_tha]
    )
    assert inboxes["officer-HT-CLO"] == Counter(
        [
            ("nomination.submitted", b),
            ("nomination.submitted", c),
            ("nomination.submitted", b),
            ("nomination.sent_to_council", b),
            *officer_clo,
        ]
    )
    for n in range(1, 6):
        assert inboxes[f"e2e-member-{n}"] == Counter(
            [("council_session.opened", opened), ("council_session.closed", opened)]
        )
    assert inboxes["officer-HT-HSO"] == inboxes["reporter-HT-THA"] == Counter()

    # The districts' systems: each verifies what it got with its secret, as Standard Webhooks says.
    for unit, nomination in (("HT-THA", giang), ("HT-CLO", binh)):
        hooks = receiver.received(f"/{unit}")
        verified = [Webhook(secrets[unit]).verify(hook.body, hook.headers) for hook in hooks]
        wanted = [
            ("disclosure.opened", f"nomination/{nomination['id']}"),
            ("award.granted", award[nomination["id"]]),
        ]
        assert sorted((e["type"], e["subject"]) for e in verified) == sorted(wanted)
        assert len({hook.headers["webhook-id"] for hook in hooks}) == len(hooks)  # one delivery each
        assert all(json.loads(hook.body)["producer"] == "nominations" for hook in hooks)
        other = secrets["HT-THA" if unit == "HT-CLO" else "HT-CLO"]
        with pytest.raises(WebhookVerificationError):
            Webhook(other).verify(hooks[0].body, hooks[0].headers)
    stuck = await client.get("/api/v1/deliveries", params={"status": "dead"}, headers=admin)
    assert [d for d in stuck.json()["items"] if d["recipient"] in PEOPLE] == []
    # /internal/ is never routed by the gateway.
    assert (
        await client.post("/api/internal/v1/clock", json={"at": dates.SUITE_NOW.isoformat()})
    ).status_code == 404
    assert (
        await client.post("/internal/v1/clock", json={"at": dates.SUITE_NOW.isoformat()})
    ).status_code == 404


async def test_objections_are_size_limited_and_rate_limited_by_the_gateway(stack: Stack) -> None:
    # From an address of its own (the whole of 127/8 is loopback): the limit is per address, and the browser
    # test's objection on the same stack must not find this test's bucket empty.
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.7")
    async with httpx.AsyncClient(base_url=stack.gateway_url, transport=transport, timeout=30) as client:
        url = "/api/v1/public/disclosures/2000000000/objections"
        too_big = await client.post(url, json={"text": "x" * 40_000})
        assert too_big.status_code == 413
        assert too_big.headers["content-type"] == "application/problem+json"
        statuses = [
            (await client.post(url, json={"text": "Ý kiến về hồ sơ khen thưởng này."})).status_code
            for _ in range(6)
        ]
        # The gateway's 429 says when to try again.
        refused = await client.post(url, json={"text": "Ý kiến về hồ sơ khen thưởng này."})
    # 6 a minute per address with a burst of 3: the service answers the first (no such disclosure), the
    # gateway refuses the rest before they reach it.
    assert statuses[0] == 404
    assert 429 in statuses
    assert set(statuses) <= {404, 429}
    assert (refused.status_code, refused.headers.get("retry-after")) == (429, "10")
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429
