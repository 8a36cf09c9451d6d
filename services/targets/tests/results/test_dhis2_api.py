"""DHIS2 as its clients speak it: every import parameter DHIS2 takes, its CSV header rule, its own paths and
answers (the WebMessage of 2.38+, the bare summary before 38, the job of ``async=true``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth
from targets.results.options import WITHOUT_EFFECT

URL = "/v1/data-value-sets"
COUNT = "ECO_NEW_ENTERPRISES"
Json = dict[str, Any]


def dv(period: str, org_unit: str, value: str | None, **fields: object) -> Json:
    return {"dataElement": COUNT, "period": period, "orgUnit": org_unit, "value": value, **fields}


async def post(
    client: httpx.AsyncClient, headers: Mapping[str, str], values: list[Json], path: str = URL, **params: str
) -> httpx.Response:
    return await client.post(path, json={"dataValues": values}, params=params, headers=headers)


async def post_csv(
    client: httpx.AsyncClient, headers: Mapping[str, str], body: str, **params: str
) -> httpx.Response:
    return await client.post(
        URL, content=body.encode(), params=params, headers={**headers, "Content-Type": "application/csv"}
    )


def counts(summary: Json) -> tuple[int, int, int, int]:
    count = summary["importCount"]
    return count["imported"], count["updated"], count["ignored"], count["deleted"]


async def stored(db_session: AsyncSession) -> dict[str, str]:
    rows = await db_session.execute(
        text(
            "SELECT p.iso, v.value FROM targets.data_values v JOIN targets.periods p ON p.id = v.period_id"
            " JOIN targets.org_units o ON o.id = v.org_unit_id WHERE o.code = 'HT-HSO'"
        )
    )
    return {row[0]: row[1] for row in rows}


async def arrange(client: httpx.AsyncClient, auth: Auth) -> None:
    """HT-HSO has 2023 = 1 and 2024 = 2."""
    response = await post(client, auth("admin"), [dv("2023", "HT-HSO", "1"), dv("2024", "HT-HSO", "2")])
    assert counts(response.json()) == (2, 0, 0, 0)


# --- the parameters --------------------------------------------------------------------------------------

# DHIS2's documented import parameters, written out here rather than taken from the code, so that one the code
# forgets is a failure: dhis2-docs `src/developer/web-api/data.md`, table "Import parameters" (anchor
# webapi_data_values_import_parameters). Each has a value from its "Values" column that is honoured here:
# `code` rather than DHIS2's default `uid`, which is unsupported-option for data elements and org units.
DHIS2_DOCUMENTED = {
    "dataElementIdScheme": "code",
    "orgUnitIdScheme": "code",
    "categoryOptionComboIdScheme": "uid",
    "dataSetIdScheme": "code",
    "categoryIdScheme": "code",
    "categoryOptionIdScheme": "code",
    "idScheme": "code",
    "preheatCache": "true",
    "dryRun": "true",
    "importStrategy": "CREATE",
    "skipExistingCheck": "true",
    "skipAudit": "true",
    "async": "false",
    "force": "true",
}
# The other options dhis2-core's data value import reads from the query (`ImportOptions`), also written out.
DHIS2_IMPORT_OPTIONS = {
    "atomicMode": "NONE",
    "firstRowIsHeader": "false",
    "requireCategoryOptionCombo": "false",
    "requireAttributeOptionCombo": "false",
    "dataSet": "BfMAe6Itzgt",
    "skipNotifications": "true",
    "strictPeriods": "true",
    "strictCategoryOptionCombos": "true",
    "strictAttributeOptionCombos": "true",
    "strictDataElements": "true",
    "strictOrganisationUnits": "true",
    "strictDataSetApproval": "true",
    "strictDataSetLocking": "true",
    "strictDataSetInputPeriods": "true",
}


async def test_every_parameter_dhis2_takes_is_accepted(client: httpx.AsyncClient, auth: Auth) -> None:
    params = DHIS2_DOCUMENTED | DHIS2_IMPORT_OPTIONS
    response = await post(client, auth("admin"), [dv("2024", "HT", "1")], **params)
    assert response.status_code == 200, response.text
    description = response.json()["description"]
    said = description.split("Accepted without effect here: ", 1)[1]
    # Each one without effect here is named, with the reason.
    for name, reason in WITHOUT_EFFECT.items():
        assert name in params
        assert f"{name} ({reason})" in said
    # firstRowIsHeader means nothing to JSON; said so too.
    assert "firstRowIsHeader (JSON has no header row)" in said
    assert response.json()["importOptions"]["dryRun"] is True


@pytest.mark.parametrize("name", DHIS2_DOCUMENTED)
async def test_each_documented_parameter_is_accepted_alone(
    client: httpx.AsyncClient, auth: Auth, name: str
) -> None:
    response = await post(client, auth("admin"), [dv("2024", "HT", "1")], **{name: DHIS2_DOCUMENTED[name]})
    assert response.status_code == 200, response.text


async def test_only_the_parameters_sent_are_named_and_none_without_effect_when_none_is_sent(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    quiet = await post(client, auth("admin"), [dv("2024", "HT", "1")])
    assert "without effect" not in quiet.json()["description"]
    one = await post(client, auth("admin"), [dv("2024", "HT", "1")], skipAudit="true")
    assert one.json()["description"].endswith(
        "Accepted without effect here: skipAudit (every change is kept in the history)."
    )


async def test_a_parameter_dhis2_does_not_know_is_still_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    for name in ("atomicmode", "skipExistingChecks", "mergeMode", "format"):
        body = assert_problem(
            await post(client, auth("admin"), [], **{name: "x"}), 400, "unknown-query-parameter"
        )
        assert body["unknown"] == [name]
        assert "firstRowIsHeader" in body["allowed"]


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"importStrategy": "MERGE"}, "importStrategy", "importStrategy must be one of CREATE, UPDATE"),
        ({"importStrategy": "SYNC"}, "importStrategy", "SYNC is for tracker imports"),
        ({"atomicMode": "SOME"}, "atomicMode", "atomicMode must be ALL or NONE"),
        ({"orgUnitIdScheme": "ATTRIBUTE:short"}, "orgUnitIdScheme", "ATTRIBUTE:<attribute uid>"),
        ({"categoryIdScheme": "uuid"}, "categoryIdScheme", "categoryIdScheme must be UID, CODE"),
    ],
)
async def test_a_bad_value_is_a_problem_naming_the_parameter(
    client: httpx.AsyncClient, auth: Auth, params: dict[str, str], parameter: str, words: str
) -> None:
    body = assert_problem(await post(client, auth("admin"), [], **params), 400, "invalid-option")
    assert body["parameter"] == parameter
    assert words in body["detail"]


async def test_a_boolean_that_is_not_one_is_a_validation_error(client: httpx.AsyncClient, auth: Auth) -> None:
    body = assert_problem(await post(client, auth("admin"), [], dryRun="maybe"), 422, "validation-error")
    assert body["errors"][0]["location"] == "query.dryRun"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"idScheme": "UID"}, "idScheme"),
        ({"dataElementIdScheme": "NAME"}, "dataElementIdScheme"),
        ({"idScheme": "UID", "dataElementIdScheme": "CODE"}, "idScheme"),  # org units still by uid
        ({"orgUnitIdScheme": "ATTRIBUTE:DnrLSdo4hMl"}, "orgUnitIdScheme"),
    ],
)
async def test_objects_named_otherwise_than_by_code_cannot_be_found_here(
    client: httpx.AsyncClient, auth: Auth, params: dict[str, str], parameter: str
) -> None:
    body = assert_problem(await post(client, auth("admin"), [], **params), 400, "unsupported-option")
    assert body["parameter"] == parameter
    assert "identified by their codes here" in body["detail"]
    # The specific schemes win over the general one, as in DHIS2.
    both = {"idScheme": "UID", "dataElementIdScheme": "CODE", "orgUnitIdScheme": "CODE"}
    assert (await post(client, auth("admin"), [], **both)).status_code == 200


async def test_the_payloads_own_options_win_over_the_query(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    await arrange(client, auth)
    document = {"dryRun": True, "strategy": "DELETE", "dataValues": [dv("2023", "HT-HSO", "1")]}
    response = await client.post(URL, json=document, params={"dryRun": "false"}, headers=auth("admin"))
    assert counts(response.json()) == (0, 0, 0, 1)
    assert (
        response.json()["importOptions"]["dryRun"],
        response.json()["importOptions"]["importStrategy"],
    ) == (
        True,
        "DELETE",
    )
    assert await stored(db_session) == {"2023": "1", "2024": "2"}
    refused = await client.post(URL, json={"idScheme": "UID", "dataValues": []}, headers=auth("admin"))
    assert assert_problem(refused, 400, "unsupported-option")["parameter"] == "payload.idScheme"
    bad = await client.post(URL, json={"dryRun": "perhaps", "dataValues": []}, headers=auth("admin"))
    assert assert_problem(bad, 400, "invalid-option")["parameter"] == "payload.dryRun"


async def test_skip_existing_check_only_adds(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    await arrange(client, auth)
    values = [dv("2022", "HT-HSO", "10"), dv("2023", "HT-HSO", "11"), dv("2024", "HT-HSO", "")]
    response = await post(client, auth("admin"), values, skipExistingCheck="true")
    assert counts(response.json()) == (1, 0, 2, 0)
    assert "only added" in response.json()["description"]
    assert await stored(db_session) == {"2022": "10", "2023": "1", "2024": "2"}
    updates = await post(client, auth("admin"), values, skipExistingCheck="true", importStrategy="UPDATE")
    assert counts(updates.json()) == (0, 0, 3, 0)


async def test_required_combinations_left_out_are_e7630_and_e7631(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    values = [
        dv("2024", "HT", "1"),
        dv("2023", "HT", "1", categoryOptionCombo="default"),
        dv("2022", "HT", "1", categoryOptionCombo="default", attributeOptionCombo="default"),
    ]
    response = await post(
        client,
        auth("admin"),
        values,
        requireCategoryOptionCombo="true",
        requireAttributeOptionCombo="true",
        atomicMode="NONE",
    )
    summary = response.json()
    assert counts(summary) == (1, 0, 2, 0)
    assert [(c["errorCode"], c["object"], c["property"], c["indexes"]) for c in summary["conflicts"]] == [
        ("E7630", COUNT, "categoryOptionCombo", [0]),
        ("E7631", COUNT, "attributeOptionCombo", [1]),
    ]
    assert summary["conflicts"][0]["value"] == "Category option combo is required but is not specified"


@pytest.mark.parametrize(
    ("scheme", "accepted", "refused"),
    [(None, ["default", "HllvX50cXC0"], []), ("UID", ["HllvX50cXC0"], ["default"]),
     ("CODE", ["default"], ["HllvX50cXC0"]), ("NAME", ["default"], ["HllvX50cXC0"])],
)  # fmt: skip
async def test_the_default_combination_is_known_by_the_property_the_scheme_names(
    client: httpx.AsyncClient, auth: Auth, scheme: str | None, accepted: list[str], refused: list[str]
) -> None:
    params = {"categoryOptionComboIdScheme": scheme} if scheme else {}
    for combo in accepted + refused:
        response = await post(
            client, auth("admin"), [dv("2024", "HT", "1", categoryOptionCombo=combo)], **params
        )
        codes = [c["errorCode"] for c in response.json()["conflicts"]]
        assert codes == ([] if combo in accepted else ["E7613"]), combo


async def test_deleted_true_deletes_as_in_dhis2(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    await arrange(client, auth)
    response = await post(client, auth("admin"), [dv("2023", "HT-HSO", "1", deleted=True)])
    assert counts(response.json()) == (0, 0, 0, 1)
    header = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,"
    csv = header + f"comment,followup,deleted\n{COUNT},2024,HT-HSO,,,2,,,,false,true\n"
    assert counts((await post_csv(client, auth("admin"), csv)).json()) == (0, 0, 0, 1)
    assert await stored(db_session) == {}


async def test_a_csv_header_dhis2_does_not_write_is_a_header_all_the_same(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    misspelt = (
        f'"dataelelement","period","orgunit","catoptcombo","attroptcombo","value"\n{COUNT},2024,HT-HSO,,,7\n'
    )
    response = await post_csv(client, auth("admin"), misspelt)
    assert counts(response.json()) == (1, 0, 0, 0)
    headerless = f"{COUNT},2023,HT-HSO,,,8\n{COUNT},2022,HT-HSO,,,9\n"
    taken_as_header = (await post_csv(client, auth("admin"), headerless)).json()
    assert counts(taken_as_header) == (1, 0, 0, 0)
    assert "looks like a value" in taken_as_header["description"]
    assert taken_as_header["importOptions"]["firstRowIsHeader"] is True
    as_told = await post_csv(client, auth("admin"), headerless, firstRowIsHeader="false")
    assert counts(as_told.json()) == (1, 0, 1, 0)
    assert as_told.json()["importOptions"]["firstRowIsHeader"] is False
    assert await stored(db_session) == {"2024": "7", "2023": "8", "2022": "9"}


# --- async ---------------------------------------------------------------------------------------------


async def test_an_async_import_answers_a_job_whose_summary_dhis2s_paths_give(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession
) -> None:
    hso = auth("reporter", org_unit="HT-HSO", subject="hso-system")
    response = await post(
        client, hso, [dv("2024", "HT-HSO", "5"), dv("2024", "HT-HKH", "5")], **{"async": "true"}
    )
    assert response.status_code == 200, response.text
    message = response.json()
    job = message.pop("response")
    assert message == {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
        "message": "Initiated DATAVALUE_IMPORT",
    }
    job_id = job["id"]
    assert job == {
        "responseType": "JobConfigurationWebMessageResponse",
        "name": "DATAVALUE_IMPORT",
        "id": job_id,
        "created": job["created"],
        "jobType": "DATAVALUE_IMPORT",
        "relativeNotifierEndpoint": f"/api/system/tasks/DATAVALUE_IMPORT/{job_id}",
    }
    # The import ran all the same: atomicMode=ALL and a value outside the reporter's scope.
    assert await stored(db_session) == {}

    summary = await client.get(f"/system/taskSummaries/DATAVALUE_IMPORT/{job_id}", headers=hso)
    assert summary.status_code == 200, summary.text
    assert summary.json()["status"] == "ERROR"
    assert summary.json()["importOptions"]["async"] is True
    assert [c["errorCode"] for c in summary.json()["conflicts"]] == ["E7617"]
    tasks = await client.get(f"/system/tasks/DATAVALUE_IMPORT/{job_id}", headers=hso)
    assert [(t["id"], t["completed"], t["category"]) for t in tasks.json()] == [
        (job_id, True, "DATAVALUE_IMPORT")
    ]
    # Only the sender and the province-wide roles see the job.
    other = auth("reporter", org_unit="HT-HKH", subject="hkh-system")
    assert_problem(
        await client.get(f"/system/taskSummaries/DATAVALUE_IMPORT/{job_id}", headers=other),
        404,
        "job-not-found",
    )
    assert (
        await client.get(f"/system/tasks/DATAVALUE_IMPORT/{job_id}", headers=auth("admin"))
    ).status_code == 200
    unknown = f"/system/taskSummaries/DATAVALUE_IMPORT/{uuid.uuid4()}"
    assert_problem(await client.get(unknown, headers=auth("admin")), 404, "job-not-found")


async def test_a_synchronous_import_is_no_job(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await post(client, auth("admin"), [dv("2024", "HT", "1")])
    import_id = response.json()["importId"]
    assert_problem(
        await client.get(f"/system/taskSummaries/DATAVALUE_IMPORT/{import_id}", headers=auth("admin")),
        404,
        "job-not-found",
    )


# --- DHIS2's own paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/dataValueSets", "/40/dataValueSets", "/38/dataValueSets"])
async def test_dhis2s_paths_answer_dhis2s_web_message(
    client: httpx.AsyncClient, auth: Auth, path: str
) -> None:
    hso = auth("reporter", org_unit="HT-HSO")
    ok = await post(client, hso, [dv("2024", "HT-HSO", "3")], path=path, dataElementIdScheme="CODE")
    assert ok.status_code == 200, ok.text
    message = ok.json()
    summary = message.pop("response")
    assert message == {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
        "message": "Import was successful.",
    }
    assert (summary["responseType"], summary["status"], counts(summary)) == (
        "ImportSummary",
        "SUCCESS",
        (1, 0, 0, 0),
    )

    # As DHIS2 does by default: the values without conflicts are stored (atomicMode NONE on its paths).
    warning = await post(client, hso, [dv("2023", "HT-HSO", "4"), dv("2023", "HT-HKH", "4")], path=path)
    assert warning.status_code == 409
    assert warning.json()["response"]["importOptions"]["atomicMode"] == "NONE"
    assert {k: warning.json()[k] for k in ("httpStatus", "httpStatusCode", "status", "message")} == {
        "httpStatus": "Conflict",
        "httpStatusCode": 409,
        "status": "WARNING",
        "message": "One more conflicts encountered, please check import summary.",
    }
    assert counts(warning.json()["response"]) == (1, 0, 1, 0)

    error = await post(client, hso, [dv("2022", "HT-HKH", "4")], path=path, atomicMode="ALL")
    assert error.status_code == 409
    assert (error.json()["status"], error.json()["message"]) == (
        "ERROR",
        "An error occurred, please check import summary.",
    )
    assert error.json()["response"]["status"] == "ERROR"


async def test_before_version_38_the_bare_summary_is_answered_with_200(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    hso = auth("reporter", org_unit="HT-HSO")
    response = await post(
        client, hso, [dv("2022", "HT-HKH", "4")], path="/37/dataValueSets", atomicMode="ALL"
    )
    assert response.status_code == 200
    assert response.json()["responseType"] == "ImportSummary"
    assert response.json()["status"] == "ERROR"
    warning = await post(client, hso, [dv("2022", "HT-HKH", "4")], path="/37/dataValueSets")
    assert (warning.status_code, warning.json()["status"]) == (200, "WARNING")


@pytest.mark.parametrize(
    ("path", "default"), [(URL, "ALL"), ("/dataValueSets", "NONE"), ("/40/dataValueSets", "NONE")]
)
async def test_atomic_mode_defaults_to_all_on_the_platforms_route_and_to_none_on_dhis2s_paths(
    client: httpx.AsyncClient, auth: Auth, db_session: AsyncSession, path: str, default: str
) -> None:
    hso = auth("reporter", org_unit="HT-HSO")
    response = await post(client, hso, [dv("2023", "HT-HSO", "4"), dv("2023", "HT-HKH", "4")], path=path)
    summary = response.json().get("response", response.json())
    assert summary["importOptions"]["atomicMode"] == default
    assert await stored(db_session) == ({} if default == "ALL" else {"2023": "4"})
    # Named, it wins on either.
    other = "NONE" if default == "ALL" else "ALL"
    named = await post(client, hso, [dv("2022", "HT-HKH", "4")], path=path, atomicMode=other)
    assert named.json().get("response", named.json())["importOptions"]["atomicMode"] == other


async def test_dhis2s_paths_take_the_same_token_roles_parameters_and_problems(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    assert_problem(await post(client, {}, [], path="/dataValueSets"), 401, "missing-token")
    assert_problem(await post(client, auth("viewer"), [], path="/40/dataValueSets"), 403, "missing-role")
    assert_problem(
        await post(client, auth("admin"), [], path="/dataValueSets", atomicmode="x"),
        400,
        "unknown-query-parameter",
    )
    problem = assert_problem(
        await post(client, auth("admin"), [], path="/dataValueSets", idScheme="UID"),
        400,
        "unsupported-option",
    )
    assert problem["instance"] == "/dataValueSets"
    assert_problem(await post(client, auth("admin"), [], path="/27/dataValueSets"), 404, "not-found")
    csv = await client.post(
        "/41/dataValueSets",
        content=f"dataelement,period,orgunit,catoptcombo,attroptcombo,value\n{COUNT},2024,HT,,,1\n".encode(),
        headers={**auth("admin"), "Content-Type": "application/csv"},
    )
    assert csv.status_code == 200, csv.text
    assert counts(csv.json()["response"]) == (1, 0, 0, 0)


async def test_a_month_written_as_dhis2_core_reads_it_is_stored_in_canonical_form(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    indicator = {
        "code": "SOC_MONTHLY_VISITS",
        "name": "Lượt khám hằng tháng",
        "area": "culture_society",
        "unit": "lượt",
        "value_type": "count",
        "aggregation": "sum",
        "decimals": 0,
        "period_type": "Monthly",
    }
    assert (await client.post("/v1/indicators", json=indicator, headers=auth("admin"))).status_code == 201
    values = [{"dataElement": "SOC_MONTHLY_VISITS", "period": "2024-05", "orgUnit": "HT", "value": "30"}]
    response = await post(client, auth("admin"), values, path="/dataValueSets")
    assert counts(response.json()["response"]) == (1, 0, 0, 0)
    again = [{**values[0], "period": "202405"}]
    assert counts((await post(client, auth("admin"), again)).json()) == (0, 0, 1, 0)
    listed = await client.get(
        "/v1/data-values",
        params={"indicator": "SOC_MONTHLY_VISITS", "period": "2024-05"},
        headers=auth("viewer"),
    )
    assert [item["period"] for item in listed.json()["items"]] == ["202405"]


# --- what an answer repeats ------------------------------------------------------------------------------


async def test_a_conflict_repeats_only_the_beginning_of_what_was_sent(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    huge = "9" * 100_000
    values = [
        {"dataElement": "X" * 100_000, "period": "2024", "orgUnit": "HT", "value": "1"},
        dv("2024" + huge, "HT", "1"),
        dv("2024", "HT" + huge, "1"),
        dv("2024", "HT", "1" + "x" * 100_000),
    ]
    response = await post(client, auth("admin"), values, atomicMode="NONE")
    assert len(response.content) < 5_000, len(response.content)
    conflicts = response.json()["conflicts"]
    assert [c["errorCode"] for c in conflicts] == ["E7610", "E7611", "E7612", "E7619"]
    assert conflicts[0]["object"] == "X" * 100 + "…"
    assert conflicts[1]["object"] == ("2024" + huge)[:100] + "…"
    assert all(len(c["object"]) <= 101 and len(c["value"]) <= 400 for c in conflicts)


async def test_an_async_job_keeps_its_first_thousand_conflicts_and_counts_the_rest(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    values = [
        {"dataElement": f"NO_SUCH_{n}", "period": "2024", "orgUnit": "HT", "value": "1"} for n in range(1_005)
    ]
    response = await post(client, auth("admin"), values, **{"async": "true"})
    job_id = response.json()["response"]["id"]
    summary = (
        await client.get(f"/system/taskSummaries/DATAVALUE_IMPORT/{job_id}", headers=auth("admin"))
    ).json()
    assert len(summary["conflicts"]) == 1_000
    assert summary["conflicts"][0]["object"] == "NO_SUCH_0"
    assert (
        "5 more conflicts are not kept with this job; the first 1,000 are listed." in summary["description"]
    )
    # The answer of the same import made synchronously lists them all.
    synchronous = await post(client, auth("admin"), values)
    assert len(synchronous.json()["conflicts"]) == 1_005
