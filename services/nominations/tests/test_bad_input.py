"""Values no field rule catches are the caller's 422, never a 500: NUL characters, integers beyond int4."""

import httpx

from devstack.flows import AwardsFlow
from devstack.testing.assertions import assert_problem
from devstack.testing.plugin import AuthHeaders as Auth


async def test_a_nul_character_is_refused_and_names_the_reason(client: httpx.AsyncClient, auth: Auth) -> None:
    for url in ("/v1/public/awards?award_type=%00", "/v1/public/disclosures?award_type=A%00B"):
        body = assert_problem(await client.get(url), 422, "unstorable-value")
        assert "NUL" in body["detail"]
    steps = AwardsFlow(client, auth)
    round_ = await steps.create_round()
    response = await client.post(
        "/v1/nominations",
        json=steps.nomination_body(round_["id"], "HT-THA", achievements="Thành tích\u0000 ẩn"),
        headers=steps.officer("HT-THA"),
    )
    assert_problem(response, 422, "unstorable-value")


async def test_ids_beyond_the_database_integer_are_validation_errors(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    headers = auth("secretariat")
    for url in ("/v1/nominations/3000000000", "/v1/rounds/3000000000", "/v1/council-sessions/3000000000"):
        assert_problem(await client.get(url, headers=headers), 422, "validation-error")
