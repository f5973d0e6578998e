"""The sign-in page's passkey challenge cannot sign the visitor out (its begin view).

The page asks for a challenge as it loads; a password sent at once races that request. These
tests play the race's orders one after the other with two clients that share the browser's
cookie as it was when each request left."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp_webauthn import views as webauthn_views

from punte.accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
BEGIN = "/webauthn/authentication/begin/"
STATE = "otp_webauthn_authentication_state"
COOKIE = settings.SESSION_COOKIE_NAME


def _open_sign_in_page() -> tuple[Client, str]:
    browser = Client()
    page = browser.get(LOGIN)
    assert page.status_code == 200
    return browser, page.cookies[COOKIE].value


def _request_with_cookie(cookie: str | None) -> Client:
    """The page's script, whose request left with the cookie the browser held then."""
    script = Client()
    if cookie is not None:
        script.cookies[COOKIE] = cookie
    return script


def _ask_for_a_challenge(script: Client):
    return script.post(BEGIN, data={}, content_type="application/json")


def _sign_in_with_password(browser: Client):
    user = MembershipFactory().user
    response = browser.post(LOGIN, {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and "/accounts/mfa/" in response.url
    return user


def _still_signed_in(browser: Client, user) -> bool:
    key = browser.cookies[COOKIE].value
    session = Session.objects.filter(session_key=key).first()
    return session is not None and session.get_decoded().get("_auth_user_id") == str(user.pk)


def test_the_sign_in_page_opens_the_session_its_script_will_use():
    _, cookie = _open_sign_in_page()
    assert Session.objects.filter(session_key=cookie).exists()


def test_the_challenge_is_kept_in_that_session_and_no_cookie_is_set():
    browser, cookie = _open_sign_in_page()
    answer = _ask_for_a_challenge(browser)
    assert answer.status_code == 200
    assert "challenge" in answer.json()
    assert COOKIE not in answer.cookies
    assert STATE in Session.objects.get(session_key=cookie).get_decoded()


def test_a_challenge_answered_after_the_sign_in_cannot_replace_its_session():
    browser, cookie = _open_sign_in_page()
    script = _request_with_cookie(cookie)  # left before the password's answer came back
    user = _sign_in_with_password(browser)
    assert browser.cookies[COOKIE].value != cookie  # signing in gave a new session

    answer = _ask_for_a_challenge(script)

    assert answer.status_code == 409
    assert answer.json()["code"] == "no_session"
    assert COOKIE not in answer.cookies
    assert not Session.objects.filter(session_key=cookie).exists()
    assert _still_signed_in(browser, user)


def test_a_sign_in_while_the_challenge_is_being_made_wins(monkeypatch):
    browser, cookie = _open_sign_in_page()
    script = _request_with_cookie(cookie)
    made = webauthn_views.BeginCredentialAuthenticationView.post
    signed_in = {}

    def sign_in_meanwhile(view, *args, **kwargs):
        response = made(view, *args, **kwargs)
        signed_in["user"] = _sign_in_with_password(browser)  # deletes the session it replaces
        return response

    monkeypatch.setattr(webauthn_views.BeginCredentialAuthenticationView, "post", sign_in_meanwhile)
    answer = _ask_for_a_challenge(script)

    assert answer.status_code == 409
    assert COOKIE not in answer.cookies
    assert not Session.objects.filter(session_key=cookie).exists()  # not brought back
    assert _still_signed_in(browser, signed_in["user"])


def test_without_a_session_there_is_no_challenge_and_none_is_created():
    before = Session.objects.count()
    answer = _ask_for_a_challenge(_request_with_cookie(None))
    assert answer.status_code == 409
    assert COOKIE not in answer.cookies
    assert Session.objects.count() == before


def test_a_signed_in_user_gets_a_challenge_for_the_second_factor_without_a_new_cookie():
    browser, _ = _open_sign_in_page()
    user = _sign_in_with_password(browser)
    answer = _ask_for_a_challenge(browser)
    assert answer.status_code == 200
    assert COOKIE not in answer.cookies
    assert _still_signed_in(browser, user)
    session = Session.objects.get(session_key=browser.cookies[COOKIE].value)
    assert STATE in session.get_decoded()
