"""The platform's mixed load, for locust (``devstack bench-load`` runs it headless; see its docstring).

Each simulated user is a client behind the cluster's Ingress with an address of its own (``X-Forwarded-For``,
trusted from the load generator's address as from an Ingress), so the gateway's per-address limits apply to
each as to a real visitor. It mixes, per 100 requests:

* 30 public progress reads and 20 public registry searches, as the province's citizens and press read;
* 17 inbox reads and 7 lists of a district's nominations, as staff with the web app open;
* 3 result imports (DHIS2 data value sets of two values), as the districts' systems post them: thirteen
  districts' systems posting every few seconds, more than a province's monthly reporting ever brings;
* 8 nomination actions: 4 creations, each followed by its submission;
* 15 the same reads sent to the services' own ports (named ``direct …``: 5 progress, 5 registry, 5 inbox),
  the gateway's overhead measured against them in the same run.

The plan (tokens, the round, the services' addresses) comes from the JSON file named by ``LOAD_PLAN``; every
request's name, time, status and error is written as a line of JSON to ``LOAD_RECORDS`` when locust stops,
marked measured once ``LOAD_MEASURE_AFTER_S`` seconds have passed (the users' spawning is not measured).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from typing import Any

from locust import FastHttpUser, constant_throughput, events, task

PLAN: dict[str, Any] = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_addresses = itertools.count(1)
_random = random.Random(PLAN["seed"])  # noqa: S311 - a seeded mix, not a secret
_started = time.monotonic()
_measure_after = float(os.environ.get("LOAD_MEASURE_AFTER_S", "0"))
_records: list[dict[str, Any]] = []


CREATE, SUBMIT = "POST /api/v1/nominations", "POST /api/v1/nominations/{id}/actions/submit"


def _record(
    name: str, response_time: float, response: Any, exception: BaseException | None, url: str = "", **_: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0
    record = {
        "name": name,
        "ms": response_time,
        "status": status,
        "error": None if exception is None else str(exception),
        "measured": time.monotonic() - _started >= _measure_after,
        "at": round(time.monotonic() - _started, 3),
    }
    # What the platform acknowledged, for the chaos test to find again: the nomination created or submitted.
    if exception is None and (name, status) == (CREATE, 201):
        record["id"] = response.json()["id"]
    elif exception is None and (name, status) == (SUBMIT, 200):
        record["id"] = int(url.split("/nominations/")[1].split("/", maxsplit=1)[0])
    _records.append(record)


def _write_records(**_: Any) -> None:
    with open(os.environ["LOAD_RECORDS"], "w", encoding="utf-8") as records:
        records.writelines(json.dumps(record) + "\n" for record in _records)


# locust's EventHook.add_listener has no annotations.
events.request.add_listener(_record)  # type: ignore[no-untyped-call]
events.quitting.add_listener(_write_records)  # type: ignore[no-untyped-call]


SEARCHES = ("Nguyễn", "Trần Văn", "Lê Thị", "Hà", "Sở Tài chính", "huyện", "2024", "Cờ thi đua")
INDICATORS = ("ECO_NEW_ENTERPRISES", "SOC_NEW_JOBS")
PERIODS = ("2021", "2022", "2023", "2024")
# 96 tasks of weight 1 make 100 requests: each of the 4 nominations created is submitted too.
REQUESTS_PER_TASK = 100 / 96


class PlatformUser(FastHttpUser):
    # Each user starts tasks at this pace whatever the answers' times (a visitor does not wait for others):
    # the plan's requests per second over the users, a task being REQUESTS_PER_TASK requests on average.
    wait_time = constant_throughput(PLAN["requests_per_second"] / PLAN["users"] / REQUESTS_PER_TASK)

    def on_start(self) -> None:
        number = next(_addresses)
        self.district: str = PLAN["districts"][number % len(PLAN["districts"])]
        self.address = {"X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"}
        self.random = random.Random(_random.random())  # noqa: S311 - as above

    def bearer(self, kind: str) -> dict[str, str]:
        return self.address | {"Authorization": f"Bearer {PLAN['tokens'][kind][self.district]}"}

    def _progress(self, base: str, name: str) -> None:
        unit = self.random.choice(PLAN["progress_units"])
        self.client.get(f"{base}/v1/public/progress?org_unit={unit}", name=name, headers=self.address)

    def _registry(self, base: str, name: str) -> None:
        query = self.random.choice(SEARCHES)
        self.client.get(f"{base}/v1/public/awards?q={query}&limit=20", name=name, headers=self.address)

    @task(30)
    def public_progress(self) -> None:
        self._progress("/api", "GET /api/v1/public/progress")

    @task(5)
    def public_progress_direct(self) -> None:
        self._progress(PLAN["direct"]["targets"], "direct GET /v1/public/progress")

    @task(20)
    def registry_search(self) -> None:
        self._registry("/api", "GET /api/v1/public/awards")

    @task(5)
    def registry_search_direct(self) -> None:
        self._registry(PLAN["direct"]["nominations"], "direct GET /v1/public/awards")

    @task(17)
    def inbox(self) -> None:
        self.client.get("/api/v1/inbox?limit=20", name="GET /api/v1/inbox", headers=self.bearer("officer"))

    @task(5)
    def inbox_direct(self) -> None:
        self.client.get(
            f"{PLAN['direct']['notifications']}/v1/inbox?limit=20",
            name="direct GET /v1/inbox",
            headers=self.bearer("officer"),
        )

    @task(3)
    def import_results(self) -> None:
        values = [
            {
                "dataElement": indicator,
                "period": self.random.choice(PERIODS),
                "value": str(self.random.randint(1, 5000)),
            }
            for indicator in INDICATORS
        ]
        body = {"dataSet": "HT-PLAN", "orgUnit": self.district, "dataValues": values}
        self.client.post(
            "/api/v1/data-value-sets",
            json=body,
            name="POST /api/v1/data-value-sets",
            headers=self.bearer("reporter"),
        )

    @task(4)
    def nominate_and_submit(self) -> None:
        body = {
            "round_id": PLAN["round_id"],
            "award_type_code": "CSTD_CO_SO",
            "nominee": {
                "kind": "individual",
                "name": "Nguyễn Thị Hà",
                "key": f"LOAD-{uuid.uuid4().hex[:12]}",
                "position": "Giáo viên",
                "org_unit": self.district,
            },
            "nominating_org_unit": self.district,
            "achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2024; sáng kiến được công nhận cấp cơ sở.",
            "achievement_keys": [],
            "initiatives": [{"title": "Sổ tay số hóa hồ sơ", "scope": "grassroots", "year": 2024}],
            "open_discipline": False,
        }
        headers = self.bearer("officer")
        with self.client.post(
            "/api/v1/nominations",
            json=body,
            name=CREATE,
            headers=headers | {"Idempotency-Key": uuid.uuid4().hex},
            catch_response=True,
        ) as created:
            if created.status_code != 201:
                created.failure(f"{created.status_code}: {created.text}")
                return
            nomination = created.json()
        self.client.post(
            f"/api/v1/nominations/{nomination['id']}/actions/submit",
            json={},
            name=SUBMIT,
            headers=headers | {"If-Match": f'"{nomination["version"]}"'},
        )

    @task(7)
    def district_nominations(self) -> None:
        self.client.get(
            f"/api/v1/nominations?round_id={PLAN['round_id']}&limit=20",
            name="GET /api/v1/nominations",
            headers=self.bearer("officer"),
        )
