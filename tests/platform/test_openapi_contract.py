"""The platform's one OpenAPI document (issue 13): committed as web/openapi.json, served by the gateway at
/api/openapi.json, and always the code's own (a change of the API comes with `make openapi` in its commit)."""

import json
from typing import Any

from devstack.openapi import ALLOW_MAP, DOCUMENT, REF, allow_map_text, document_text
from devstack.paths import repo_root


def committed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((repo_root() / DOCUMENT).read_text(encoding="utf-8"))
    return document


def test_the_committed_document_is_the_codes() -> None:
    assert (repo_root() / DOCUMENT).read_text(encoding="utf-8") == document_text(), (
        "the API changed: run `make openapi` and commit web/openapi.json"
    )


def test_the_gateways_allow_map_is_the_documents() -> None:
    assert (repo_root() / ALLOW_MAP).read_text(encoding="utf-8") == allow_map_text(committed()), (
        "run `make openapi` and commit deploy/gateway/allow-methods.conf"
    )


def test_every_path_is_as_clients_call_it_and_none_is_internal() -> None:
    paths = committed()["paths"]
    assert "/api/v1/nominations" in paths
    assert "/api/dataValueSets" in paths  # DHIS2's own path, as district systems call it
    assert all(path.startswith("/api/") for path in paths)
    hidden = [
        p for p in paths if "/internal/" in p or p.rsplit("/", 1)[-1] in {"healthz", "readyz", "metrics"}
    ]
    assert hidden == []


def test_every_reference_resolves() -> None:
    document = committed()
    text = json.dumps(document)
    names = {piece.split('"', 1)[0] for piece in text.split(f'"{REF}')[1:]}
    assert names <= set(document["components"]["schemas"]), names - set(document["components"]["schemas"])


def test_no_two_schemas_share_a_title() -> None:
    # A generated client names each model by its schema's title: two alike would be one model, or none.
    schemas = committed()["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert sorted({title for title in titles if titles.count(title) > 1}) == []
    assert [name for name in schemas if "__" in name] == []  # FastAPI's module-path names for a clash
