"""Every string a request body carries has a length limit (issue 13: a 10 MiB value was stored): a bound
(maxLength), a closed set (enum, const) or a format whose values are short (dates, times, UUIDs). The numbers
clients may send as strings (pydantic's decimals: a number or a string) are numbers, and CSV bodies are files,
bounded by the gateway's per-route limit and checked row by row by their own importers."""

from typing import Any

from fastapi import FastAPI

BOUNDED = ("maxLength", "enum", "const")
# Formats whose values are short whatever is sent: a longer one is not of the format (an email address over
# 254 characters is refused by email-validator, RFC 5321's bound). A URL says its maxLength itself. A binary
# is a file, bounded by its endpoint's own size limit (an attachment: NOMINATIONS_ATTACHMENTS_MAX_BYTES).
SHORT_FORMATS = frozenset({"date", "date-time", "time", "uuid", "duration", "email", "binary"})


def unbounded(
    schema: dict[str, Any], components: dict[str, Any], path: str, seen: frozenset[str]
) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else unbounded(components[name], components, path, seen | {name})
    found: list[str] = []
    branches = schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", [])
    decimal = {"number", "string"} <= {branch.get("type") for branch in branches}
    for branch in branches:
        if not (decimal and branch.get("type") == "string"):
            found += unbounded(branch, components, path, seen)
    bounded = any(key in schema for key in BOUNDED) or schema.get("format") in SHORT_FORMATS
    if schema.get("type") == "string" and not bounded:
        found.append(path)
    for name, sub in schema.get("properties", {}).items():
        found += unbounded(sub, components, f"{path}.{name}", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += unbounded(schema["additionalProperties"], components, f"{path}.*", seen)
    if isinstance(schema.get("items"), dict):
        found += unbounded(schema["items"], components, f"{path}[]", seen)
    return found


def test_every_string_a_request_sends_is_bounded(app: FastAPI) -> None:
    document = app.openapi()
    components = document.get("components", {}).get("schemas", {})
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                if "csv" in media_type or "schema" not in content:
                    continue
                found += unbounded(content["schema"], components, f"{method.upper()} {path}", frozenset())
    assert sorted(set(found)) == []
