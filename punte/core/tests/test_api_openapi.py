"""The published OpenAPI document describes what the API really does: its paths, the bearer
scheme, the problem+json errors and the Idempotency-Key header."""

import json
from pathlib import Path

import pytest
from django.test import Client

from punte.core.api_support import PROBLEM_JSON

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _refs_resolve(node, components):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.startswith("#/components/schemas/"), ref
            assert ref.rsplit("/", 1)[1] in components, ref
        for value in node.values():
            _refs_resolve(value, components)
    elif isinstance(node, list):
        for value in node:
            _refs_resolve(value, components)


def test_document_is_openapi_3_with_resolvable_references(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Punte API"
    _refs_resolve(schema, schema["components"]["schemas"])


def test_persons_paths_are_listed(schema):
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/persons"])
    assert "get" in paths["/api/v1/persons/{person_id}"]


def test_bearer_scheme_secures_every_operation(schema):
    schemes = schema["components"]["securitySchemes"]
    bearer = [
        name for name, s in schemes.items() if s["type"] == "http" and s["scheme"] == "bearer"
    ]
    assert bearer
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            named = {name for requirement in operation["security"] for name in requirement}
            assert set(bearer) & named, (method, path)


def test_errors_are_documented_as_problem_json(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    assert "errors" in problem["properties"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("400", "401"):
                content = responses[status]["content"]
                assert content[PROBLEM_JSON]["schema"]["$ref"].endswith("/Problem"), (path, status)
            if method == "post":
                assert {"413", "422"} <= set(responses), path
            if "{" in path:
                assert "404" in responses, path


def test_posts_document_the_idempotency_key(schema):
    post = schema["paths"]["/api/v1/persons"]["post"]
    header = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert header["schema"]["maxLength"] == 255
    assert "Idempotent-Replayed" in post["responses"]["201"]["headers"]


def test_list_documents_cursor_and_limit_range(schema):
    params = {p["name"]: p for p in schema["paths"]["/api/v1/persons"]["get"]["parameters"]}
    assert params["limit"]["schema"]["minimum"] == 1
    assert params["limit"]["schema"]["maximum"] == 200
    assert "cursor" in params


def test_person_input_forbids_unknown_fields(schema):
    post = schema["paths"]["/api/v1/persons"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    person_in = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert person_in.get("additionalProperties") is False


def test_document_is_unchanged(django_db_blocker):
    # Clients generate code from this document: any change to it, even one moving a path when
    # an app is added or the discovery of routers changes, must be a deliberate edit of the copy.
    with django_db_blocker.unblock():
        served = Client().get("/api/v1/openapi.json").content
    stored = (Path(__file__).parent / "data" / "openapi-v1.json").read_bytes()
    assert served == stored
