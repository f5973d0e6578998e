"""The administrator's main journeys in a real browser (Chromium through Playwright)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from punte.accounts.models import RolePermission, User
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "lantern orchard violet compass"


def _sign_in_as_admin(page, live_server):
    """An administrator's verified session, handed to the browser as its cookie."""
    admin = MembershipFactory(role_code="system_admin", user__username="admin.test")
    client = verified_client(admin.user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return admin


def test_create_a_user_who_then_chooses_a_password_and_is_asked_for_a_second_factor(
    page, live_server
):
    _sign_in_as_admin(page, live_server)
    OrganisationFactory(name="DGASPC Test")
    page.goto("/accounts/admin/")
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Add a user").click()

    # Submitting an empty form lands on the error summary, whose links lead to the fields.
    page.get_by_role("button", name="Create the account").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Username")).click()
    expect(page.get_by_label("Username")).to_be_focused()

    page.get_by_label("Username").fill("elena.test")
    page.get_by_label("First name").fill("Elena")
    page.get_by_label("Last name").fill("Testescu")
    page.get_by_label("E-mail address").fill("elena.test@example.test")
    page.get_by_label("Organisation", exact=True).select_option(label="DGASPC Test")
    page.get_by_label("Role in this organisation").select_option(label="Child protection officer")
    page.get_by_role("button", name="Create the account").click()

    expect(page.get_by_role("heading", name=re.compile("Elena Testescu"))).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("elena.test@example.test")
    link = re.search(r"https?://\S+/accounts/welcome/\S+/", mail.outbox[-1].body).group(0)

    # The person, in another browser context, opens the link and chooses a password.
    person = page.context.browser.new_context(base_url=live_server.url)
    their_page = person.new_page()
    their_page.goto(urlsplit(link).path)
    expect(their_page).to_have_url(re.compile(r"/set-password/$"))  # token out of the URL
    their_page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    their_page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    their_page.get_by_role("button", name="Set my password").click()
    expect(their_page).to_have_url(re.compile(r"/accounts/login/$"))
    their_page.get_by_label("Username").fill("elena.test")
    their_page.get_by_label("Password").fill(NEW_PASSWORD)
    their_page.get_by_role("button", name="Continue").click()
    expect(their_page).to_have_url(re.compile(r"/accounts/mfa/enrol/$"))
    person.close()
    assert User.objects.get(username="elena.test").has_usable_password()


def test_search_filters_as_you_type(page, live_server):
    _sign_in_as_admin(page, live_server)
    MembershipFactory(user__username="dan.cozma", user__last_name="Cozma")
    MembershipFactory(user__username="ema.radu", user__last_name="Radu")
    page.goto("/accounts/admin/users/")
    expect(page.locator("#results tbody tr")).to_have_count(3)

    page.get_by_label("Username or name").press_sequentially("cozm")

    expect(page.locator("#results tbody tr")).to_have_count(1)  # no button pressed
    expect(page.locator("#results")).to_contain_text("dan.cozma")
    expect(page.locator(".result-count")).to_have_text("1 user found.")
    expect(page).to_have_url(re.compile(r"q=cozm"))  # the address can be shared and reloaded


def test_untick_and_save_one_column_of_the_role_matrix(page, live_server):
    _sign_in_as_admin(page, live_server)
    page.goto("/accounts/admin/roles/")
    box = page.locator("#cell-regional_officer-5")  # row 5: person.view
    expect(box).to_have_value("person.view")
    expect(box).to_be_checked()
    box.uncheck()
    # Another column's change, not saved, must not be sent with this one.
    page.locator("#cell-prosecutor-5").uncheck()
    page.get_by_role("button", name="Save Regional centre officer").click()

    expect(page.locator(".messages")).to_contain_text("Regional centre officer")
    held = set(
        RolePermission.objects.filter(role_id="regional_officer").values_list(
            "permission", flat=True
        )
    )
    assert "person.view" not in held and "person.create" in held
    assert RolePermission.objects.filter(role_id="prosecutor", permission="person.view").exists()
