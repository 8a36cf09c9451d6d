"""Results ingestion through the app against PostgreSQL: DHIS2's dataValueSets import, values and history."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.types import Message

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from shared.pagination import encode_cursor
from targets.indicators.models import ValueType
from targets.results import endpoints
from targets.results.values import InvalidValue, check_number

URL = "/v1/data-value-sets"
COUNT = "ECO_NEW_ENTERPRISES"  # count, summed
NUMBER = "ECO_INCOME_PC"  # number, weighted by POP_AVG
BOOLEAN = "ECO_NTM_PROVINCE"
PERCENT = "ECO_URBANISATION"
PROBLEM = "application/problem+json"

Json = dict[str, Any]
Key = tuple[str, str, str]  # (indicator, org unit, period)


def dv(
    data_element: str, period: str, org_unit: str, value: object = None, comment: str | None = None
) -> Json:
    item: Json = {"dataElement": data_element, "period": period, "orgUnit": org_unit}
    if value is not None:
        item["value"] = value
    if comment is not None:
        item["comment"] = comment
    return item


async def post(
    client: httpx.AsyncClient, headers: Mapping[str, str], values: list[Json], **params: str
) -> httpx.Response:
    return await client.post(URL, json={"dataValues": values}, params=params, headers=headers)


# DHIS2 reads the first row of a CSV as its header unless told otherwise; most bodies here have none.
HEADERLESS = {"firstRowIsHeader": "false"}


async def post_csv(
    client: httpx.AsyncClient, headers: Mapping[str, str], body: str, **params: str
) -> httpx.Response:
    return await client.post(
        URL, content=body.encode(), params=params, headers={**headers, "Content-Type": "text/csv"}
    )


def counts(response: httpx.Response) -> tuple[int, int, int, int]:
    count = response.json()["importCount"]
    return count["imported"], count["updated"], count["ignored"], count["deleted"]


def conflicts(response: httpx.Response) -> list[tuple[str, str, list[int]]]:
    return [(c["errorCode"], c["object"], c["indexes"]) for c in response.json()["conflicts"]]


async def stored(db_session: AsyncSession) -> dict[Key, tuple[str, str | None]]:
    rows = await db_session.execute(
        text(
            "SELECT i.code, o.code, p.iso, v.value, v.comment FROM targets.data_values v"
            " JOIN targets.indicators i ON i.id = v.indicator_id"
            " JOIN targets.org_units o ON o.id = v.org_unit_id"
            " JOIN targets.periods p ON p.id = v.period_id"
        )
    )
    return {(row[0], row[1], row[2]): (row[3], row[4]) for row in rows.all()}


async def scalar(db_session: AsyncSession, sql: str) -> Any:
    return (await db_session.execute(text(sql))).scalar_one()


async def revision_count(db_session: AsyncSession) -> int:
    return int(await scalar(db_session, "SELECT count(*) FROM targets.data_value_revisions"))


async def lock(client: httpx.AsyncClient, auth: Auth, period: str, org_unit: str | None = None) -> Json:
    response = await client.post(
        "/v1/period-locks", json={"period": period, "org_unit": org_unit}, headers=auth("secretariat")
    )
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


# --- the import summary --------------------------------------------------------------------------------


async def test_json_import_answers_dhis2_import_summary_and_stores_values(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    response = await post(
        client,
        auth("reporter", org_unit="HT-HSO", subject="hso-system"),
        [dv(COUNT, "2024", "HT-HSO", "12", "from the district"), dv(PERCENT, "2024", "HT-HSO", "31.50")],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    import_id = body.pop("importId")
    assert uuid.UUID(import_id)
    assert body == {
        "responseType": "ImportSummary",
        "status": "SUCCESS",
        "description": "Import process completed successfully.",
        "importOptions": {
            "idSchemes": {"dataElementIdScheme": {"type": "CODE"}, "orgUnitIdScheme": {"type": "CODE"}},
            "dryRun": False,
            "async": False,
            "importStrategy": "CREATE_AND_UPDATE",
            "atomicMode": "ALL",
            "skipExistingCheck": False,
            "firstRowIsHeader": True,
            "requireCategoryOptionCombo": False,
            "requireAttributeOptionCombo": False,
        },
        "importCount": {"imported": 2, "updated": 0, "ignored": 0, "deleted": 0},
        "conflicts": [],
    }
    assert await stored(db_session) == {
        (COUNT, "HT-HSO", "2024"): ("12", "from the district"),
        (PERCENT, "HT-HSO", "2024"): ("31.5", None),
    }
    record = (
        await db_session.execute(
            text("SELECT created_by, org_unit, format, value_count, summary FROM targets.data_imports")
        )
    ).one()
    assert tuple(record) == (
        "hso-system",
        "HT-HSO",
        "json",
        2,
        {"status": "SUCCESS", "imported": 2, "updated": 0, "ignored": 0, "deleted": 0, "conflicts": 0},
    )
    assert str(await scalar(db_session, "SELECT DISTINCT import_id FROM targets.data_values")) == import_id


async def test_csv_import_with_and_without_header(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    headers = auth("reporter", org_unit="HT-HSO")
    with_header = (
        '\ufeffvalue,orgunit,period,dataelement,comment\r\n12,HT-HSO,2024,ECO_NEW_ENTERPRISES,"a, b"\r\n'
    )
    response = await post_csv(client, headers, with_header)
    assert response.status_code == 200, response.text
    assert counts(response) == (1, 0, 0, 0)
    without_header = "ECO_NEW_ENTERPRISES,2024,HT-HSO,,,13\n\nECO_URBANISATION,2024,HT-HSO,,,40,,,x\n"
    response = await post_csv(client, headers, without_header, **HEADERLESS)
    assert counts(response) == (1, 1, 0, 0)
    assert await stored(db_session) == {
        (COUNT, "HT-HSO", "2024"): ("13", None),
        (PERCENT, "HT-HSO", "2024"): ("40", "x"),
    }
    sources = await db_session.execute(text("SELECT DISTINCT source FROM targets.data_value_revisions"))
    assert {row[0] for row in sources} == {"data-value-sets:csv"}


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "APPLICATION/JSON"])
async def test_json_content_type_parameters_and_case_do_not_matter(
    client: httpx.AsyncClient, auth: Auth, content_type: str
) -> None:
    body = json.dumps({"dataValues": [dv(COUNT, "2024", "HT", "1")]}).encode()
    response = await client.post(URL, content=body, headers={**auth("admin"), "Content-Type": content_type})
    assert counts(response) == (1, 0, 0, 0)


async def test_application_csv_is_csv(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post(
        URL,
        content=b"ECO_NEW_ENTERPRISES,2024,HT,,,1\n",
        headers={**auth("admin"), "Content-Type": "application/csv"},
        params=HEADERLESS,
    )
    assert counts(response) == (1, 0, 0, 0)


async def test_set_level_defaults_apply_to_values(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    payload = {"period": "2023", "orgUnit": "HT-HKH", "dataValues": [{"dataElement": COUNT, "value": 4}]}
    response = await client.post(URL, json=payload, headers=auth("reporter", org_unit="HT-HKH"))
    assert counts(response) == (1, 0, 0, 0)
    assert await stored(db_session) == {(COUNT, "HT-HKH", "2023"): ("4", None)}


async def test_empty_payload_is_a_success_that_stores_nothing(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    response = await post(client, auth("admin"), [])
    assert response.status_code == 200
    assert response.json()["status"] == "SUCCESS"
    assert counts(response) == (0, 0, 0, 0)
    assert response.json()["importId"] is None
    assert await scalar(db_session, "SELECT count(*) FROM targets.data_imports") == 0


# --- conflicts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error_code", "obj", "prop", "message"),
    [
        (
            dv("NO_SUCH_INDICATOR", "2024", "HT-HSO", "1"),
            "E7610",
            "NO_SUCH_INDICATOR",
            "dataElement",
            "not found",
        ),
        (dv(COUNT, "2024X", "HT-HSO", "1"), "E7611", "2024X", "period", "Period not valid"),
        (dv(COUNT, "202401", "HT-HSO", "1"), "E7611", "202401", "period", "reported Yearly"),
        (dv(COUNT, "2024Q3", "HT-HSO", "1"), "E7611", "2024Q3", "period", "is Quarterly"),
        (dv(COUNT, "", "HT-HSO", "1"), "E7611", "", "period", "Period not valid"),
        (dv(COUNT, "2024", "HT-NOPE", "1"), "E7612", "HT-NOPE", "orgUnit", "not found"),
        (
            dv(COUNT, "2025", "HT-LHA", "1"),
            "E7612",
            "HT-LHA",
            "orgUnit",
            "did not exist during period `2025`",
        ),
        (dv(COUNT, "2026", "HT-HSO", "1"), "E7612", "HT-HSO", "orgUnit", "did not exist"),
        (dv(COUNT, "2024", "HT-HKH", "1"), "E7617", "HT-HKH", "orgUnit", "not in hierarchy of current user"),
        (dv(COUNT, "2024", "HT", "1"), "E7617", "HT", "orgUnit", "`HT-HSO`"),
        (dv(COUNT, "2024", "HT-HSO", "1.5"), "E7619", COUNT, "value", "not a count"),
        (dv(COUNT, "2024", "HT-HSO", "-3"), "E7619", COUNT, "value", "not a count"),
        (dv(BOOLEAN, "2024", "HT-HSO", "maybe"), "E7619", BOOLEAN, "value", "not a boolean"),
        (dv(PERCENT, "2024", "HT-HSO", "50%"), "E7619", PERCENT, "value", "not a number"),
        (dv(PERCENT, "2024", "HT-HSO", "abc"), "E7619", PERCENT, "value", "(percent)"),
        (dv(NUMBER, "2024", "HT-HSO", "1,5"), "E7619", NUMBER, "value", "not a number"),
        (dv(NUMBER, "2024", "HT-HSO", "NaN"), "E7619", NUMBER, "value", "not a number"),
        (dv(NUMBER, "2024", "HT-HSO", "١٢"), "E7619", NUMBER, "value", "not a number"),
        (dv(NUMBER, "2024", "HT-HSO", True), "E7619", NUMBER, "value", "'true' is not a number"),
        # A comment of more than DHIS2's 50,000 characters (one of 10 MiB was stored before).
        (
            dv(COUNT, "2024", "HT-HSO", "1") | {"comment": "x" * 50_001},
            "E7620",
            COUNT,
            "comment",
            "50001 characters; at most 50000",
        ),
    ],
)
async def test_each_conflict_code(
    client: httpx.AsyncClient,
    auth: Auth,
    db_session: AsyncSession,
    value: Json,
    error_code: str,
    obj: str,
    prop: str,
    message: str,
) -> None:
    good = dv(COUNT, "2023", "HT-HSO", "5")
    response = await post(client, auth("reporter", org_unit="HT-HSO"), [good, value], atomicMode="NONE")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "WARNING"
    assert counts(response) == (1, 0, 1, 0)
    [conflict] = body["conflicts"]
    assert conflict.keys() == {"object", "value", "errorCode", "property", "indexes"}
    assert (conflict["errorCode"], conflict["object"], conflict["property"], conflict["indexes"]) == (
        error_code,
        obj,
        prop,
        [1],
    )
    assert message in conflict["value"]
    assert await stored(db_session) == {(COUNT, "HT-HSO", "2023"): ("5", None)}


async def test_locked_period_is_e7640_and_unlocking_reopens_it(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    created = await lock(client, auth, "2023")
    assert (created["period"], created["org_unit"]) == ("2023", None)
    headers = auth("reporter", org_unit="HT-HSO")
    values = [
        dv(COUNT, "2023", "HT-HSO", "1"),
        dv(COUNT, "2024", "HT-HSO", "1"),
        dv(PERCENT, "2023", "HT-HSO", "2"),
    ]
    response = await post(client, headers, values, atomicMode="NONE")
    assert conflicts(response) == [("E7640", "2023", [0, 2])]
    assert response.json()["conflicts"][0]["property"] == "period"
    assert "locked" in response.json()["conflicts"][0]["value"]
    assert counts(response) == (1, 0, 2, 0)

    deleted = await client.delete(f"/v1/period-locks/{created['id']}", headers=auth("secretariat"))
    assert deleted.status_code == 204
    response = await post(client, headers, values, atomicMode="NONE")
    assert counts(response) == (2, 0, 1, 0)
    assert len(await stored(db_session)) == 3


async def test_a_lock_for_one_unit_covers_its_subtree_only(client: httpx.AsyncClient, auth: Auth) -> None:
    await lock(client, auth, "2023", org_unit="HT-HSO")
    values = [
        dv(COUNT, "2023", "HT-HSO", "1"),
        dv(COUNT, "2023", "HT-HKH", "1"),
        dv(COUNT, "2023", "HT", "1"),
    ]
    response = await post(client, auth("admin"), values, atomicMode="NONE")
    assert conflicts(response) == [("E7640", "2023", [0])]
    assert counts(response) == (2, 0, 1, 0)


async def test_a_province_lock_covers_every_unit(client: httpx.AsyncClient, auth: Auth) -> None:
    await lock(client, auth, "2022", org_unit="HT")
    response = await post(client, auth("admin"), [dv(COUNT, "2022", "HT-VQU", "1")])
    assert response.status_code == 409
    assert conflicts(response) == [("E7640", "2022", [0])]


@pytest.mark.parametrize("org_unit", ["HT-HSO", None])
async def test_a_period_is_locked_once_per_unit(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, org_unit: str | None
) -> None:
    await lock(client, auth, "2023", org_unit=org_unit)
    again = await client.post(
        "/v1/period-locks", json={"period": "2023", "org_unit": org_unit}, headers=auth("admin")
    )
    assert_problem(again, 409, "period-lock-exists")
    assert await scalar(db_session, "SELECT count(*) FROM targets.period_locks") == 1
    listed = (await client.get("/v1/period-locks", headers=auth("viewer"))).json()
    assert [(item["period"], item["org_unit"]) for item in listed["items"]] == [("2023", org_unit)]
    assert listed["next_cursor"] is None


async def test_period_locks_are_paged_by_their_period(client: httpx.AsyncClient, auth: Auth) -> None:
    for period in ("2023", "2021", "2022Q3", "2022"):
        await lock(client, auth, period)
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/period-locks", params=params, headers=auth("viewer"))).json()
        seen += [item["period"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["2021", "2022", "2022Q3", "2023"]


async def test_checks_run_in_the_documented_order(client: httpx.AsyncClient, auth: Auth) -> None:
    await lock(client, auth, "2023")
    headers = auth("reporter", org_unit="HT-HSO")
    values = [
        dv("NOPE", "bad", "HT-NOPE", "x"),  # indicator first
        dv(COUNT, "bad", "HT-NOPE", "x"),  # then period
        dv(COUNT, "2023", "HT-NOPE", "x"),  # then org unit
        dv(COUNT, "2023", "HT-HKH", "x"),  # then scope
        dv(COUNT, "2023", "HT-HSO", "x"),  # then the value, before the lock
        dv(COUNT, "2023", "HT-HSO", "1"),  # and the lock last
    ]
    response = await post(client, headers, values, atomicMode="NONE")
    assert [code for code, _, _ in conflicts(response)] == [
        "E7610",
        "E7611",
        "E7612",
        "E7617",
        "E7619",
        "E7640",
    ]


async def test_conflicts_are_grouped_by_code_and_object_with_every_index(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    values = [
        dv("NOPE", "2024", "HT", "1"),
        dv(COUNT, "2024", "HT-HSO", "1"),
        dv("NOPE", "2023", "HT", "1"),
        dv("OTHER", "2024", "HT", "1"),
        dv(COUNT, "2024", "HT-HKH", "1"),
        dv("NOPE", "2022", "HT-HSO", "1"),
        dv(COUNT, "2023", "HT-HKH", "2"),
        dv(COUNT, "2022", "HT-HSO", "2.5"),
        dv(PERCENT, "2022", "HT-HSO", "x"),
        dv(COUNT, "2021", "HT-HSO", "-1"),
    ]
    response = await post(client, auth("reporter", org_unit="HT-HSO"), values, atomicMode="NONE")
    assert conflicts(response) == [
        ("E7610", "NOPE", [0, 2, 5]),
        ("E7610", "OTHER", [3]),
        ("E7617", "HT-HKH", [4, 6]),
        ("E7619", COUNT, [7, 9]),
        ("E7619", PERCENT, [8]),
    ]
    assert counts(response) == (1, 0, 9, 0)


# --- atomic mode ---------------------------------------------------------------------------------------


async def test_atomic_mode_all_stores_nothing_when_one_value_conflicts(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    values = [
        dv(COUNT, "2024", "HT-HSO", "1"),
        dv(COUNT, "2024", "HT-HKH", "1.5"),
        dv(COUNT, "2023", "HT", "2"),
    ]
    response = await post(client, auth("admin"), values)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "ERROR"
    assert body["importOptions"]["atomicMode"] == "ALL"
    assert body["importId"] is None
    assert "nothing was stored" in body["description"]
    assert counts(response) == (0, 0, 3, 0)
    assert conflicts(response) == [("E7619", COUNT, [1])]
    assert await stored(db_session) == {}
    assert await scalar(db_session, "SELECT count(*) FROM targets.periods") == 0


async def test_atomic_mode_none_stores_the_values_without_conflicts(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    values = [
        dv(COUNT, "2024", "HT-HSO", "1"),
        dv(COUNT, "2024", "HT-HKH", "1.5"),
        dv(COUNT, "2023", "HT", "2"),
    ]
    response = await post(client, auth("admin"), values, atomicMode="none")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "WARNING"
    assert body["importOptions"]["atomicMode"] == "NONE"
    assert "with conflicts" in body["description"]
    assert counts(response) == (2, 0, 1, 0)
    assert set(await stored(db_session)) == {(COUNT, "HT-HSO", "2024"), (COUNT, "HT", "2023")}


async def test_invalid_atomic_mode_is_a_problem(client: httpx.AsyncClient, auth: Auth) -> None:
    body = assert_problem(await post(client, auth("admin"), [], atomicMode="SOME"), 400, "invalid-option")
    assert body["parameter"] == "atomicMode"


# --- import strategies ---------------------------------------------------------------------------------


async def _arrange(client: httpx.AsyncClient, auth: Auth) -> None:
    """HT-HSO has 2023 = 1 and 2024 = 2 stored; 2022 is not."""
    response = await post(
        client, auth("admin"), [dv(COUNT, "2023", "HT-HSO", "1"), dv(COUNT, "2024", "HT-HSO", "2")]
    )
    assert counts(response) == (2, 0, 0, 0)


STRATEGY_PAYLOAD = [
    dv(COUNT, "2022", "HT-HSO", "10"),  # new
    dv(COUNT, "2023", "HT-HSO", "11"),  # changed
    dv(COUNT, "2024", "HT-HSO", "2"),  # unchanged
]


@pytest.mark.parametrize(
    ("strategy", "expected_counts", "expected"),
    [
        ("CREATE", (1, 0, 2, 0), {"2022": "10", "2023": "1", "2024": "2"}),
        ("NEW", (1, 0, 2, 0), {"2022": "10", "2023": "1", "2024": "2"}),
        ("UPDATE", (0, 1, 2, 0), {"2023": "11", "2024": "2"}),
        ("UPDATES", (0, 1, 2, 0), {"2023": "11", "2024": "2"}),
        ("CREATE_AND_UPDATE", (1, 1, 1, 0), {"2022": "10", "2023": "11", "2024": "2"}),
        ("NEW_AND_UPDATES", (1, 1, 1, 0), {"2022": "10", "2023": "11", "2024": "2"}),
        ("create_and_update", (1, 1, 1, 0), {"2022": "10", "2023": "11", "2024": "2"}),
        ("DELETE", (0, 0, 1, 2), {}),
    ],
)
async def test_import_strategies(
    client: httpx.AsyncClient,
    auth: Auth,
    db_session: AsyncSession,
    strategy: str,
    expected_counts: tuple[int, int, int, int],
    expected: dict[str, str],
) -> None:
    await _arrange(client, auth)
    response = await post(client, auth("admin"), STRATEGY_PAYLOAD, importStrategy=strategy)
    assert response.status_code == 200, response.text
    assert counts(response) == expected_counts
    canonical = {"NEW": "CREATE", "UPDATES": "UPDATE", "NEW_AND_UPDATES": "CREATE_AND_UPDATE"}
    assert response.json()["importOptions"]["importStrategy"] == canonical.get(strategy, strategy.upper())
    assert {period: value for (_, _, period), (value, _) in (await stored(db_session)).items()} == expected


async def test_unknown_strategy_is_a_problem(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await post(client, auth("admin"), [], importStrategy="REPLACE")
    body = assert_problem(response, 400, "invalid-option")
    assert body["parameter"] == "importStrategy"
    assert "REPLACE" in body["detail"]


@pytest.mark.parametrize("empty", [{"value": ""}, {"value": None}, {}, {"value": "  "}])
async def test_an_empty_value_deletes_the_stored_one(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, empty: Json
) -> None:
    await _arrange(client, auth)
    item = {"dataElement": COUNT, "period": "2023", "orgUnit": "HT-HSO", **empty}
    missing = dv(COUNT, "2022", "HT-HSO", "")
    response = await post(client, auth("admin"), [item, missing])
    assert counts(response) == (0, 0, 1, 1)
    assert set(await stored(db_session)) == {(COUNT, "HT-HSO", "2024")}


async def test_an_empty_csv_value_deletes_the_stored_one(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    await _arrange(client, auth)
    response = await post_csv(client, auth("admin"), "ECO_NEW_ENTERPRISES,2023,HT-HSO,,,\n", **HEADERLESS)
    assert counts(response) == (0, 0, 0, 1)
    assert set(await stored(db_session)) == {(COUNT, "HT-HSO", "2024")}


@pytest.mark.parametrize(("strategy", "deleted"), [("CREATE", 0), ("UPDATE", 1)])
async def test_an_empty_value_deletes_only_where_the_strategy_may(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, strategy: str, deleted: int
) -> None:
    await _arrange(client, auth)
    response = await post(client, auth("admin"), [dv(COUNT, "2023", "HT-HSO", "")], importStrategy=strategy)
    assert counts(response) == (0, 0, 1 - deleted, deleted)
    assert len(await stored(db_session)) == 2 - deleted


async def test_delete_strategy_still_checks_every_value(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await post(
        client,
        auth("reporter", org_unit="HT-HSO"),
        [dv(COUNT, "2023", "HT-HKH", "1")],
        importStrategy="DELETE",
    )
    assert response.status_code == 409
    assert conflicts(response) == [("E7617", "HT-HKH", [0])]


# --- dry run -------------------------------------------------------------------------------------------


async def test_dry_run_counts_like_the_real_import_but_stores_nothing(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    await _arrange(client, auth)
    before = await stored(db_session)
    revisions = await revision_count(db_session)
    data_counter = await scalar(db_session, "SELECT data FROM targets.change_counters")
    payload = [
        dv(COUNT, "2021", "HT-HSO", "10"),  # new, in a period never used before
        dv(COUNT, "2023", "HT-HSO", "11"),
        dv(COUNT, "2024", "HT-HSO", ""),
        dv(COUNT, "2022", "HT-HSO", "x"),
    ]
    response = await post(client, auth("admin"), payload, dryRun="true", atomicMode="NONE")
    assert response.status_code == 200
    body = response.json()
    assert body["importOptions"]["dryRun"] is True
    assert body["description"].startswith("Dry run")
    assert body["importId"] is None
    assert counts(response) == (1, 1, 1, 1)
    assert conflicts(response) == [("E7619", COUNT, [3])]

    assert await stored(db_session) == before
    assert await revision_count(db_session) == revisions
    assert await scalar(db_session, "SELECT count(*) FROM targets.data_imports") == 1
    assert await scalar(db_session, "SELECT data FROM targets.change_counters") == data_counter
    # Not even the new period's row: a dry run leaves no trace.
    periods = await db_session.execute(text("SELECT iso FROM targets.periods"))
    assert {row[0] for row in periods} == {"2023", "2024"}

    real = await post(client, auth("admin"), payload, atomicMode="NONE")
    assert counts(real) == counts(response)


async def test_dry_run_with_atomic_mode_all_reports_the_conflicts(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await post(client, auth("admin"), [dv(COUNT, "2024", "HT", "-1")], dryRun="true")
    assert response.status_code == 409
    assert response.json()["status"] == "ERROR"


# --- canonical values and "unchanged" ------------------------------------------------------------------


async def test_booleans_accept_dhis2_spellings_and_are_stored_as_true_or_false(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    spellings: list[object] = ["true", "FALSE", "T", "f", "1", "0", "True", " false ", True, False, 1, 0]
    expected = [
        "true",
        "false",
        "true",
        "false",
        "true",
        "false",
        "true",
        "false",
        "true",
        "false",
        "true",
        "false",
    ]
    units = ["HT-HTI", "HT-HLI", "HT-KAT", "HT-DTH", "HT-NXU", "HT-CLO", "HT-THA", "HT-CXU", "HT-KAH",
             "HT-HSO", "HT-HKH", "HT-VQU"]  # fmt: skip
    values = [dv(BOOLEAN, "2024", unit, spelling) for unit, spelling in zip(units, spellings, strict=True)]
    response = await post(client, auth("admin"), values)
    assert counts(response) == (12, 0, 0, 0)
    found = await stored(db_session)
    assert [found[(BOOLEAN, unit, "2024")][0] for unit in units] == expected
    numbers = await db_session.execute(text("SELECT DISTINCT value, number FROM targets.data_values"))
    assert {(row[0], int(row[1])) for row in numbers} == {("true", 1), ("false", 0)}

    again = [
        dv(BOOLEAN, "2024", unit, spelling)
        for unit, spelling in zip(units, ["T", "0", "1", "F"], strict=False)
    ]
    assert counts(await post(client, auth("admin"), again)) == (0, 0, 4, 0)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ('"70.0"', "70"),
        ('"70.50"', "70.5"),
        ('"7E+1"', "70"),
        ('"+0070"', "70"),
        ('"-0"', "0"),
        ('".5"', "0.5"),
        ('"5."', "5"),
        ('"1e-5"', "0.00001"),
        ('"1E+30"', "1000000000000000000000000000000"),
        ('"123456789012345678.123456789"', "123456789012345678.123456789"),
        # JSON numbers, not strings: every written digit counts (a binary float would drop some).
        ("70.0", "70"),
        ("1234567890.123456789", "1234567890.123456789"),
        ("123456789012345678901234567", "123456789012345678901234567"),
    ],
)
async def test_numbers_are_stored_in_canonical_form(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, written: str, canonical: str
) -> None:
    item = f'{{"dataElement": "{NUMBER}", "period": "2024", "orgUnit": "HT", "value": {written}}}'
    body = f'{{"dataValues": [{item}]}}'.encode()
    response = await client.post(
        URL, content=body, headers={**auth("admin"), "Content-Type": "application/json"}
    )
    assert counts(response) == (1, 0, 0, 0), response.text
    assert (await stored(db_session))[(NUMBER, "HT", "2024")] == (canonical, None)
    # The canonical text posted again is the same value.
    assert counts(await post(client, auth("admin"), [dv(NUMBER, "2024", "HT", canonical)])) == (0, 0, 1, 0)


async def test_postgresql_reads_every_accepted_number_as_python_does(db_session: AsyncSession) -> None:
    # The checker only looks at the text; PostgreSQL converts it. Whatever passes must convert, to the same
    # number (else a 500 for the whole import, or a different value stored).
    pieces = itertools.product(
        ["", "+", "-"],
        ["", "0", "7", "00120", "١٢", "１"],
        ["", ".", ".5", ".050", ".٣"],
        ["", "e", "e3", "E+2", "e-07", "E100", "e101"],
        ["", " "],
    )
    accepted: list[str] = []
    for sign, whole, fraction, exponent, blank in pieces:
        try:
            accepted.append(
                check_number(f"{blank}{sign}{whole}{fraction}{exponent}{blank}", ValueType.NUMBER)
            )
        except InvalidValue:
            continue
    assert len(accepted) > 300
    converted = await db_session.execute(
        text(
            "SELECT trim_scale(CAST(x AS numeric))::text"
            " FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS u(x, n) ORDER BY n"
        ),
        {"texts": accepted},
    )
    # Decimal's plain notation without trailing zeros (and -0 is 0), as trim_scale writes it.
    assert [row[0] for row in converted] == [format(Decimal(x).normalize() + 0, "f") for x in accepted]


async def test_an_equal_number_written_differently_is_ignored(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    headers = auth("admin")
    assert counts(await post(client, headers, [dv(PERCENT, "2024", "HT", "70.0")])) == (1, 0, 0, 0)
    for same in ["70", "70.000", "7e1", " 70 ", 70]:
        assert counts(await post(client, headers, [dv(PERCENT, "2024", "HT", same)])) == (0, 0, 1, 0)
    assert await revision_count(db_session) == 1
    assert counts(await post(client, headers, [dv(PERCENT, "2024", "HT", "70.01")])) == (0, 1, 0, 0)


async def test_the_same_payload_twice_changes_nothing_the_second_time(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    payload = [
        dv(COUNT, "2024", "HT-HSO", "12", "ok"),
        dv(BOOLEAN, "2024", "HT-HSO", "t"),
        dv(PERCENT, "2024", "HT-HSO", "33.30"),
        dv(NUMBER, "2023", "HT-HSO", "45.5"),
    ]
    headers = auth("reporter", org_unit="HT-HSO")
    first = await post(client, headers, payload)
    assert counts(first) == (4, 0, 0, 0)
    revisions = await revision_count(db_session)
    imports = await scalar(db_session, "SELECT count(*) FROM targets.data_imports")
    data_counter = await scalar(db_session, "SELECT data FROM targets.change_counters")

    second = await post(client, headers, payload)
    assert second.json()["status"] == "SUCCESS"
    assert counts(second) == (0, 0, 4, 0)
    assert second.json()["importId"] is None
    assert await revision_count(db_session) == revisions
    assert await scalar(db_session, "SELECT count(*) FROM targets.data_imports") == imports
    assert await scalar(db_session, "SELECT data FROM targets.change_counters") == data_counter

    csv = "ECO_NEW_ENTERPRISES,2024,HT-HSO,,,12,,,ok\nECO_URBANISATION,2024,HT-HSO,,,33.3\n"
    assert counts(await post_csv(client, headers, csv, **HEADERLESS)) == (0, 0, 2, 0)


async def test_a_changed_comment_is_an_update(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    headers = auth("admin")
    await post(client, headers, [dv(COUNT, "2024", "HT", "5", "first")])
    assert counts(await post(client, headers, [dv(COUNT, "2024", "HT", "5", "second")])) == (0, 1, 0, 0)
    assert counts(await post(client, headers, [dv(COUNT, "2024", "HT", "5")])) == (0, 1, 0, 0)
    assert (await stored(db_session))[(COUNT, "HT", "2024")] == ("5", None)
    # An empty comment is no comment, in JSON as in CSV.
    assert counts(await post(client, headers, [dv(COUNT, "2024", "HT", "5", "")])) == (0, 0, 1, 0)
    body = "ECO_NEW_ENTERPRISES,2024,HT,,,5,,,\n"
    assert counts(await post_csv(client, headers, body, **HEADERLESS)) == (0, 0, 1, 0)


async def test_within_one_payload_the_last_occurrence_wins(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    values = [
        dv(COUNT, "2024", "HT", "1"),
        dv(COUNT, "2023", "HT", "7"),
        dv(COUNT, "2024", "HT", "2"),
        dv(COUNT, "2024", "HT", "3", "last"),
    ]
    response = await post(client, auth("admin"), values)
    assert counts(response) == (2, 0, 2, 0)
    assert (await stored(db_session))[(COUNT, "HT", "2024")] == ("3", "last")
    history = await db_session.execute(text("SELECT change, new_value FROM targets.data_value_revisions"))
    assert sorted(history.all()) == [("CREATE", "3"), ("CREATE", "7")]


async def test_a_later_duplicate_with_a_conflict_leaves_the_earlier_one(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    values = [dv(COUNT, "2024", "HT", "1"), dv(COUNT, "2024", "HT", "1.5")]
    response = await post(client, auth("admin"), values, atomicMode="NONE")
    assert counts(response) == (1, 0, 1, 0)
    assert (await stored(db_session))[(COUNT, "HT", "2024")] == ("1", None)


async def test_duplicates_that_delete_then_create(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    await _arrange(client, auth)
    values = [dv(COUNT, "2023", "HT-HSO", ""), dv(COUNT, "2023", "HT-HSO", "9")]
    assert counts(await post(client, auth("admin"), values)) == (0, 1, 1, 0)
    assert (await stored(db_session))[(COUNT, "HT-HSO", "2023")] == ("9", None)


# --- history -------------------------------------------------------------------------------------------


async def test_every_change_is_a_revision_visible_in_the_history(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    hso = auth("reporter", org_unit="HT-HSO", subject="hso-system")
    secretariat = auth("secretariat", subject="secretary")
    await post(client, hso, [dv(COUNT, "2024", "HT-HSO", "12")])
    unchanged, changed = "ECO_NEW_ENTERPRISES,2024,HT-HSO,,,12.0\n", "ECO_NEW_ENTERPRISES,2024,HT-HSO,,,13\n"
    await post_csv(client, secretariat, unchanged, **HEADERLESS)  # unchanged: no revision
    await post_csv(client, secretariat, changed, **HEADERLESS)
    await post(client, hso, [dv(COUNT, "2024", "HT-HSO", "13")], importStrategy="DELETE")
    await post(client, hso, [dv(COUNT, "2023", "HT-HSO", "1")])  # another value

    response = await client.get(
        "/v1/data-values/history",
        params={"indicator": COUNT, "org_unit": "HT-HSO", "period": "2024"},
        headers=auth("viewer"),
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    assert [
        (r["change"], r["old_value"], r["new_value"], r["changed_by"], r["source"]) for r in page["items"]
    ] == [
        ("CREATE", None, "12", "hso-system", "data-value-sets:json"),
        ("UPDATE", "12", "13", "secretary", "data-value-sets:csv"),
        ("DELETE", "13", None, "hso-system", "data-value-sets:json"),
    ]
    first = page["items"][0]
    assert (first["indicator"], first["org_unit"], first["period"]) == (COUNT, "HT-HSO", "2024")
    assert first["import_id"] is not None
    assert len({r["import_id"] for r in page["items"]}) == 3


async def test_history_pages_through_with_a_cursor(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = auth("admin")
    for value in ["1", "2", "3", "4", "5"]:
        await post(client, headers, [dv(COUNT, "2024", "HT", value)])
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/data-values/history", params=params, headers=headers)).json()
        seen.extend(r["new_value"] for r in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["1", "2", "3", "4", "5"]


# --- reading values ------------------------------------------------------------------------------------


async def _many(client: httpx.AsyncClient, auth: Auth) -> None:
    values = [
        dv(indicator, period, unit, "1")
        for indicator in [COUNT, PERCENT]
        for unit in ["HT-HSO", "HT-HKH", "HT-VQU"]
        for period in ["2023", "2024"]
    ]
    assert counts(await post(client, auth("admin", subject="loader"), values)) == (12, 0, 0, 0)


async def test_values_are_filtered_by_indicator_org_unit_and_period(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await _many(client, auth)

    async def keys(**params: str | list[str]) -> set[Key]:
        response = await client.get("/v1/data-values", params=params, headers=auth("viewer"))
        assert response.status_code == 200, response.text
        return {(v["indicator"], v["org_unit"], v["period"]) for v in response.json()["items"]}

    assert len(await keys()) == 12
    assert await keys(indicator=PERCENT, org_unit="HT-HKH") == {
        (PERCENT, "HT-HKH", "2023"),
        (PERCENT, "HT-HKH", "2024"),
    }
    assert await keys(org_unit=["HT-HSO", "HT-VQU"], period="2024", indicator=COUNT) == {
        (COUNT, "HT-HSO", "2024"),
        (COUNT, "HT-VQU", "2024"),
    }
    assert await keys(period="2019") == set()
    item = (await client.get("/v1/data-values", params={"limit": "1"}, headers=auth("viewer"))).json()[
        "items"
    ][0]
    assert item.keys() == {
        "indicator", "org_unit", "period", "value", "comment", "stored_by", "created", "last_updated"
    }  # fmt: skip
    assert item["stored_by"] == "loader"


async def test_values_page_through_with_a_cursor(client: httpx.AsyncClient, auth: Auth) -> None:
    await _many(client, auth)
    seen: list[Key] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": "5", **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/data-values", params=params, headers=auth("viewer"))
        page = response.json()
        assert len(page["items"]) <= 5
        seen.extend((v["indicator"], v["org_unit"], v["period"]) for v in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 12


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/v1/data-values", "not-a-cursor"),
        ("/v1/data-values", encode_cursor(17)),  # the history's cursor
        ("/v1/data-values", encode_cursor(["a", "b", "c"])),
        ("/v1/data-values", encode_cursor([1, 2, 2**40])),
        ("/v1/data-values", encode_cursor([1.5, 2, 3])),
        ("/v1/data-values/history", "bm90LWEtY3Vyc29y"),
        ("/v1/data-values/history", encode_cursor([1, 2, 3])),
        ("/v1/data-values/history", encode_cursor(2**70)),
        ("/v1/data-values/history", encode_cursor(True)),
    ],
)
async def test_a_bad_cursor_is_a_400_problem(
    client: httpx.AsyncClient, auth: Auth, path: str, cursor: str
) -> None:
    response = await client.get(path, params={"cursor": cursor}, headers=auth("viewer"))
    assert_problem(response, 400, "invalid-cursor")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"indicator": "NOPE"}, "indicator"),
        ({"org_unit": "HT-NOPE"}, "org_unit"),
        ({"period": "20244"}, "period"),
    ],
)
async def test_an_unknown_filter_value_is_a_400_problem(
    client: httpx.AsyncClient, auth: Auth, params: dict[str, str], parameter: str
) -> None:
    for path in ["/v1/data-values", "/v1/data-values/history"]:
        body = assert_problem(
            await client.get(path, params=params, headers=auth("viewer")), 400, "unknown-filter-value"
        )
        assert body["parameter"] == parameter


# --- request problems ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method"),
    [(URL, "POST"), ("/v1/data-values", "GET"), ("/v1/data-values/history", "GET")],
)
async def test_an_unknown_query_option_is_a_400_problem_naming_it(
    client: httpx.AsyncClient, auth: Auth, path: str, method: str
) -> None:
    # A misspelt atomicMode silently ignored would store what the caller meant to refuse.
    response = await client.request(
        method, path, params={"atomicmode": "NONE"}, json={"dataValues": []}, headers=auth("admin")
    )
    body = assert_problem(response, 400, "unknown-query-parameter")
    assert body["unknown"] == ["atomicmode"]
    assert "atomicmode" in body["detail"]


@pytest.mark.parametrize("option", ["idScheme", "dataElementIdScheme", "orgUnitIdScheme"])
async def test_only_codes_identify_objects(client: httpx.AsyncClient, auth: Auth, option: str) -> None:
    # UID is a scheme DHIS2 knows, which cannot be carried out here; "uuid" is none.
    body = assert_problem(await post(client, auth("admin"), [], **{option: "UID"}), 400, "unsupported-option")
    assert "UID" in body["detail"]
    assert body["parameter"] == option
    assert assert_problem(await post(client, auth("admin"), [], **{option: "uuid"}), 400, "invalid-option")
    assert (await post(client, auth("admin"), [], **{option: "code"})).status_code == 200


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded", None]
)
async def test_another_content_type_is_a_415_problem(
    client: httpx.AsyncClient, auth: Auth, content_type: str | None
) -> None:
    headers = auth("admin") | ({"Content-Type": content_type} if content_type else {})
    response = await client.post(URL, content=b'{"dataValues": []}', headers=headers)
    body = assert_problem(response, 415, "unsupported-media-type")
    assert body["accepted"] == ["application/csv", "application/json", "text/csv"]


@pytest.mark.parametrize(
    ("body", "content_type", "members"),
    [
        (b'{"dataValues": [\n  {"dataElement": "X",}\n]}', "application/json", {"line": 2, "position": 38}),
        (b'{"dataValues": [{"dataElement": "X"}, 5]}', "application/json", {"index": 1}),
        (b"[]", "application/json", {}),
        (b"", "application/json", {"position": 0}),
        (b'A,2024,HT,,,1\nA,2024,HT,,,"1"x\n', "text/csv", {"line": 2}),
        (b"A,2024,HT,,,1\nA,2024,HT\n", "text/csv", {"line": 2}),
        (b"A,2024,HT,,,1\n\nA,2024,HT,,,\xff\n", "text/csv", {"line": 3, "position": 27}),
    ],
)
async def test_a_malformed_payload_is_a_400_problem_naming_where(
    client: httpx.AsyncClient,
    auth: Auth,
    db_session: AsyncSession,
    body: bytes,
    content_type: str,
    members: Json,
) -> None:
    response = await client.post(URL, content=body, headers={**auth("admin"), "Content-Type": content_type})
    problem = assert_problem(response, 400, "malformed-payload")
    assert problem["instance"] == URL
    assert {name: problem.get(name) for name in members} == members
    assert await stored(db_session) == {}


async def test_a_nul_in_a_comment_is_refused_before_the_database(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    # Once a 500 for the whole import (PostgreSQL text cannot hold U+0000); now the payload names the value.
    response = await post(
        client, auth("admin"), [dv(COUNT, "2024", "HT", "1"), dv(COUNT, "2023", "HT", "1", "a\0b")]
    )
    assert assert_problem(response, 422, "unstorable-value")["index"] == 1
    assert await stored(db_session) == {}


@pytest.mark.parametrize(
    ("body", "content_type", "members"),
    [
        (b'{"dataValues": [{"comment": "a\\u0000b"}]}', "application/json", {"index": 0}),
        (b"A,2024,HT,,,1,,,a\x00b\n", "text/csv", {"line": 1}),
    ],
)
async def test_a_nul_anywhere_in_a_payload_is_the_422_it_is_on_every_endpoint(
    client: httpx.AsyncClient,
    auth: Auth,
    db_session: AsyncSession,
    body: bytes,
    content_type: str,
    members: Json,
) -> None:
    response = await client.post(URL, content=body, headers={**auth("admin"), "Content-Type": content_type})
    problem = assert_problem(response, 422, "unstorable-value")
    assert {name: problem.get(name) for name in members} == members
    assert await stored(db_session) == {}


async def test_a_payload_over_the_size_limit_is_a_413_problem(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoints, "MAX_BODY_BYTES", 100)
    csv = "".join(f"ECO_NEW_ENTERPRISES,{year},HT,,,1\n" for year in range(2021, 2026))
    assert_problem(await post_csv(client, auth("admin"), csv), 413, "payload-too-large")
    assert await stored(db_session) == {}


# --- who may post, and for which units -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "unit_officer", "council_member", "authority"])
async def test_roles_that_may_not_post(client: httpx.AsyncClient, auth: Auth, role: str) -> None:
    response = await post(client, auth(role, org_unit="HT-HSO"), [dv(COUNT, "2024", "HT-HSO", "1")])
    body = assert_problem(response, 403, "missing-role")
    assert body["required_roles"] == ["admin", "reporter", "secretariat"]


async def test_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"dataValues": []})
    assert_problem(response, 401, "missing-token")
    assert response.headers["www-authenticate"] == "Bearer"
    for path in ["/v1/data-values", "/v1/data-values/history"]:
        assert (await client.get(path)).status_code == 401


@pytest.mark.parametrize("role", ["secretariat", "admin"])
async def test_province_wide_roles_post_for_any_unit(
    client: httpx.AsyncClient, auth: Auth, role: str
) -> None:
    values = [dv(COUNT, "2024", unit, "1") for unit in ["HT", "HT-HSO", "HT-HKH", "HT-SNV"]]
    values.append(dv(COUNT, "2024", "HT-LHA", "1"))
    # Whatever unit their token names.
    response = await post(client, auth(role, org_unit="HT-HSO"), values)
    assert counts(response) == (5, 0, 0, 0), response.text


async def test_a_district_reporter_posts_for_its_own_unit_only(client: httpx.AsyncClient, auth: Auth) -> None:
    values = [
        dv(COUNT, "2024", "HT-THA", "1"),
        dv(COUNT, "2025", "HT-THA", "1"),
        dv(COUNT, "2024", "HT-LHA", "1"),
    ]
    response = await post(client, auth("reporter", org_unit="HT-THA"), values, atomicMode="NONE")
    assert conflicts(response) == [("E7617", "HT-LHA", [2])]
    assert counts(response) == (2, 0, 1, 0)


async def test_a_province_reporter_posts_anywhere_below_the_province(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    values = [dv(COUNT, "2024", unit, "1") for unit in ["HT", "HT-HSO", "HT-HKH", "HT-LHA", "HT-SNV"]]
    response = await post(client, auth("reporter", org_unit="HT"), values)
    assert counts(response) == (5, 0, 0, 0), response.text


@pytest.mark.parametrize("org_unit", [None, "HT-NOPE"])
async def test_a_reporter_without_a_known_unit_posts_for_none(
    client: httpx.AsyncClient, auth: Auth, org_unit: str | None
) -> None:
    response = await post(client, auth("reporter", org_unit=org_unit), [dv(COUNT, "2024", "HT", "1")])
    assert response.status_code == 409
    assert conflicts(response) == [("E7617", "HT", [0])]


async def test_scope_follows_the_hierarchy_on_the_values_reference_day(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    """A commune of Lộc Hà that moved to Thạch Hà with the merger on 2025-01-01."""
    admin = auth("admin")
    created = await client.post(
        "/v1/org-units",
        json={
            "code": "HT-LHA-X",
            "name": "Xã X",
            "type": "commune",
            "valid_from": "2021-01-01",
            "parent": "HT-LHA",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    moved = await client.patch(
        "/v1/org-units/HT-LHA-X",
        json={"parent": "HT-THA", "parent_from": "2025-01-01"},
        headers={**admin, "If-Match": created.headers["etag"]},
    )
    assert moved.status_code == 200, moved.text

    values = [dv(COUNT, "2024", "HT-LHA-X", "1"), dv(COUNT, "2025", "HT-LHA-X", "2")]
    by_tha = await post(client, auth("reporter", org_unit="HT-THA"), values, atomicMode="NONE")
    assert conflicts(by_tha) == [("E7617", "HT-LHA-X", [0])]
    assert "on 2024-01-01" in by_tha.json()["conflicts"][0]["value"]
    by_lha = await post(client, auth("reporter", org_unit="HT-LHA"), values, atomicMode="NONE")
    assert conflicts(by_lha) == [("E7617", "HT-LHA-X", [1])]
    assert await stored(db_session) == {
        (COUNT, "HT-LHA-X", "2024"): ("1", None),
        (COUNT, "HT-LHA-X", "2025"): ("2", None),
    }
    # The province's reporter covers the commune on either side of the move.
    by_province = await post(
        client, auth("reporter", org_unit="HT"), [dv(COUNT, "2024", "HT-LHA-X", "3"), values[1]]
    )
    assert counts(by_province) == (0, 1, 1, 0)


# --- a request cut off mid-body ------------------------------------------------------------------------


async def test_a_payload_cut_off_by_a_disconnect_stores_nothing(
    running_app: FastAPI, db_connection: AsyncConnection, db_session: AsyncSession, auth: Auth
) -> None:
    # Cut at a line boundary: what arrived is a well-formed CSV on its own; only the disconnect can stop it.
    first = b"ECO_NEW_ENTERPRISES,2024,HT,,,1\nECO_NEW_ENTERPRISES,2023,HT,,,2\n"
    rest = b"ECO_NEW_ENTERPRISES,2022,HT,,,3\n"
    messages: list[Message] = [
        {"type": "http.request", "body": first, "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    headers = {"content-type": "text/csv", "content-length": str(len(first + rest)), **auth("admin")}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": URL,
        "raw_path": URL.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }
    await running_app(scope, receive, send)

    assert await stored(db_session) == {}
    assert await revision_count(db_session) == 0
    assert await scalar(db_session, "SELECT count(*) FROM targets.data_imports") == 0
    start = next(message for message in sent if message["type"] == "http.response.start")
    assert start["status"] == 400


async def test_disaggregated_values_are_conflicts_not_silently_merged(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    values = [
        {**dv("SOC_NEW_JOBS", "2023", "HT-HSO", "900"), "categoryOptionCombo": "HllvX50cXC0"},
        {**dv("SOC_NEW_JOBS", "2023", "HT-HSO", "500"), "categoryOptionCombo": "Nam"},
        {**dv("SOC_NEW_JOBS", "2023", "HT-HKH", "400"), "attributeOptionCombo": "DonorA"},
        {**dv("SOC_NEW_JOBS", "2023", "HT-VQU", "300"), "categoryOptionCombo": "default"},
    ]
    response = await post(client, auth("admin"), values, atomicMode="NONE")
    assert counts(response) == (2, 0, 2, 0)
    assert conflicts(response) == [("E7613", "Nam", [1]), ("E7615", "DonorA", [2])]
    csv_response = await post_csv(
        client,
        auth("admin"),
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nSOC_NEW_JOBS,2023,HT-DTH,Nu,,12\n",
    )
    assert conflicts(csv_response) == [("E7613", "Nu", [0])]


async def test_json_with_a_byte_order_mark_is_read_like_csv(client: httpx.AsyncClient, auth: Auth) -> None:
    body = "\ufeff" + json.dumps({"dataValues": [dv("SOC_NEW_JOBS", "2022", "HT-HSO", "10")]})
    response = await client.post(
        URL, content=body.encode(), headers={**auth("admin"), "Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert counts(response) == (1, 0, 0, 0)
