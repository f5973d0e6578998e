"""Bad input gets a clear 4xx problem document (RFC 9457) naming the field, and changes nothing."""

import base64
import json

import pytest
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.test import Client, RequestFactory

from punte.accounts.tests.factories import MembershipFactory
from punte.core.api_support import PROBLEM_JSON, ApiProblemMiddleware
from punte.core.models import AuditEvent, IdempotencyRecord
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db

ONE_MIB = 1024 * 1024


@pytest.fixture
def api():
    return ApiClient(MembershipFactory(role_code="regional_officer"))


def assert_problem(response, status: int, *fields: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    named = [e["field"] for e in body.get("errors", [])]
    for field in fields:
        assert field in named, (field, body)
    return body


@pytest.fixture
def nothing_written():
    persons, events = Person.objects.count(), AuditEvent.objects.count()
    yield
    assert Person.objects.count() == persons
    assert AuditEvent.objects.count() == events
    assert IdempotencyRecord.objects.filter(status_code__lt=400).count() == 0


# --- bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["{bad", '{"family_name": "A",}', "", "{", "\x00", "nul"])
def test_malformed_json_is_400(api, nothing_written, raw):
    if raw == "":
        # An empty body is not malformed JSON but a missing one: the body is required.
        assert_problem(api.post("/persons", raw=raw), 422)
        return
    body = assert_problem(api.post("/persons", raw=raw), 400)
    assert "JSON" in body["detail"]


def test_body_that_is_not_utf8_is_400(api, nothing_written):
    assert_problem(api.post("/persons", raw=b'{"family_name": "\xff\xfe"}'), 400)


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "42", "null", "true"])
def test_body_that_is_not_an_object_is_422(api, nothing_written, raw):
    body = assert_problem(api.post("/persons", raw=raw), 422)
    assert "object" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"family_name": "A", "birth_year": "nineteen"}, ["birth_year"]),
        ({"family_name": "A", "aliases": ["ok", 7, None]}, ["aliases.1", "aliases.2"]),
        ({"family_name": "A", "aliases": "not a list"}, ["aliases"]),
        ({"family_name": ["A"]}, ["family_name"]),
        ({"family_name": "A", "date_of_birth": "2001-02-30"}, ["date_of_birth"]),
        ({"family_name": "A", "sex": "robot"}, ["sex"]),
        ({"family_name": "A", "identity_unknown": "maybe"}, ["identity_unknown"]),
        ({"family_name": "A", "citizenship": "ROU"}, ["citizenship"]),
        ({"family_name": "A" * 201}, ["family_name"]),
        ({"family_name": "A", "aliases": ["x"] * 21}, ["aliases"]),
    ],
)
def test_wrong_types_are_422_naming_each_field(api, nothing_written, payload, fields):
    body = assert_problem(api.post("/persons", payload), 422, *fields)
    for field in fields:
        assert field in body["detail"]


def test_unknown_fields_are_422_naming_them(api, nothing_written):
    body = assert_problem(
        api.post("/persons", {"family_name": "A", "nickname": "x", "owner_organisation_id": "y"}),
        422,
        "nickname",
        "owner_organisation_id",
    )
    assert len(body["errors"]) == 2


def test_domain_refusals_name_the_field(api, nothing_written):
    assert_problem(api.post("/persons", {"sex": "female"}), 422, "family_name")
    assert_problem(
        api.post("/persons", {"family_name": "A", "citizenship": "XX"}), 422, "citizenship"
    )
    assert_problem(
        api.post("/persons", {"family_name": "A", "date_of_birth": "2999-01-01"}),
        422,
        "date_of_birth",
    )


@pytest.mark.parametrize("idempotency_key", [None, "big-1"])
def test_oversized_body_is_413(api, nothing_written, idempotency_key):
    raw = json.dumps({"family_name": "A", "notes": "x" * ONE_MIB})
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    body = assert_problem(api.post("/persons", raw=raw, headers=headers), 413)
    assert str(ONE_MIB) in body["detail"]
    assert IdempotencyRecord.objects.count() == 0


def test_body_just_under_the_limit_is_judged_on_its_content(api, nothing_written):
    # Not refused for size: the notes field's own limit (5000) answers, naming the field.
    raw = json.dumps({"family_name": "A", "notes": "x" * (ONE_MIB - 100)})
    assert_problem(api.post("/persons", raw=raw), 422, "notes")


def test_oversized_form_body_from_a_session_is_413():
    from punte.core.tests.test_api_csrf import _with_csrf, session_client

    client = session_client(MembershipFactory(role_code="regional_officer"))
    # The CSRF check reads a form body first: its size error must still be a 413.
    response = client.post(
        "/api/v1/persons",
        data="a=" + "x" * ONE_MIB,
        content_type="application/x-www-form-urlencoded",
        headers=_with_csrf(client),
    )
    assert_problem(response, 413)
    assert Person.objects.count() == 0


# --- routes, methods, ids -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/persons/", "/api/v2/persons", "/api/", "/api/v1/persons/a/b"]
)
def test_unknown_routes_are_404_problems(path):
    assert_problem(Client().get(path), 404)


def test_unknown_route_with_a_token_is_404_problem(api):
    assert_problem(api.get("/no/such/thing"), 404)


def test_wrong_method_is_405_with_allow(api, nothing_written):
    for method in ("delete", "put", "patch"):
        response = getattr(api.client, method)("/api/v1/persons", headers=api.headers)
        body = assert_problem(response, 405)
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
        assert "GET" in body["detail"]


def test_post_to_a_read_only_route_is_405(api, nothing_written):
    assert_problem(api.post("/me", {}), 405)


@pytest.mark.parametrize(
    "forged",
    [
        "not-a-uuid",
        "3f2b8c1e-9d4a-4c7b-8e21-5a6f0d9c4b17",
        "00000000-0000-0000-0000-000000000000",
        "' OR 1=1 --",
        "1" * 300,
        "3F2B8C1E-9D4A-4C7B-8E21-5A6F0D9C4B17",
    ],
)
def test_forged_ids_are_404(api, forged):
    create_person()  # a record exists, just not this one
    assert_problem(api.get(f"/persons/{forged}"), 404)


def test_nul_in_an_id_is_refused_at_the_edge_naming_it(api):
    # U+0000 is refused before any lookup, whatever the record (ADR 0035): nothing leaks.
    create_person()
    assert_problem(api.get("/persons/%00"), 422, "person_id")


def test_another_organisations_id_is_404_not_403(api):
    elsewhere = create_person(actor=MembershipFactory(role_code="regional_officer"))
    assert_problem(api.get(f"/persons/{elsewhere.pk}"), 404)


# --- query parameters ---------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, -1, 201, 10**9])
def test_limit_out_of_range_is_400_naming_limit(api, limit):
    body = assert_problem(api.get("/persons", limit=limit), 400, "limit")
    assert "200" in body["detail"]


@pytest.mark.parametrize("limit", ["ten", "1.5", ""])
def test_limit_of_the_wrong_type_is_422_naming_limit(api, limit):
    assert_problem(api.get("/persons", limit=limit), 422, "limit")


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "abc",
        _b64({"a": 1}),
        _b64([1, 2]),
        _b64(["2026-01-01T00:00:00+00:00"]),
        _b64(["2026-01-01T00:00:00+00:00", "not-a-uuid"]),
        _b64(["yesterday", "7c9e6679-7425-40de-944b-e07fc1f90ae7"]),
        _b64(["2026-01-01T00:00:00", "7c9e6679-7425-40de-944b-e07fc1f90ae7"]),  # no time zone
        _b64([{"x": 1}, {"y": 2}]),
        _b64(["2026-01-01T00:00:00+00:00", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "extra"]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_forged_cursor_is_400_naming_cursor(api, cursor):
    create_person()
    assert_problem(api.get("/persons", cursor=cursor), 400, "cursor")


# --- the problem middleware ---------------------------------------------------------------


def test_middleware_rewrites_error_pages_under_api_only():
    factory = RequestFactory()
    middleware = ApiProblemMiddleware(lambda request: HttpResponseServerError("<h1>Oops</h1>"))
    response = middleware(factory.get("/api/v1/persons"))
    assert_problem(response, 500)
    assert b"Oops" not in response.content
    # Pages outside the API keep their HTML.
    assert middleware(factory.get("/persons/"))["Content-Type"].startswith("text/html")
    # Successes and problem documents pass unchanged.
    ok = ApiProblemMiddleware(lambda request: HttpResponse("{}", content_type="application/json"))
    assert ok(factory.get("/api/v1/me")).content == b"{}"
    not_found = HttpResponseNotFound("{}", content_type=PROBLEM_JSON)
    assert ApiProblemMiddleware(lambda request: not_found)(factory.get("/api/x")) is not_found


def test_unexpected_errors_are_500_problems_and_roll_back(api, monkeypatch, nothing_written):
    from punte.identification.persons import api as identification_api

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(identification_api.services, "person_create", explode)
    body = assert_problem(api.post("/persons", {"family_name": "A"}), 500)
    assert "boom" not in json.dumps(body)


# --- the conventions on a router of their own ----------------------------------------------


def test_missing_required_and_nested_fields_are_named_as_dotted_paths():
    from ninja import Body, Router
    from ninja.testing import TestClient

    from punte.core.api_support import PunteAPI, StrictSchema

    class Line(StrictSchema):
        amount: int

    class Claim(StrictSchema):
        title: str
        lines: list[Line]

    router = Router()

    @router.post("/claims")
    def claim(request, payload: Claim):
        return {"ok": True}

    @router.post("/pair")
    def pair(request, left: int = Body(...), right: int = Body(...)):
        return {"sum": left + right}

    api = PunteAPI(urls_namespace="conventions-test")
    api.add_router("", router)
    client = TestClient(api)

    body = assert_problem(
        client.post("/claims", json={"lines": [{"amount": 1}, {}]}), 422, "title", "lines.1.amount"
    )
    assert len(body["errors"]) == 2
    assert_problem(
        client.post("/claims", json={"title": "t", "lines": [], "extra": 1}), 422, "extra"
    )
    # Several body parameters: each is named by itself.
    assert_problem(client.post("/pair", json={"left": "x"}), 422, "left", "right")
    assert client.post("/pair", json={"left": 1, "right": 2}).json() == {"sum": 3}
