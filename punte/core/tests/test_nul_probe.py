"""A NUL character (U+0000) anywhere a client can put one is refused at the edge, naming where.

PostgreSQL cannot store U+0000 in text and raises DataError when a query compares with it, so
before this check `GET /api/v1/services?county=%00` or a JSON string holding "\\u0000" answered a
500. The probe walks every operation of the OpenAPI document (each path parameter, each query
parameter, each string of each body) and every page of the site (its path parameters, its query
string, each field of each form it shows), and runs on PostgreSQL in CI.
"""

from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls.converters import get_converters

from punte.core.api_support import PROBLEM_JSON
from punte.testing.api import ApiClient
from punte.testing.probe import (
    all_permissions_membership,
    example,
    fill_route,
    page_routes,
    replaced,
    string_leaves,
)
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db

NUL_TEXT = "X\x00Y"


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        return json.loads(Client().get("/api/v1/openapi.json").content)


@pytest.fixture
def api_client():
    return ApiClient(all_permissions_membership())


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def _call(client: ApiClient, method: str, path: str, *, query: str = "", body=None):
    url = f"/api/v1{path.removeprefix('/api/v1')}"
    headers = client.headers
    if method == "GET":
        return client.client.get(url + query, headers=headers)
    payload = json.dumps(body if body is not None else {})
    send = client.client.post if method == "POST" else client.client.put
    return send(url + query, data=payload, content_type="application/json", headers=headers)


def _named(response, field: str) -> bool:
    errors = json.loads(response.content).get("errors", [])
    return any(e["field"] == field or field.startswith(e["field"] + ".") for e in errors)


def _fill(path: str, parameters: list[dict], value: str, only: str | None = None) -> str:
    for param in parameters:
        if param["in"] == "path":
            filled = value if (only is None or param["name"] == only) else str(uuid.uuid4())
            path = path.replace("{" + param["name"] + "}", filled)
    return path


def test_every_api_input_refuses_nul_naming_the_field(document, api_client):
    failures = []
    probes = 0
    for path, method, operation in _operations(document):
        parameters = operation.get("parameters", [])
        body_schema = (
            operation.get("requestBody", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema")
        )
        body = example(body_schema, document) if body_schema else None
        attempts = []
        for param in parameters:
            if param["in"] == "path":
                attempts.append(
                    (param["name"], _fill(path, parameters, "%00", only=param["name"]), "", body)
                )
            elif param["in"] == "query":
                query = f"?{param['name']}={quote(NUL_TEXT)}"
                attempts.append(
                    (param["name"], _fill(path, parameters, str(uuid.uuid4())), query, body)
                )
        if body is not None:
            for leaf in string_leaves(body):
                attempts.append(
                    (
                        ".".join(str(step) for step in leaf),
                        _fill(path, parameters, str(uuid.uuid4())),
                        "",
                        replaced(body, leaf, NUL_TEXT),
                    )
                )
        for field, url, query, sent in attempts:
            probes += 1
            response = _call(api_client, method, url, query=query, body=sent)
            if (
                response.status_code != 422
                or not response["Content-Type"].startswith(PROBLEM_JSON)
                or not _named(response, field)
            ):
                failures.append(f"{method} {url}{query} [{field}]: {response.status_code}")
    assert probes > 100
    assert not failures, "\n".join(failures)


# --- Pages --------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The names of the fields of each form of a page, with its method and action."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action")}
            )
            self.forms[-1]["fields"] = []
        elif (
            tag in ("input", "select", "textarea", "button")
            and self.forms
            and attrs.get("name") not in (None, "", "csrfmiddlewaretoken")
        ):
            self.forms[-1]["fields"].append(attrs["name"])


def _refused(response, name: str) -> bool:
    return response.status_code == 400 and name in response.content.decode()


def test_every_page_and_form_refuses_nul_naming_the_parameter():
    membership = all_permissions_membership()
    client = verified_client(membership.user)
    failures = []
    forms_probed = 0
    for route, parameters in page_routes():
        for name, converter in parameters.items():
            others = {n: "1" if c == "int" else str(uuid.uuid4()) for n, c in parameters.items()}
            url = fill_route(route, {**others, name: "%00"})
            # A converter that does not match U+0000 (uuid, int, a list of codes) leaves the
            # path unresolved: the path as a whole is named.
            matches = re.fullmatch(get_converters()[converter].regex, "\x00")
            named = name if matches else "path"
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if not _refused(response, named):
                    failures.append(f"{method} {url} [{name}]: {response.status_code}")
        if parameters:
            continue
        response = client.get(route, {"q": NUL_TEXT})
        if not _refused(response, "q"):
            failures.append(f"get {route}?q=%00: {response.status_code}")
        page = client.get(route)
        if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
            continue
        parser = _Forms()
        parser.feed(page.content.decode())
        for form in parser.forms:
            action = form["action"] or route
            for field in dict.fromkeys(form["fields"]):
                forms_probed += 1
                if form["method"] == "post":
                    response = client.post(action, {field: NUL_TEXT})
                else:
                    response = client.get(action, {field: NUL_TEXT})
                if not _refused(response, field):
                    failures.append(f"{form['method']} {action} [{field}]: {response.status_code}")
    assert forms_probed > 10
    assert not failures, "\n".join(failures)


def test_anonymous_public_form_refuses_nul():
    response = Client().post("/report/", {"description": NUL_TEXT})
    assert _refused(response, "description")


def test_api_query_parameter_given_twice_is_refused_naming_it(api_client):
    # Found by the schemathesis run: the second value silently replaced the first.
    response = api_client.client.get(
        "/api/v1/services?county=RO-CJ&county=RO-B", headers=api_client.headers
    )
    assert response.status_code == 422
    assert _named(response, "county")
