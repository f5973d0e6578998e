"""The main sign-in journeys in a real browser (Chromium through Playwright)."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from punte.accounts import mfa
from punte.accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory
from punte.core.models import AuditEvent
from punte.testing.browser import add_virtual_authenticator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _password_step(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Continue").click()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_first_sign_in_with_an_authenticator_app(page):
    membership = MembershipFactory(
        user__username="ioana.test", organisation__name="Centrul Regional Test"
    )
    _password_step(page, "ioana.test")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/enrol/$"))
    page.get_by_role("link", name="An authenticator app").click()

    expect(page.locator(".qr svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=membership.user, confirmed=False)
    expect(page.locator("#totp-secret")).to_have_text(mfa.totp_secret_base32(device))
    page.get_by_label("Code from the app").fill(mfa.totp_current_code(device))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name=re.compile("I have saved them")).click()

    expect(page.get_by_role("heading", name="Welcome to Punte")).to_be_visible()
    expect(page.locator(".acting-as")).to_contain_text("Centrul Regional Test")


def test_passkey_as_second_factor_then_without_password(page):
    MembershipFactory(user__username="mihai.test", organisation__name="ONG Test Pod")
    authenticator = add_virtual_authenticator(page)

    _password_step(page, "mihai.test")
    page.get_by_role("link", name="A passkey").click()
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert WebAuthnCredential.objects.filter(user__username="mihai.test").count() == 1
    assert len(authenticator.credentials()) == 1
    page.get_by_role("link", name=re.compile("I have saved them")).click()
    expect(page.locator(".acting-as")).to_contain_text("ONG Test Pod")

    # The login page offers passkeys in the username field's autofill; a virtual authenticator
    # would accept that offer at once, so it waits until the test asks for the passkey.
    authenticator.user_present(False)
    _sign_out(page)

    # Password, then the passkey as second factor.
    _password_step(page, "mihai.test")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/"))
    authenticator.user_present(True)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", name="Welcome to Punte")).to_be_visible()
    expect(page.locator(".acting-as")).to_contain_text("ONG Test Pod")
    authenticator.user_present(False)
    _sign_out(page)

    # The passkey alone (it verified the user on the device): no password typed. The login page
    # starts its autofill ceremony as it loads, and the virtual authenticator never answers a
    # ceremony already waiting when it becomes present. So: let the autofill ceremony start and
    # wait, make the authenticator present, then press the button, which aborts the autofill
    # ceremony and runs its own. Two ceremonies completing would overwrite each other's state.
    page.wait_for_load_state("networkidle")
    authenticator.user_present(True)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator(".acting-as")).to_contain_text("ONG Test Pod")

    verified = AuditEvent.objects.filter(action="mfa.verified", actor_username="mihai.test")
    # Once the authenticator is present again, the username field's autofill offer may complete
    # a second passwordless ceremony alongside the button's, so count kinds, not events.
    assert {e.changes["passwordless"] for e in verified} == {False, True}
    assert AuditEvent.objects.filter(
        action="mfa.passkey_enrolled", actor_username="mihai.test"
    ).exists()


def test_switching_the_language(page):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-select").select_option("ro")
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    expect(page.locator("#language-select")).to_have_value("ro")
    expect(page.locator("h1")).to_have_text("Autentificare")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
