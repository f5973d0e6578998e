"""In a real browser: a member of the public reports in Ukrainian, without an account; a regional
centre officer finds the report on the signals page, filters with htmx and takes it up."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.signals.models import Signal, SignalStatus
from punte.identification.signals.tests.factories import national_agency
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_public_report_reaches_the_regional_centre(page, live_server, settings):
    settings.PUNTE_PUBLIC_REPORT_MIN_SECONDS = 1
    _, centre = national_agency("RO-CJ")
    # A visitor who chose Ukrainian (the language switch keeps the choice in this cookie).
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "uk", "url": live_server.url}]
    )
    page.goto("/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Повідомте про підозру торгівлі людьми"
    )
    page.get_by_label("Що ви бачили або чули?").fill(
        "Дівчину приблизно 15 років щоночі привозять до бару на заправці."
    )
    page.get_by_label("Примусове жебрацтво").check()
    page.get_by_label("Повіт").select_option("RO-CJ")
    page.wait_for_timeout(1200)  # the form refuses what is sent faster than a person can
    page.get_by_role("button", name="Надіслати повідомлення").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Дякуємо за ваше повідомлення")
    signal = Signal.objects.get()
    assert signal.responsible_organisation == centre
    assert signal.reporter_language == "uk"
    expect(page.locator("main")).to_contain_text(signal.reference)

    officer = MembershipFactory(organisation=centre, role_code="regional_officer")
    client = verified_client(officer.user)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto("/signals/")
    page.get_by_label("Status").select_option("closed")  # htmx swaps the table in place
    expect(page.locator("#signal-rows")).to_contain_text("No signals.")
    page.get_by_label("Status").select_option("new")
    page.locator("#signal-rows").get_by_role("link", name=f"Open signal {signal.reference}").click()
    page.get_by_label("Next step").select_option("in_triage")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("The signal was moved on.")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.IN_TRIAGE
