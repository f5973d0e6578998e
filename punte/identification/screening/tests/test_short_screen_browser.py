"""The short screen on a phone-sized screen, in a real browser: six questions answered by a tap
each (saved as they are given), every answer a target of at least 44 px, then the result."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.tests.factories import load_catalogue
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_short_screen_on_a_phone(page, live_server):
    load_catalogue()
    clinician = MembershipFactory(role_code="clinician")
    person = create_person(actor=clinician, date_of_birth=None, birth_year=None)  # age unknown
    client = verified_client(clinician.user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/persons/{person.pk}/screenings/")
    page.get_by_label("Short screen (clinical settings)").check()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Short screen")
    answers = {"SS-1": "no", "SS-2": "yes", "SS-3": "no", "SS-4": "yes", "SS-5": "no", "SS-6": "no"}
    for code, answer in answers.items():
        option = page.locator(f'input[name="{code}"][value="{answer}"]')
        target = page.locator("label.choice").filter(has=option)
        box = target.bounding_box()
        assert box is not None and box["height"] >= 44, (code, box)
        assert box["x"] + box["width"] <= 360  # no sideways scrolling on a phone
        with page.expect_response(lambda response: "autosave" in response.url) as saved:
            target.click()
        assert saved.value.status == 200
    expect(page.get_by_role("status")).to_contain_text("Saved")
    page.get_by_role("button", name="Complete and see the result").click()
    expect(page).to_have_url(re.compile(r"/result/$"))
    # A child (age unknown): exploitation and one sign of control make a presumed victim.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Presumed victim")
