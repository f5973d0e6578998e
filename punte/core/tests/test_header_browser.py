"""The header on a phone and on a desk (issue 11), and where focus goes after a failed submit,
in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from punte.accounts.tests.factories import MembershipFactory
from punte.core.tests.test_accessibility_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_on_a_phone_the_menu_opens_from_the_keyboard_and_holds_sign_out(page, live_server):
    member = MembershipFactory(
        role_code="clinician",
        organisation__name="Spitalul Clinic Județean de Urgență Cluj — Primiri Urgențe",
    )
    sign_in(page, live_server, member, verified=True)
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto("/")
    toggle = page.locator("summary", has_text="Menu")
    sign_out = page.get_by_role("button", name="Sign out")
    expect(toggle).to_be_visible()
    expect(sign_out).to_be_hidden()
    header_height = page.locator("header").bounding_box()["height"]
    assert header_height < 80, header_height  # was 300-466 px of a 740 px screen

    toggle.focus()
    page.keyboard.press("Enter")
    expect(sign_out).to_be_visible()
    expect(page.get_by_label("Language")).to_be_visible()
    box = sign_out.bounding_box()
    assert box["x"] + box["width"] <= 320
    assert fits(page)

    page.keyboard.press("Escape")
    expect(sign_out).to_be_hidden()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"


def test_on_a_desk_the_menu_is_a_row_with_no_toggle(page, live_server):
    member = MembershipFactory(role_code="regional_officer")
    sign_in(page, live_server, member, verified=True)
    page.set_viewport_size({"width": 1280, "height": 740})
    page.goto("/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    assert page.locator("header").bounding_box()["height"] < 140
    # Narrowing the window folds the menu away; widening opens it again.
    page.set_viewport_size({"width": 360, "height": 740})
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 740})
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_after_a_failed_submit_focus_is_on_the_list_of_problems(page, live_server):
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_username"
