"""Nothing personal is kept by a browser or a proxy: `Cache-Control: no-store` on every API
answer and on every page answered to a signed-in person, over the whole list of URLs; static
files stay cacheable."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory

from punte.core.middleware import NoStoreMiddleware
from punte.testing.api import ApiClient
from punte.testing.probe import all_permissions_membership, fill_route, page_routes
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_page_answered_to_a_signed_in_person_is_not_stored():
    user = all_permissions_membership().user
    client = verified_client(user)
    kept = []
    for route, parameters in page_routes():
        if "_auth_user_id" not in client.session:
            client = verified_client(user)  # a sign-out or "end my sessions" page was posted
        url = fill_route(
            route, {n: "1" if c == "int" else str(uuid.uuid4()) for n, c in parameters.items()}
        )
        for method in ("get", "post"):
            if "_auth_user_id" not in client.session:
                client = verified_client(user)
            response = getattr(client, method)(url)
            if not _no_store(response):
                kept.append(f"{method} {url}: {response.status_code}")
    assert not kept, "\n".join(kept)


def test_every_api_answer_is_not_stored():
    api = ApiClient(all_permissions_membership())
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    assert _no_store(Client().get("/api/v1/openapi.json"))
    kept = []
    for path, item in document["paths"].items():
        url = path
        for parameter in item.get("get", {}).get("parameters", []):
            url = url.replace("{" + parameter["name"] + "}", str(uuid.uuid4()))
        for method in item:
            response = api.request(method.upper(), url.removeprefix("/api/v1"), {})
            anonymous = Client().get(url)
            for answer in (response, anonymous):
                if not _no_store(answer):
                    kept.append(f"{method.upper()} {url}: {answer.status_code}")
    assert not kept, "\n".join(kept)


def test_a_form_posted_anonymously_is_not_stored():
    # The public report form shows back what was typed when it is refused.
    response = Client().post("/report/", {"description": ""})
    assert _no_store(response)


def test_static_files_and_anonymous_pages_stay_cacheable(rf: RequestFactory, settings):
    middleware = NoStoreMiddleware(lambda request: HttpResponse("body { }"))
    request = rf.get(f"/{settings.STATIC_URL.lstrip('/')}punte/site.css")
    request.user = all_permissions_membership().user
    assert not _no_store(middleware(request))
    anonymous = rf.get("/")
    anonymous.user = AnonymousUser()
    assert not _no_store(middleware(anonymous))
