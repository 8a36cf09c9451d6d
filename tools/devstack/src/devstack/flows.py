"""Steps of the award workflow over HTTP, shared by the nominations service's API tests (in-process), the
end-to-end tests (through the gateway, ``prefix="/api"``) and the demonstration data set (``devstack.demo``).

An answer other than the one a step expects raises :class:`FlowError` with the answer's text: the demo loader
stops on it, and a test fails on it."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from shared import clock

AuthHeaders = Callable[..., dict[str, str]]
_serial = itertools.count(1)


def etag(resource: dict[str, Any]) -> str:
    """The ETag of a resource as answered (its ``version``)."""
    return f'"{resource["version"]}"'


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}-{uuid.uuid4().hex[:10]}"


class FlowError(RuntimeError):
    """A step was answered otherwise than it expects (the method, path, status and problem)."""


def expect(response: httpx.Response, status: int = 200) -> Any:
    """The answer's JSON body when its status is ``status``; :class:`FlowError` otherwise."""
    if response.status_code != status:
        request = response.request
        raise FlowError(
            f"{request.method} {request.url.path}: {response.status_code} (expected {status}) {response.text}"
        )
    return response.json()


class AwardsFlow:
    def __init__(self, client: httpx.AsyncClient, auth: AuthHeaders, prefix: str = "") -> None:
        self.client = client
        self.auth = auth
        self.prefix = prefix

    def secretariat(self) -> dict[str, str]:
        return self.auth("secretariat", org_unit="HT-SNV", subject="secretariat-1")

    def officer(self, unit: str, subject: str | None = None) -> dict[str, str]:
        return self.auth("unit_officer", org_unit=unit, subject=subject or f"officer-{unit}")

    async def create_round(self, **overrides: Any) -> dict[str, Any]:
        today = clock.today()
        body: dict[str, Any] = {
            "code": unique("KT"),
            "name": "Khen thưởng tổng kết năm 2024",
            "kind": "annual",
            "year": 2024,
            "reference_date": "2024-12-31",
            "opens_on": today.isoformat(),
            "submission_working_days": 15,
            "screening_working_days": 10,
            "council_working_days": 10,
            "decision_working_days": 10,
        } | overrides
        response = await self.client.post(f"{self.prefix}/v1/rounds", json=body, headers=self.secretariat())
        created: dict[str, Any] = expect(response, 201)
        return created

    def nomination_body(self, round_id: int, unit: str, **overrides: Any) -> dict[str, Any]:
        nominee = {
            "kind": "individual",
            "name": "Nguyễn Thị Hà",
            "key": unique("CB"),
            "position": "Giáo viên",
            "org_unit": unit,
        } | overrides.pop("nominee", {})
        return {
            "round_id": round_id,
            "award_type_code": "CSTD_CO_SO",
            "nominee": nominee,
            "nominating_org_unit": unit,
            "achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2024; sáng kiến được công nhận cấp cơ sở.",
            "achievement_keys": [],
            "initiatives": [{"title": "Sổ tay số hóa hồ sơ", "scope": "grassroots", "year": 2024}],
            "open_discipline": False,
        } | overrides

    async def nominate(self, round_id: int, unit: str, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"{self.prefix}/v1/nominations",
            json=self.nomination_body(round_id, unit, **overrides),
            headers=self.officer(unit),
        )
        created: dict[str, Any] = expect(response, 201)
        return created

    async def to_council(self, round_id: int, unit: str, **overrides: Any) -> dict[str, Any]:
        """Nominated, submitted, screened with every failed rule overridden, sent to the council."""
        screened = await self.screened(round_id, unit, **overrides)
        return await self.must(screened["id"], "send_to_council", self.secretariat(), if_match=etag(screened))

    async def screened(self, round_id: int, unit: str, **overrides: Any) -> dict[str, Any]:
        """Nominated, submitted, screened with every failed rule overridden in writing."""
        nomination = await self.nominate(round_id, unit, **overrides)
        submitted = await self.must(nomination["id"], "submit", self.officer(unit), if_match=etag(nomination))
        return await self.screen(submitted)

    async def screen(
        self, submitted: dict[str, Any], note: str = "Hội đồng cơ sở đã xác minh"
    ) -> dict[str, Any]:
        """A submitted nomination screened by the secretariat, every failed rule overridden with ``note``."""
        secretariat = self.secretariat()
        screened = await self.must(submitted["id"], "screen", secretariat, if_match=etag(submitted))
        for verdict in screened["eligibility"]["verdicts"]:
            if verdict["status"] == "failed":
                screened = await self.must(
                    submitted["id"],
                    "override",
                    secretariat,
                    if_match=etag(screened),
                    override={"rule": verdict["kind"]},
                    note=note,
                )
        return screened

    def member(self, number: int) -> dict[str, str]:
        return self.auth("council_member", org_unit=None, subject=f"member-{number}")

    async def council_passes(
        self, round_id: int, nomination_ids: list[int], *, members: int = 3, held_on: str | None = None
    ) -> dict[str, Any]:
        """A council session on the nominations, every member approving every one, closed: its body."""
        session_id = await self.council_voted(round_id, nomination_ids, members=members, held_on=held_on)
        path = f"{self.prefix}/v1/council-sessions/{session_id}"
        read = await self.client.get(path, headers=self.secretariat())
        closed = await self.client.post(
            f"{path}/actions/close", headers=self.secretariat() | {"If-Match": read.headers["ETag"]}
        )
        body: dict[str, Any] = expect(closed)
        return body

    async def council_voted(
        self, round_id: int, nomination_ids: list[int], *, members: int = 3, held_on: str | None = None
    ) -> int:
        """A council session on the nominations, every member having approved all of them, open: its id."""
        opened = await self.client.post(
            f"{self.prefix}/v1/council-sessions",
            json={
                "round_id": round_id,
                "name": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh",
                "held_on": held_on or clock.today().isoformat(),
                "members": [{"subject": f"member-{i}", "name": f"Ủy viên {i}"} for i in range(members)],
                "nomination_ids": nomination_ids,
            },
            headers=self.secretariat(),
        )
        session_id: int = expect(opened, 201)["id"]
        for number in range(members):
            ballot = await self.client.post(
                f"{self.prefix}/v1/council-sessions/{session_id}/ballots",
                json={"choices": {str(nomination_id): "approve" for nomination_id in nomination_ids}},
                headers=self.member(number),
            )
            expect(ballot, 201)
        return session_id

    async def etag(self, nomination_id: int) -> str:
        """The nomination's current ETag, as the secretariat reads it."""
        response = await self.client.get(
            f"{self.prefix}/v1/nominations/{nomination_id}", headers=self.secretariat()
        )
        expect(response)
        return response.headers["ETag"]

    async def act(
        self,
        nomination_id: int,
        action: str,
        headers: dict[str, str],
        *,
        if_match: str | None = None,
        **body: Any,
    ) -> httpx.Response:
        """Take an action with the version the caller read (If-Match; read now when not given)."""
        version = if_match or await self.etag(nomination_id)
        return await self.client.post(
            f"{self.prefix}/v1/nominations/{nomination_id}/actions/{action}",
            json=body,
            headers=headers | {"If-Match": version},
        )

    async def must(
        self,
        nomination_id: int,
        action: str,
        headers: dict[str, str],
        *,
        if_match: str | None = None,
        **body: Any,
    ) -> dict[str, Any]:
        response = await self.act(nomination_id, action, headers, if_match=if_match, **body)
        result: dict[str, Any] = expect(response)
        return result
