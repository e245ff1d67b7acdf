"""The committed contract, openapi/openapi.json, is the app's schema, valid, and readable."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from devtools.contract import CONTRACT, current_schema, render

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
OPERATION_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return current_schema()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_committed_contract_is_the_apps_schema(schema: dict[str, Any]) -> None:
    expected = render(schema)
    committed = CONTRACT.read_text() if CONTRACT.exists() else ""
    assert committed == expected, (
        f"{CONTRACT.relative_to(CONTRACT.parent.parent)} is out of date with the code: "
        "run `make openapi` and commit the result."
    )


def test_committed_contract_is_valid_openapi_3_1() -> None:
    document = json.loads(CONTRACT.read_text())
    assert document["openapi"].startswith("3.1.")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_every_operation_has_a_readable_unique_operation_id(schema: dict[str, Any]) -> None:
    ops = operations(schema)
    assert ops, "the schema has no operations"
    missing = [f"{m} {p}" for m, p, op in ops if "operationId" not in op]
    assert not missing, f"operations without an operationId: {missing}"
    malformed = [
        f"{m} {p}: {op['operationId']!r}"
        for m, p, op in ops
        if not OPERATION_ID.fullmatch(op["operationId"])
    ]
    assert not malformed, f"operationIds not of the form <resource>_<action>: {malformed}"
    counts = Counter(op["operationId"] for _, _, op in ops)
    duplicates = sorted(name for name, n in counts.items() if n > 1)
    assert not duplicates, f"duplicate operationIds: {duplicates}"


def test_every_operation_documents_a_problem_json_4xx(schema: dict[str, Any]) -> None:
    undocumented = []
    for method, path, operation in operations(schema):
        problems = [
            status
            for status, response in operation.get("responses", {}).items()
            if str(status).startswith("4")
            and str(status)[1:].isdigit()
            and PROBLEM_JSON in response.get("content", {})
        ]
        if not problems:
            undocumented.append(f"{method} {path}")
    assert not undocumented, (
        f"operations documenting no 4xx {PROBLEM_JSON} response: {undocumented}"
    )
