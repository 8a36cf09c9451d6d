"""Kill -9 at random points during 1,000 events: nothing lost, the inbox exact, resends recognisable.

The burst is written to the nominations service's outbox by its own outbox code, in transactions of 50, as
the service writes its events. Meanwhile a seeded schedule kills with SIGKILL and restarts the relay, the
notifications service, each notifications worker and the SMTP server (the mail catcher). Afterwards every
event has reached each of its recipients: an inbox entry exactly once, an email and a signed webhook at
least once; whatever was sent twice (killed between the send and its record) carries the same Message-ID or
webhook-id, and those resends are counted and reported.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text
from standardwebhooks import Webhook

from devstack.postgres import PostgresServer
from devstack.stack import Stack
from devstack.testing.receiver import WebhookReceiver
from nominations.models import outbox
from notifications.deliveries.sending import GROUP  # what a kill may leave in doubt per job
from shared.database import Database
from shared.outbox import Event, emit_many
from tests.e2e.conftest import FAST_DELIVERIES, started_stack

pytestmark = pytest.mark.e2e

SEED = 20261202
EVENTS = 1000
BATCH = 50
UNITS = ("HT-THA", "HT-CLO", "HT-HSO", "HT-KAN")
VICTIMS = (
    "nominations-relay",
    "notifications",
    "notifications-worker-1",
    "notifications-worker-2",
    "mailcatcher",
)
WORKER_CONCURRENCY = 8
# Retries and the sweep on a test's scale (FAST_DELIVERIES), with the timeouts its lease is sized for.
FAST = FAST_DELIVERIES | {
    "NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS": "50",
    "NOTIFICATIONS_WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
    "NOMINATIONS_RELAY_BACKOFF_BASE_SECONDS": "0.1",
    "NOMINATIONS_RELAY_BACKOFF_CAP_SECONDS": "1",
    "NOMINATIONS_RELAY_POLL_SECONDS": "1",
}


@pytest.fixture(scope="module")
def crash_stack(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with started_stack(
        postgres_server, tmp_path_factory.mktemp("crash-stack"), "kill", workers=2, extra_env=FAST
    ) as started:
        yield started


def officer(unit: str) -> str:
    return f"officer-{unit}"


def granted(number: int) -> Event:
    unit = UNITS[number % len(UNITS)]
    return Event(
        "award.granted",
        f"award/{number}",
        {
            "award_id": number,
            "decision_id": 1 + number // 100,
            "decision_number": f"{1 + number // 100}/QĐ-UBND",
            "decision_date": "2026-12-01",
            "award_type": "GIAY_KHEN_CT_TINH",
            "recipient_name": f"Người lao động số {number}",
            "org_unit": unit,
            "nomination_id": number,
            "bonus_vnd": 710_000,
        },
    )


class Killer(threading.Thread):
    """Kills and restarts the victims on a seeded schedule until told to stop; each one at least once."""

    def __init__(self, stack: Stack, rng: random.Random) -> None:
        super().__init__(name="killer", daemon=True)
        self.stack, self.rng = stack, rng
        self.done = threading.Event()
        self.kills: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        order = list(VICTIMS)
        self.rng.shuffle(order)
        try:
            while not self.done.is_set() or len(self.kills) < len(VICTIMS):
                time.sleep(self.rng.uniform(0.2, 1.2))
                first_round = len(self.kills) < len(order)
                victim = order[len(self.kills)] if first_round else self.rng.choice(VICTIMS)
                self.stack.kill(victim)
                self.kills.append(victim)
                time.sleep(self.rng.uniform(0.1, 1.0))
                self.stack.restart(victim, timeout=120)
        except BaseException as exc:  # reported by the test, not lost in a thread
            self.error = exc


async def burst(database_url: str, rng: random.Random) -> None:
    database = Database(database_url, application_name="kill-test-producer")
    try:
        for start in range(0, EVENTS, BATCH):
            async with database.session() as session:
                await emit_many(session, outbox, [granted(n) for n in range(start, start + BATCH)])
            await asyncio.sleep(rng.uniform(0.05, 0.4))
    finally:
        await database.dispose()


DIAGNOSIS = {
    "outbox not published": "SELECT count(*) FROM nominations.outbox WHERE published_at IS NULL",
    "events not fanned out": "SELECT count(*) FROM notifications.events WHERE fanned_out_at IS NULL",
    "deliveries": "SELECT channel, status, count(*) FROM notifications.deliveries GROUP BY 1, 2",
    "jobs": "SELECT task_name, status, count(*) FROM notifications.procrastinate_jobs GROUP BY 1, 2",
}


async def diagnosis(database_url: str) -> str:
    """Where things stand, for the message of a failed assertion (read-only)."""
    database = Database(database_url, application_name="kill-test-diagnosis")
    try:
        async with database.session() as session:
            found = {name: (await session.execute(text(sql))).all() for name, sql in DIAGNOSIS.items()}
    finally:
        await database.dispose()
    return "; ".join(f"{name}: {[tuple(row) for row in rows]}" for name, rows in found.items())


async def wait_for(check: object, seconds: float) -> None:
    assert callable(check)
    for _ in range(int(seconds)):
        if await check():
            return
        await asyncio.sleep(1.0)


async def test_kill_9_anywhere_loses_nothing_and_resends_with_the_same_identity(
    crash_stack: Stack,
) -> None:
    stack = crash_stack
    assert stack.keys is not None
    admin_token = stack.keys.mint(roles=["admin"], org_unit="HT", subject="e2e-admin")
    admin = {"Authorization": f"Bearer {admin_token}"}
    rng = random.Random(SEED)  # noqa: S311 - a repeatable schedule of kills, not a secret
    with WebhookReceiver().running() as receiver:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
            secrets = {}
            for unit in UNITS:
                person = {
                    "sub": officer(unit),
                    "display_name": f"Cán bộ thi đua {unit}",
                    "email": f"thidua.{unit.lower()}@hatinh.gov.vn",
                    "org_unit": unit,
                    "roles": ["unit_officer"],
                }
                created = await client.post("/api/v1/recipients", json=person, headers=admin)
                assert created.status_code == 201, created.text
                hook = await client.post(
                    "/api/v1/webhook-endpoints",
                    json={"org_unit": unit, "url": f"{receiver.url}/{unit}"},
                    headers=admin,
                )
                assert hook.status_code == 201, hook.text
                secrets[unit] = hook.json()["secret"]

            killer = Killer(stack, rng)
            killer.start()
            try:
                await burst(stack.database_url, rng)
            finally:
                killer.done.set()
                await asyncio.to_thread(killer.join, 120)
            assert killer.error is None, repr(killer.error)
            assert not killer.is_alive()
            assert set(killer.kills) == set(VICTIMS), killer.kills
            assert stack.crashed() == []

            async with httpx.AsyncClient(base_url=stack.mail_url, timeout=120) as catcher:

                async def mail() -> list[dict[str, object]]:
                    return list((await catcher.get("/messages")).json())

                async def all_arrived() -> bool:
                    ids = {m["message_id"] for m in await mail()}
                    hooks = {r.headers["webhook-id"] for r in receiver.received()}
                    return len(ids) >= EVENTS and len(hooks) >= EVENTS

                await wait_for(all_arrived, 180)
                messages = await mail()

            # Email: every event to its unit's officer; a resend has its first sending's Message-ID.
            by_id = Counter(str(m["message_id"]) for m in messages)
            hooks = {r.headers["webhook-id"] for r in receiver.received()}
            if len(by_id) < EVENTS or len(hooks) < EVENTS:
                state = await diagnosis(stack.database_url)
                pytest.fail(
                    f"{len(by_id)} emails, {len(hooks)} webhooks of {EVENTS}; kills {killer.kills}; {state}"
                )
            email_resends = sum(by_id.values()) - len(by_id)
            first = {str(m["message_id"]): m for m in messages}
            sent = Counter(
                (str(m["rcpt_tos"][0]), str(m["headers"]["X-Notification-Type"]))  # type: ignore[index]
                for m in first.values()
            )
            per_unit = EVENTS // len(UNITS)
            assert sent == Counter(
                {(f"thidua.{unit.lower()}@hatinh.gov.vn", "award.granted"): per_unit for unit in UNITS}
            )

            # Webhooks: each event to its unit's endpoint, verified; one webhook-id per event and endpoint.
            ids_per_event: dict[tuple[str, str], set[str]] = {}
            for received in receiver.received():
                unit = received.path.strip("/")
                payload = Webhook(secrets[unit]).verify(received.body, received.headers)
                assert payload["data"]["org_unit"] == unit
                key = (unit, payload["subject"])
                ids_per_event.setdefault(key, set()).add(received.headers["webhook-id"])
            assert len(ids_per_event) == EVENTS
            assert all(len(ids) == 1 for ids in ids_per_event.values())
            webhook_resends = len(receiver.received()) - EVENTS

            # The inbox: exactly once each.
            for unit in UNITS:
                token = stack.keys.mint(roles=["unit_officer"], org_unit=unit, subject=officer(unit))
                seen: Counter[str] = Counter()
                params: dict[str, str | int] = {"limit": 100}
                while True:
                    page = await client.get(
                        "/api/v1/inbox", params=params, headers={"Authorization": f"Bearer {token}"}
                    )
                    assert page.status_code == 200, page.text
                    seen.update(item["subject"] for item in page.json()["items"])
                    if not page.json().get("next_cursor"):
                        break
                    params["cursor"] = page.json()["next_cursor"]
                wanted = {f"award/{n}" for n in range(EVENTS) if UNITS[n % len(UNITS)] == unit}
                assert set(seen) == wanted
                assert set(seen.values()) == {1}

    # The resends: only what a kill caught between a group's sends and its record, at most one group
    # (GROUP deliveries) per job in flight.
    report = f"kills {dict(Counter(killer.kills))}; resends: email {email_resends}, webhook {webhook_resends}"
    print(report)  # noqa: T201 - the figure the issue asks to report (pytest -s, or the junit log)
    in_flight = WORKER_CONCURRENCY * GROUP * killer.kills.count("notifications-worker-1")
    in_flight += WORKER_CONCURRENCY * GROUP * killer.kills.count("notifications-worker-2")
    in_flight += WORKER_CONCURRENCY * GROUP * 2 * killer.kills.count("mailcatcher")
    assert email_resends + webhook_resends <= in_flight, report
