"""What PostgreSQL refuses through a plain DBAPIError: the caller's 422, the database's 503, or a real 500."""

import json

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError, InternalError
from starlette.requests import Request

from shared.database import handle_data_error


def wrapped(error: Exception) -> DBAPIError:
    """As SQLAlchemy's asyncpg dialect raises it: DBAPIError → the adapter's error → asyncpg's."""
    adapter = Exception("adapted")
    adapter.__cause__ = error
    return DBAPIError("SELECT 1", {}, adapter)


def request() -> Request:
    return Request(
        {"type": "http", "method": "GET", "path": "/v1/things", "headers": [], "query_string": b""}
    )


async def test_a_nul_character_is_the_callers_422() -> None:
    response = await handle_data_error(
        request(), wrapped(asyncpg.exceptions.CharacterNotInRepertoireError("0x00"))
    )
    assert response.status_code == 422
    assert json.loads(bytes(response.body))["type"] == "urn:thidua:problem:unstorable-value"


async def test_an_integer_beyond_int4_is_the_callers_422() -> None:
    error = asyncpg.exceptions.DataError(
        "invalid input for query argument $1: 3000000000 (value out of int32 range)"
    )
    response = await handle_data_error(request(), wrapped(error))
    assert response.status_code == 422


async def test_a_server_refusing_connections_is_a_503() -> None:
    response = await handle_data_error(
        request(), wrapped(asyncpg.exceptions.TooManyConnectionsError("too many"))
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


async def test_a_connection_cut_in_mid_operation_is_a_503() -> None:
    # asyncpg's words after pg_terminate_backend, about once in twenty cuts: a 500 until now.
    cut = asyncpg.exceptions.InternalClientError(
        "cannot switch to state 15; another operation (2) is in progress"
    )
    adapter = Exception("adapted")
    adapter.__cause__ = cut
    response = await handle_data_error(request(), InternalError("SELECT 1", {}, adapter))
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert json.loads(bytes(response.body))["type"] == "urn:thidua:problem:backend-unavailable"


async def test_an_overflow_inside_a_query_stays_a_server_error() -> None:
    error = asyncpg.exceptions.NumericValueOutOfRangeError("integer out of range")
    with pytest.raises(DBAPIError):
        await handle_data_error(request(), wrapped(error))
