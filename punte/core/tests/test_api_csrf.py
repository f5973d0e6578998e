"""The API accepts two kinds of credentials: a bearer token (other systems) and the browser's
own MFA-verified session. A session's POSTs need the CSRF token; a bearer token's do not."""

import json
import time

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from punte.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.models import Person
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db

BODY = json.dumps({"family_name": "Sesiune", "given_name": "Maria"})


def session_client(membership, *, verified: bool = True) -> Client:
    """A browser: logged in (and, if `verified`, past its second factor), CSRF enforced."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)
    session = client.session
    now = time.time()
    session[SESSION_LOGIN_AT] = now
    session[SESSION_LAST_SEEN] = now
    if verified:
        device = StaticDevice.objects.create(user=membership.user, name="backup codes")
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _with_csrf(client: Client) -> dict[str, str]:
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return {"X-CSRFToken": token}


@pytest.fixture
def officer():
    return MembershipFactory(role_code="regional_officer")


def test_session_get_needs_no_csrf_token(officer):
    response = session_client(officer).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == officer.user.username


def test_session_post_without_csrf_token_is_refused_and_writes_nothing(officer):
    response = session_client(officer).post(
        "/api/v1/persons", BODY, content_type="application/json"
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "CSRF" in response.json()["title"]
    assert Person.objects.count() == 0


def test_session_post_with_a_wrong_csrf_token_is_refused(officer):
    client = session_client(officer)
    _with_csrf(client)
    response = client.post(
        "/api/v1/persons",
        BODY,
        content_type="application/json",
        headers={"X-CSRFToken": _get_new_csrf_string()},
    )
    assert response.status_code == 403
    assert Person.objects.count() == 0


def test_session_post_with_csrf_token_is_accepted(officer):
    client = session_client(officer)
    response = client.post(
        "/api/v1/persons", BODY, content_type="application/json", headers=_with_csrf(client)
    )
    assert response.status_code == 201, response.content
    assert Person.objects.get().owner_organisation == officer.organisation


def test_session_without_second_factor_is_not_accepted(officer):
    client = session_client(officer, verified=False)
    assert client.get("/api/v1/me").status_code == 401
    response = client.post(
        "/api/v1/persons", BODY, content_type="application/json", headers=_with_csrf(client)
    )
    assert response.status_code == 401
    assert Person.objects.count() == 0


def test_bearer_post_needs_no_csrf_token(officer):
    api = ApiClient(officer)
    api.client = Client(enforce_csrf_checks=True)
    response = api.post("/persons", json.loads(BODY))
    assert response.status_code == 201, response.content


def test_bearer_post_with_a_session_cookie_needs_no_csrf_token(officer):
    """A token client that happens to carry a session cookie is judged by its token."""
    other = MembershipFactory(role_code="regional_officer")
    client = session_client(other)
    token = ApiClient(officer).token
    response = client.post(
        "/api/v1/persons",
        BODY,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    # The record belongs to the token's organisation, not the session's.
    assert Person.objects.get().owner_organisation == officer.organisation


def test_a_refused_token_does_not_fall_back_to_the_session(officer):
    client = session_client(officer)
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer pnt_no_such_token"})
    assert response.status_code == 401
