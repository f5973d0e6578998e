"""Getting a person back in: an administrator resets lost second factors and ends sessions; a
person removes one of their own factors, never the last."""

from __future__ import annotations

import os
import re
import threading

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from punte.accounts import mfa, recovery
from punte.accounts.models import User, UserSession
from punte.accounts.services import users
from punte.accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.testing.auth import login_verified
from punte.testing.web import verified_client

NEW_PASSWORD = "lantern orchard violet compass"
REASON = "Phone lost on 3 March; the person called from the office number on file."


def _passkey(user, name="Security key") -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=os.urandom(32),
        public_key=os.urandom(77),
        aaguid="00000000-0000-0000-0000-000000000000",
    )


def _app(user, name="Authenticator app") -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def _all_devices(user) -> int:
    return sum(
        model.objects.filter(user=user).count()
        for model in (TOTPDevice, WebAuthnCredential, StaticDevice)
    )


def _link_from(message) -> str:
    return re.search(r"https?://\S+/accounts/welcome/\S+/", message.body).group(0)


def _signed_in_session(client, credentials) -> dict:
    client.post("/accounts/login/", credentials)
    return dict(client.session.items())


def _lands_on_login(client) -> bool:
    return client.get("/", follow=True).request["PATH_INFO"] == "/accounts/login/"


@pytest.fixture
def admin(db):
    return MembershipFactory(role_code="system_admin")


@pytest.fixture
def admin_client(admin):
    return verified_client(admin.user)


@pytest.fixture
def person(db):
    """A colleague with an app (the one on the lost phone), a passkey and recovery codes, signed
    in on one browser."""
    membership = MembershipFactory(user__username="elena.v")
    user = membership.user
    app = _app(user)
    passkey = _passkey(user)
    codes = mfa.recovery_codes_generate(user=user)
    client = Client()
    login_verified(client, user)
    # What a password login records (test_sessions proves it); force_login has no request.
    UserSession.objects.filter(session_key=client.session.session_key).update(
        ip_address="192.0.2.44", user_agent="Firefox/140 office"
    )
    user.secrets = {  # what must never appear in the audit trail
        "totp_key": app.key,
        "credential": passkey.credential_id.hex(),
        "codes": codes,
    }
    user.client = client
    return user


def _reset_url(user) -> str:
    return reverse("accounts:admin_user_factors_reset", args=[user.pk])


def _sessions_url(user) -> str:
    return reverse("accounts:admin_user_sessions_end", args=[user.pk])


# --- An administrator resets lost second factors --------------------------------------------


def test_reset_removes_every_factor_and_the_next_sign_in_enrols_a_new_one(
    admin_client, admin, person, django_capture_on_commit_callbacks
):
    TOTPDevice.objects.create(user=person, name="half-enrolled", confirmed=False)
    page = admin_client.get(_reset_url(person)).content.decode()
    assert "1 authenticator app will be removed" in page
    assert "10 unused recovery codes will be removed" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(_reset_url(person), {"reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:admin_user_detail", args=[person.pk])
    assert _all_devices(person) == 0  # the pending enrolment too
    assert not StaticToken.objects.filter(device__user=person).exists()
    person.refresh_from_db()
    assert not person.has_usable_password()
    # Signed out everywhere: the browser left open on the lost laptop lands on sign-in.
    assert _lands_on_login(person.client)
    assert not UserSession.objects.filter(user=person).exists()
    # The old password no longer opens the account.
    old_password = {"username": "elena.v", "password": DEFAULT_PASSWORD}
    assert "_auth_user_id" not in _signed_in_session(Client(), old_password)

    # The person, not the administrator, gets the link.
    assert [m.to for m in mail.outbox] == [[person.email]]
    link = _link_from(mail.outbox[0])
    detail = admin_client.get(response["Location"]).content.decode()
    assert link not in detail
    assert "Second factors reset, password voided, link sent" in detail  # history
    assert REASON in detail

    # The person chooses a new password, signs in, and must enrol a second factor again.
    browser = Client()
    form_url = browser.get(link)["Location"]
    browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = browser.post(
        "/accounts/login/", {"username": "elena.v", "password": NEW_PASSWORD}, follow=True
    )
    assert response.request["PATH_INFO"] == "/accounts/mfa/enrol/"
    assert browser.get("/").status_code == 302  # nothing opens before enrolment


def test_the_reset_is_audited_with_counts_and_kinds_only(admin_client, admin, person):
    before = AuditEvent.objects.count()
    admin_client.post(_reset_url(person), {"reason": REASON})

    event = AuditEvent.objects.get(action="mfa.factors_reset")
    assert event.actor_id == admin.user_id
    assert event.organisation_id == admin.organisation_id
    assert event.subject_id == str(person.pk)
    assert event.changes == {
        "removed": {"authenticator_apps": 1, "passkeys": 1, "recovery_codes": 10},
        "password_voided": True,
        "sessions_ended": 1,
        "reason": REASON,
    }
    assert AuditEvent.objects.filter(
        action="user.sessions_ended", subject_id=str(person.pk), changes__sessions=1
    ).exists()
    written = str(list(AuditEvent.objects.order_by("id")[before:].values()))
    secrets = person.secrets
    for secret in [secrets["totp_key"], secrets["credential"], *secrets["codes"]]:
        assert secret not in written
    assert "/accounts/welcome/" not in written  # nor the link


def test_the_notice_is_sent_only_once_the_reset_is_committed(
    admin, person, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        recovery.user_second_factors_reset(
            actor=admin, user=person, reason=REASON, build_url=lambda u, t: f"/w/{u}/{t}/"
        )
        assert mail.outbox == []  # not before the commit
        raise RuntimeError("a later step of the same request failed")
    assert callbacks == []  # rolled back: nothing left to send
    assert mail.outbox == []
    assert _all_devices(person) == 3
    assert not AuditEvent.objects.filter(action="mfa.factors_reset").exists()

    with django_capture_on_commit_callbacks(execute=True):
        recovery.user_second_factors_reset(
            actor=admin, user=person, reason=REASON, build_url=lambda u, t: f"/w/{u}/{t}/"
        )
    assert len(mail.outbox) == 1
    assert "second factors reset" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_with_real_transactions_a_rolled_back_reset_sends_nothing():
    admin = MembershipFactory(role_code="system_admin")
    user = MembershipFactory().user
    _app(user)

    def reset():
        return recovery.user_second_factors_reset(
            actor=admin, user=user, reason=REASON, build_url=lambda u, t: f"/w/{u}/{t}/"
        )

    with pytest.raises(RuntimeError), transaction.atomic():
        reset()
        raise RuntimeError("rolled back")
    assert mail.outbox == []
    assert TOTPDevice.objects.filter(user=user).exists()

    with transaction.atomic():
        reset()
        assert mail.outbox == []  # inside the transaction: not yet
    assert len(mail.outbox) == 1


def test_an_administrator_cannot_reset_their_own_factors(admin_client, admin):
    _passkey(admin.user)
    response = admin_client.post(_reset_url(admin.user), {"reason": REASON})
    assert response.status_code == 422
    assert "Security page" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin.user).exists()
    assert WebAuthnCredential.objects.filter(user=admin.user).exists()
    with pytest.raises(ServiceError) as refused:
        recovery.user_second_factors_reset(
            actor=admin, user=admin.user, reason=REASON, build_url=lambda u, t: "x"
        )
    assert refused.value.status == 409
    assert not AuditEvent.objects.filter(action="mfa.factors_reset").exists()
    assert mail.outbox == []


def test_the_reset_needs_a_reason(admin_client, person):
    response = admin_client.post(_reset_url(person), {"reason": "  "})
    assert response.status_code == 422
    assert 'href="#id_reason"' in response.content.decode()
    assert _all_devices(person) == 3
    assert not _lands_on_login(person.client)


def test_a_user_manager_without_the_permission_gets_404_and_nothing_changes(person):
    outsider = MembershipFactory(role_code="regional_officer")
    client = verified_client(outsider.user)
    for url in (_reset_url(person), _sessions_url(person)):
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": REASON}).status_code == 404
    assert _all_devices(person) == 3
    assert not _lands_on_login(person.client)
    assert mail.outbox == []
    with pytest.raises(ServiceError) as refused:
        recovery.user_second_factors_reset(
            actor=outsider, user=person, reason=REASON, build_url=lambda u, t: "x"
        )
    assert refused.value.status == 403
    with pytest.raises(ServiceError):
        recovery.user_sessions_end_for_admin(actor=outsider, user=person, reason=REASON)


def test_nothing_to_reset_and_deactivated_accounts_are_refused(admin):
    never_enrolled = MembershipFactory().user
    with pytest.raises(ServiceError, match="no second factor"):
        recovery.user_second_factors_reset(
            actor=admin, user=never_enrolled, reason=REASON, build_url=lambda u, t: "x"
        )
    never_enrolled.refresh_from_db()
    assert never_enrolled.has_usable_password()

    gone = MembershipFactory().user
    _app(gone)
    users.user_deactivate(actor=admin.user, user=gone, reason="left the service")
    with pytest.raises(ServiceError, match="Reactivate"):
        recovery.user_second_factors_reset(
            actor=admin, user=gone, reason=REASON, build_url=lambda u, t: "x"
        )
    assert TOTPDevice.objects.filter(user=gone).exists()


def test_the_administrator_who_changed_the_address_cannot_also_reset(admin, person):
    """Otherwise one administrator could point the account at their own mailbox, reset the
    factors and choose the password from the link: the account would be theirs."""
    users.user_update(
        actor=admin,
        user=person,
        data=users.UserInput(**{**users.user_values(person), "email": "someone.else@example.test"}),
    )
    with pytest.raises(ServiceError, match="another administrator") as refused:
        recovery.user_second_factors_reset(
            actor=admin, user=person, reason=REASON, build_url=lambda u, t: "x"
        )
    assert refused.value.status == 409
    assert _all_devices(person) == 3

    colleague = MembershipFactory(role_code="system_admin")
    result = recovery.user_second_factors_reset(
        actor=colleague, user=person, reason=REASON, build_url=lambda u, t: "x"
    )
    assert result.removed["passkeys"] == 1


def test_after_a_reset_the_same_administrator_cannot_redirect_the_address_and_send_a_link(
    admin, person
):
    """The other order of the same takeover: reset first, then change the address, then send
    a set-password link to it."""
    build = lambda u, t: f"/w/{u}/{t}/"  # noqa: E731
    recovery.user_second_factors_reset(actor=admin, user=person, reason=REASON, build_url=build)
    person.refresh_from_db()
    users.user_update(
        actor=admin,
        user=person,
        data=users.UserInput(**{**users.user_values(person), "email": "someone.else@example.test"}),
    )
    with pytest.raises(ServiceError, match="another administrator") as refused:
        users.user_setup_link_issue(actor=admin, user=person, build_url=build)
    assert refused.value.status == 409
    colleague = MembershipFactory(role_code="system_admin")
    assert users.user_setup_link_issue(actor=colleague, user=person, build_url=build)

    # A new account nobody has signed in to yet: fixing a mistyped address and sending the
    # link again stays one administrator's job.
    fresh = MembershipFactory(user__last_login=None).user
    users.user_update(
        actor=admin,
        user=fresh,
        data=users.UserInput(**{**users.user_values(fresh), "email": "fixed@example.test"}),
    )
    assert users.user_setup_link_issue(actor=admin, user=fresh, build_url=build)


# --- An administrator sees and ends a person's sessions ---------------------------------------


def test_the_user_page_lists_live_sessions_with_address_and_browser(admin_client, person):
    # A person who lost their phone often tries codes first; the history shows it, in words.
    with pytest.raises(ServiceError):
        mfa.mfa_verify(user=person, code="zzzz-zzzz")  # not one of the ten codes
    detail = admin_client.get(reverse("accounts:admin_user_detail", args=[person.pk]))
    page = detail.content.decode()
    assert "192.0.2.44" in page
    assert "Firefox/140 office" in page
    assert "1 passkey" in page and "10 unused recovery codes" in page
    assert _sessions_url(person) in page
    assert _reset_url(person) in page
    assert "A second-factor code was refused" in page


def test_end_all_sessions_with_a_reason(admin_client, admin, person):
    second = verified_client(person)
    response = admin_client.post(_sessions_url(person), {"reason": "Laptop stolen from a car"})
    assert response.status_code == 302
    assert _lands_on_login(person.client)
    assert _lands_on_login(second)
    assert not UserSession.objects.filter(user=person).exists()
    event = AuditEvent.objects.get(action="user.sessions_ended", subject_id=str(person.pk))
    assert event.changes == {"sessions": 2, "reason": "Laptop stolen from a car"}
    assert event.actor_id == admin.user_id
    # Ending sessions alone leaves the password and the factors.
    person.refresh_from_db()
    assert person.has_usable_password()
    assert _all_devices(person) == 3
    assert "Laptop stolen from a car" in admin_client.get(response["Location"]).content.decode()


def test_ending_sessions_needs_a_reason_and_not_ones_own(admin_client, admin, person):
    response = admin_client.post(_sessions_url(person), {"reason": ""})
    assert response.status_code == 422
    assert not _lands_on_login(person.client)

    response = admin_client.post(_sessions_url(admin.user), {"reason": REASON})
    assert response.status_code == 422
    assert "Where you are signed in" in response.content.decode()
    assert Session.objects.filter(session_key=admin_client.session.session_key).exists()
    assert not AuditEvent.objects.filter(action="user.sessions_ended").exists()


# --- A person removes one of their own factors ------------------------------------------------


def _remove_url(kind, device) -> str:
    return reverse("accounts:security_factor_remove", args=[kind, device.pk])


def test_a_person_removes_a_lost_app_and_keeps_the_passkey(person):
    client = person.client
    app = TOTPDevice.objects.get(user=person)
    page = client.get("/accounts/security/").content.decode()
    assert _remove_url("app", app) in page
    assert client.session[DEVICE_ID_SESSION_KEY] == app.persistent_id  # signed in with the app

    response = client.post(_remove_url("app", app), follow=True)

    assert not TOTPDevice.objects.filter(pk=app.pk).exists()
    assert WebAuthnCredential.objects.filter(user=person).count() == 1
    event = AuditEvent.objects.get(action="mfa.factor_removed")
    assert event.actor_id == person.pk
    assert event.changes == {"kind": "app", "device": str(app.pk), "remaining": 1}
    assert person.secrets["totp_key"] not in str(event.changes)
    # This session was verified with that app: the next page asks for another factor.
    assert response.request["PATH_INFO"] == "/accounts/mfa/"


def test_the_last_app_or_passkey_cannot_be_removed(person):
    client = person.client
    passkey = WebAuthnCredential.objects.get(user=person)
    client.post(_remove_url("passkey", passkey))
    app = TOTPDevice.objects.get(user=person)
    # Recovery codes do not count: ten codes run out, and then the account is lost.
    assert StaticToken.objects.filter(device__user=person).count() == 10

    page = client.get("/accounts/security/").content.decode()
    assert _remove_url("app", app) not in page
    assert "cannot be removed" in page
    response = client.post(_remove_url("app", app), follow=True)
    assert "Add another one first" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=app.pk).exists()
    assert AuditEvent.objects.filter(action="mfa.factor_removed").count() == 1


def test_another_persons_factor_or_an_unknown_kind_is_not_found(person):
    stranger = MembershipFactory().user
    theirs = _passkey(stranger)
    _app(stranger)
    client = person.client
    assert client.post(_remove_url("passkey", theirs)).status_code == 404
    assert client.post(_remove_url("recovery", theirs)).status_code == 404
    assert client.get(_remove_url("passkey", theirs)).status_code == 405  # POST only
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


def test_a_signed_out_visitor_cannot_remove_anything(person):
    passkey = WebAuthnCredential.objects.get(user=person)
    response = Client().post(_remove_url("passkey", passkey))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


# --- Races (PostgreSQL, real transactions in threads) ------------------------------------------


def _in_threads(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_removing_the_last_two_factors_at_once_leave_one():
    user = MembershipFactory().user
    app, passkey = _app(user), _passkey(user)

    results = _in_threads(
        lambda: recovery.mfa_factor_remove(user=user, kind="app", device_id=app.pk),
        lambda: recovery.mfa_factor_remove(user=user, kind="passkey", device_id=passkey.pk),
    )

    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(refused) == 1 and refused[0].status == 409, results
    left = (
        TOTPDevice.objects.filter(user=user).count()
        + WebAuthnCredential.objects.filter(user=user).count()
    )
    assert left == 1
    assert User.objects.filter(pk=user.pk).exists()
