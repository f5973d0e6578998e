"""The second factor: enrolling an authenticator app, codes, recovery codes, throttling, audit."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from punte.accounts import mfa
from punte.accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory
from punte.core.management.commands.generate_secrets import generate
from punte.core.models import AuditEvent
from punte.testing.auth import verified_device

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _password_step(client, user, next_url=None):
    data = {"username": user.username, "password": DEFAULT_PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302
    return response


def _is_verified(client) -> bool:
    return client.get("/").status_code == 200


def _actions(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor_id=user.pk).order_by("id").values_list("action", flat=True)
    )


def test_enrolling_an_authenticator_app(client):
    user = MembershipFactory().user
    with freeze_time(START) as clock:
        _password_step(client, user, next_url="/accounts/sessions/")
        page = client.get("/accounts/mfa/enrol/app/?next=/accounts/sessions/")
        assert page.status_code == 200
        html = page.content.decode()
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        # The QR code is inline SVG without inline style (the CSP forbids it) ...
        svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
        assert "style" not in svg and "<title>" in svg
        # ... and the secret is also written out, for people who cannot scan.
        assert mfa.totp_secret_base32(device) in html
        assert not _is_verified(client)

        wrong = client.post("/accounts/mfa/enrol/app/", {"code": "000000"})
        assert wrong.status_code == 422
        assert "That code is not right" in wrong.content.decode()
        assert 'aria-describedby="id_code_helptext id_code_error"' in wrong.content.decode()

        clock.tick(dt.timedelta(seconds=31))  # past the throttle after one failure
        done = client.post(
            "/accounts/mfa/enrol/app/",
            {"code": mfa.totp_current_code(device), "next": "/accounts/sessions/"},
        )
        assert done.status_code == 302
        assert (
            done["Location"] == "/accounts/security/recovery-codes/?next=%2Faccounts%2Fsessions%2F"
        )

        shown = client.get(done["Location"]).content.decode()
        codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
        assert len(codes) == 10
        assert set(codes) == set(
            StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
        )
        assert 'href="/accounts/sessions/"' in shown
        # Shown once: the page does not show them again.
        again = client.get("/accounts/security/recovery-codes/").content.decode()
        assert not any(code in again for code in codes)
        assert "You have 10 unused recovery codes." in again
        assert _is_verified(client)

    device.refresh_from_db()
    assert device.confirmed
    assert _actions(user) == [
        "auth.login",
        "mfa.totp_enrolment_started",
        "mfa.failed",
        "mfa.totp_enrolled",
        "mfa.recovery_codes_generated",
    ]
    secret = mfa.totp_secret_base32(device).replace(" ", "")
    for event in AuditEvent.objects.filter(actor_id=user.pk):
        text = str(event.changes)
        assert secret not in text and device.key not in text
        assert not any(code in text for code in codes)


def test_reloading_the_enrolment_page_keeps_the_secret(client):
    user = MembershipFactory().user
    _password_step(client, user)
    first = client.get("/accounts/mfa/enrol/app/").content
    second = client.get("/accounts/mfa/enrol/app/").content
    assert TOTPDevice.objects.filter(user=user).count() == 1
    device = TOTPDevice.objects.get(user=user)
    secret = mfa.totp_secret_base32(device)
    assert secret in first.decode() and secret in second.decode()


def test_signing_in_with_a_code_lands_on_the_page_asked_for(client):
    user = MembershipFactory().user
    device = verified_device(user)
    with freeze_time(START):
        _password_step(client, user, next_url="/accounts/sessions/")
        response = client.post(
            "/accounts/mfa/", {"code": mfa.totp_current_code(device), "next": "/accounts/sessions/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/accounts/sessions/"
        assert _is_verified(client)
    verified = AuditEvent.objects.get(action="mfa.verified", actor_id=user.pk)
    assert verified.changes == {"method": "totp"}


def test_a_code_is_accepted_once(client):
    user = MembershipFactory().user
    device = verified_device(user)
    with freeze_time(START):
        code = mfa.totp_current_code(device)
        _password_step(client, user)
        assert client.post("/accounts/mfa/", {"code": code}).status_code == 302
        client.post("/accounts/logout/")
        _password_step(client, user)
        assert client.post("/accounts/mfa/", {"code": code}).status_code == 422
    assert not _is_verified(client)


def test_wrong_codes_are_throttled(client):
    user = MembershipFactory().user
    device = verified_device(user)
    with freeze_time(START) as clock:
        _password_step(client, user)
        wrong = client.post("/accounts/mfa/", {"code": "123456"})
        assert wrong.status_code == 422
        # Even the right code is refused while the device is throttled (1 s, then 2, 4, 8 ...).
        throttled = client.post("/accounts/mfa/", {"code": mfa.totp_current_code(device)})
        assert throttled.status_code == 422
        assert "Too many wrong codes" in throttled.content.decode()
        assert not _is_verified(client)
        clock.tick(dt.timedelta(seconds=2))
        accepted = client.post("/accounts/mfa/", {"code": mfa.totp_current_code(device)})
    assert accepted.status_code == 302
    failures = AuditEvent.objects.filter(action="mfa.failed", actor_id=user.pk).order_by("id")
    assert [e.changes["throttled"] for e in failures] == [False, True]


def test_nonsense_is_refused_without_touching_the_devices(client):
    user = MembershipFactory().user
    device = verified_device(user)
    _password_step(client, user)
    response = client.post("/accounts/mfa/", {"code": "<script>"})
    assert response.status_code == 422
    assert "Enter the 6 digits" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_recovery_code_works_once(client):
    user = MembershipFactory().user
    verified_device(user)
    codes = mfa.recovery_codes_generate(user=user)
    _password_step(client, user)
    first = client.post("/accounts/mfa/", {"code": codes[0].upper()})  # typed in capitals
    assert first.status_code == 302
    assert _is_verified(client)
    assert mfa.recovery_codes_remaining(user=user) == 9
    used = AuditEvent.objects.get(action="mfa.recovery_code_used", actor_id=user.pk)
    assert used.changes == {"recovery_codes_left": 9}

    client.post("/accounts/logout/")
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)):
        _password_step(client, user)
        second = client.post("/accounts/mfa/", {"code": codes[0]})
        assert second.status_code == 422
        assert "already used" in second.content.decode()
        assert not _is_verified(client)


def test_new_recovery_codes_replace_the_old_ones(client):
    user = MembershipFactory().user
    old = mfa.recovery_codes_generate(user=user)
    new = mfa.recovery_codes_generate(user=user)
    assert not set(old) & set(new)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == (
        set(new)
    )


def test_a_user_with_only_recovery_codes_is_asked_for_one(client):
    user = MembershipFactory().user
    codes = mfa.recovery_codes_generate(user=user)
    _password_step(client, user)
    page = client.get("/accounts/mfa/")
    assert page.status_code == 200
    assert "With a recovery code" in page.content.decode()
    assert client.post("/accounts/mfa/", {"code": codes[3]}).status_code == 302


def test_an_unverified_user_cannot_renew_recovery_codes(client):
    user = MembershipFactory().user
    verified_device(user)
    codes = mfa.recovery_codes_generate(user=user)
    _password_step(client, user)
    response = client.post("/accounts/security/recovery-codes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/")
    assert mfa.recovery_codes_remaining(user=user) == 10
    assert StaticToken.objects.filter(token=codes[0]).exists()


def test_a_verified_user_adds_a_second_app_from_the_security_page(client):
    user = MembershipFactory().user
    first = verified_device(user)
    with freeze_time(START):
        _password_step(client, user)
        client.post("/accounts/mfa/", {"code": mfa.totp_current_code(first)})
        assert client.get("/accounts/mfa/enrol/app/").status_code == 200
        pending = TOTPDevice.objects.get(user=user, confirmed=False)
        response = client.post("/accounts/mfa/enrol/app/", {"code": mfa.totp_current_code(pending)})
    assert response["Location"] == "/accounts/security/"
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 2
    assert mfa.recovery_codes_remaining(user=user) == 0  # a second factor issues no codes unasked


# --- The demo shortcut ------------------------------------------------------------------------


def test_demo_otp_refuses_outside_the_demo(settings):
    settings.PUNTE_DEMO = False
    user = MembershipFactory().user
    verified_device(user)
    with pytest.raises(CommandError) as caught:
        call_command("demo_otp", user.username)
    assert caught.value.returncode == 2
    assert "PUNTE_DEMO" in str(caught.value)


def test_demo_otp_prints_a_code_the_login_accepts(settings, client, capsys):
    settings.PUNTE_DEMO = True
    user = MembershipFactory().user
    verified_device(user)
    with freeze_time(START):
        call_command("demo_otp", user.username)
        code = capsys.readouterr().out.strip()
        assert re.fullmatch(r"\d{6}", code)
        _password_step(client, user)
        assert client.post("/accounts/mfa/", {"code": code}).status_code == 302
        assert _is_verified(client)


@pytest.mark.parametrize("case", ["unknown user", "no app"])
def test_demo_otp_names_what_is_missing(settings, case):
    settings.PUNTE_DEMO = True
    user = MembershipFactory().user
    name = "nobody" if case == "unknown user" else user.username
    with pytest.raises(CommandError) as caught:
        call_command("demo_otp", name)
    assert caught.value.returncode == 2


def test_demo_otp_refuses_under_the_production_settings():
    """Not only when a test sets the flag: the real production settings close the shortcut."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "punte.settings.production",
        **generate(),
        "DJANGO_ALLOWED_HOSTS": "punte.example.ro",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/punte_never_used",
        "PUNTE_WEBAUTHN_RP_ID": "punte.example.ro",
        "PUNTE_EMAIL_HOST": "smtp.example.ro",
        "PUNTE_DEFAULT_FROM_EMAIL": "punte@example.ro",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "demo_otp", "anyone", "--skip-checks"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "PUNTE_DEMO" in result.stderr
    assert result.stdout == ""


def test_the_app_code_opens_a_number_pad_and_a_recovery_code_has_its_own_form(client):
    """On a phone `inputmode="numeric"` opens a number pad for the app's 6 digits; recovery codes
    have letters, so they get their own form with an ordinary keyboard (issue 11)."""
    user = MembershipFactory().user
    verified_device(user)
    codes = mfa.recovery_codes_generate(user=user)
    _password_step(client, user)
    page = client.get("/accounts/mfa/").content.decode()
    app_code = re.search(r'<input[^>]*id="id_code"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in app_code and 'autocomplete="one-time-code"' in app_code
    recovery = re.search(r'<input[^>]*id="id_recovery_code"[^>]*>', page).group(0)
    assert 'inputmode="text"' in recovery
    assert '<input type="hidden" name="kind" value="recovery">' in page

    wrong = client.post("/accounts/mfa/", {"code": "zzzzzzzz", "kind": "recovery"})
    assert wrong.status_code == 422
    body = wrong.content.decode()
    # The problem is shown beside the recovery code, whose disclosure stays open.
    assert 'href="#id_recovery_code"' in body and "<details open>" in body
    field = re.search(r'<input[^>]*id="id_recovery_code"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in field and "id_recovery_code_error" in field
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)):  # past the throttle
        right = client.post("/accounts/mfa/", {"code": codes[0], "kind": "recovery"})
    assert right.status_code == 302
