"""Signing in with a password: hashing, password rules, the generic refusal, lockout, and the rule
that nothing but the sign-in pages opens before the second factor is verified."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver

from punte.accounts import mfa
from punte.accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from punte.core.models import AuditEvent
from punte.settings import base as base_settings
from punte.testing.auth import verified_device

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client, username, password=DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def _comparable(response, username: str) -> str:
    """The page a person would see, with the per-request CSRF token and their input removed."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    html = re.sub(r'"(X-CSRFToken|csrfToken)": "[^"]+"', "CSRF", html)
    return html.replace(username, "USERNAME")


# --- Hashing and password rules ---------------------------------------------------------------


def test_production_hashes_passwords_with_argon2(settings):
    settings.PASSWORD_HASHERS = base_settings.PASSWORD_HASHERS
    encoded = make_password("a long and unusual passphrase")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("a long and unusual passphrase", encoded)
    assert not check_password("a long and unusual passphrasf", encoded)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("hK7#pq2Lm9x", "password_too_short"),  # 11 characters
        ("qwerty123456", "password_too_common"),  # 12 characters, but on the common list
        ("x" * 257, "password_too_long"),
    ],
)
def test_password_rules_refuse(password, code):
    with pytest.raises(ValidationError) as caught:
        password_validation.validate_password(password)
    assert code in {error.code for error in caught.value.error_list}


def test_password_rules_accept_a_long_uncommon_passphrase():
    password_validation.validate_password("violet harbour lantern 42")


# --- The refusal says nothing about the account -----------------------------------------------


def test_unknown_user_wrong_password_and_disabled_account_look_the_same(client):
    UserFactory(username="known.user")
    UserFactory(username="gone.user", is_active=False)
    wrong_password = _login(client, "known.user", "not the password at all")
    unknown = _login(client, "nobody.here", "not the password at all")
    disabled = _login(client, "gone.user")  # the right password, but the account is disabled
    assert wrong_password.status_code == unknown.status_code == disabled.status_code == 200
    assert "The username or the password is not right." in wrong_password.content.decode()
    expected = _comparable(wrong_password, "known.user")
    assert _comparable(unknown, "nobody.here") == expected
    assert _comparable(disabled, "gone.user") == expected
    assert not client.session.get("_auth_user_id")


def test_failed_logins_are_audited_without_the_typed_username(client):
    user = UserFactory(username="audited.user")
    _login(client, "audited.user", "wrong wrong wrong")
    _login(client, "no.such.account", "wrong wrong wrong")
    events = list(AuditEvent.objects.filter(action="auth.login_failed").order_by("id"))
    assert [e.actor_id for e in events] == [user.pk, None]
    assert all("no.such.account" not in str(e.changes) for e in events)


# --- Lockout (django-axes) --------------------------------------------------------------------


def _five_failures(client, username):
    return [_login(client, username, f"wrong password {i}").status_code for i in range(5)]


def test_five_failures_lock_the_username_even_with_the_right_password_after(client):
    UserFactory(username="target.user")
    statuses = _five_failures(client, "target.user")
    assert statuses == [200, 200, 200, 200, 429]
    locked = _login(client, "target.user")  # now the right password
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert not client.session.get("_auth_user_id")
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_lockout_of_an_unknown_username_looks_the_same(client):
    UserFactory(username="real.person")
    known = _five_failures(client, "real.person")
    unknown = _five_failures(client, "ghost.person")
    assert known == unknown
    locked_known = _login(client, "real.person")
    locked_unknown = _login(client, "ghost.person")
    assert locked_known.status_code == locked_unknown.status_code == 429
    assert _comparable(locked_known, "real.person") == _comparable(locked_unknown, "ghost.person")
    assert "real.person" not in locked_known.content.decode()


def test_lockout_is_per_username_so_others_can_still_sign_in(client):
    UserFactory(username="attacked")
    MembershipFactory(user__username="colleague")
    _five_failures(client, "attacked")
    response = _login(client, "colleague")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/")


# --- Password first, then the second factor ---------------------------------------------------


def test_password_leads_to_enrolment_when_the_user_has_no_second_factor(client):
    MembershipFactory(user__username="new.user")
    response = _login(client, "new.user", next="/persons/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/?next=%2Fpersons%2F"
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/mfa/enrol/?next=%2Fpersons%2F"
    assert client.get(response["Location"]).status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", changes__method="password").exists()


def test_password_leads_to_the_code_page_when_the_user_has_a_second_factor(client):
    membership = MembershipFactory(user__username="enrolled.user")
    verified_device(membership.user)
    response = client.get(_login(client, "enrolled.user")["Location"])
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_a_foreign_next_url_is_ignored(client):
    MembershipFactory(user__username="next.user")
    response = _login(client, "next.user", next="https://evil.example/steal")
    assert response["Location"] == "/accounts/mfa/"


# --- Nothing opens before the second factor ---------------------------------------------------

# Pages that must open before the second factor; each checks on its own who may use it.
OPEN_BEFORE_MFA = {
    "accounts:login",
    "accounts:logout",
    "accounts:mfa",
    "accounts:mfa_enrol",
    "accounts:mfa_enrol_totp",
    "accounts:mfa_enrol_passkey",
    "accounts:welcome",
    # The anonymous public report form: no account by design (ADR 0021).
    "public_report",
    "public_report_thanks",
}
# Whole areas that authenticate on their own (the API by bearer token or verified session,
# passkey ceremonies) or carry no data (static files and the icon, the language switch, the
# health, readiness and metrics endpoints).
SELF_GUARDED_PREFIXES = (
    "/api/",
    "/static/",
    "/favicon.ico",
    "/i18n/",
    "/webauthn/",
    "/healthz",
    "/readyz",
    "/metrics",
)

_CONVERTER_SAMPLES = {"uuid": str(uuid.uuid4()), "int": "1", "slug": "x", "str": "x", "path": "x"}


def _sample_paths(patterns=None, prefix="", namespace=""):
    """Every page of the site as a concrete path, with sample values for its parameters."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        route = re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: _CONVERTER_SAMPLES.get(m.group(1) or "str", "x"), route
        )
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _sample_paths(entry.url_patterns, prefix + route, ns)
        elif isinstance(entry, URLPattern):
            if route.startswith("^"):
                continue  # regular-expression routes: only the debug static server uses them
            name = f"{namespace}{entry.name}" if entry.name else None
            yield "/" + prefix + route, name


def _guarded_pages():
    pages = [
        (path, name)
        for path, name in _sample_paths()
        if name not in OPEN_BEFORE_MFA and not path.startswith(SELF_GUARDED_PREFIXES)
    ]
    assert len(pages) >= 5, pages
    return pages


def test_every_page_but_sign_in_sends_an_unverified_user_to_the_second_factor(client):
    user = MembershipFactory().user
    verified_device(user)
    client.force_login(user)
    pages = _guarded_pages()
    for path, name in pages:
        response = client.get(path)
        assert response.status_code == 302, (path, name)
        assert response["Location"].startswith("/accounts/mfa/?next="), (path, name)
    assert ("/", "home") in pages and ("/accounts/sessions/", "accounts:sessions") in pages


def test_every_page_but_sign_in_sends_an_anonymous_visitor_to_login(client):
    for path, name in _guarded_pages():
        response = client.get(path)
        assert response.status_code == 302, (path, name)
        assert response["Location"].startswith("/accounts/login/?next="), (path, name)


def test_htmx_requests_are_told_to_load_the_login_page(client):
    response = client.get(
        "/persons/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/audit/"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Faudit%2F"


def test_enrolment_is_closed_to_an_unverified_user_who_already_has_a_factor(client):
    """Otherwise a stolen password would be enough to add the thief's own authenticator."""
    user = MembershipFactory().user
    verified_device(user)
    client.force_login(user)
    for path in (
        "/accounts/mfa/enrol/",
        "/accounts/mfa/enrol/app/",
        "/accounts/mfa/enrol/passkey/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/mfa/"), path
    response = client.post("/webauthn/registration/begin/")
    assert response.status_code == 403
    assert mfa.user_has_confirmed_device(user)
    assert not user.totpdevice_set.filter(confirmed=False).exists()
