"""The mechanism end to end in a real browser (issue 3): an emergency physician records a child
of unknown age and runs the clinical short screen; the routing rules send the child to the
county's child-protection directorate and a prosecutor's office; child protection accepts from
its worklist; the prosecutor accepts, finds the child among the decisions to take and records
the identification decision; the national agency sees it on its dashboard. Each person signs in
as themselves; every page is checked against the Content Security Policy by the `page`
fixture."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from punte.journey.tests.e2e import CHILD_PRESUMED, cast
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def act_as(page, live_server, membership) -> None:
    """Sign the browser in as the membership's user (past the second factor)."""
    page.context.clear_cookies()
    client = verified_client(membership.user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto("/")


def worklist_section(page, title: str):
    return page.locator("section.worklist-section").filter(
        has=page.get_by_role("heading", name=re.compile(re.escape(title)))
    )


def test_a_child_from_the_emergency_room_to_the_national_dashboard(page, live_server):
    c = cast()

    # 1. The emergency physician records the child: identity and age unknown.
    act_as(page, live_server, c.physician)
    expect(page.get_by_role("heading", name="Your worklist")).to_be_visible()
    page.goto("/persons/new/")
    page.get_by_label("Identity unknown").check()
    page.get_by_role("radio", name="Female").check()
    page.get_by_label("Age unknown: may be a child").check()
    page.get_by_role("button", name="Record the person").click()
    expect(page).to_have_url(re.compile(rf"/persons/{UUID}/$"))
    person_id = re.search(UUID, page.url).group(0)
    # The journey loads in place on the record.
    journey = page.locator("#journey")
    expect(journey.get_by_text("Person recorded")).to_be_visible()

    # 2. The clinical short screen.
    page.goto(f"/persons/{person_id}/screenings/")
    page.get_by_label("Short screen (clinical settings)").check()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Short screen")
    for code, answer in CHILD_PRESUMED.items():
        # Each answer is saved as it is given (htmx); wait for it, as a person would see it.
        with page.expect_response(lambda response: "autosave" in response.url) as saved:
            page.locator(f'input[name="{code}"][value="{answer}"]').check()
        assert saved.value.status == 200
    page.get_by_role("button", name="Complete and see the result").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Presumed victim")

    # 3. The routing rules propose child protection and a prosecutor: send.
    page.goto(f"/referrals/route/{person_id}/")
    expect(page.get_by_role("group", name="Child protection directorate (DGASPC)")).to_be_visible()
    expect(page.get_by_role("group", name="Prosecutor's office")).to_be_visible()
    page.get_by_role("button", name="Send the referrals").click()
    act_as(page, live_server, c.physician)
    awaiting = worklist_section(page, "Referrals sent, awaiting an answer")
    expect(awaiting.locator("tbody tr")).to_have_count(3)

    # 4. Child protection finds the referral on its worklist and accepts it.
    act_as(page, live_server, c.child_protection)
    incoming = worklist_section(page, "Incoming referrals")
    expect(incoming.locator("tbody tr")).to_have_count(1)
    incoming.get_by_role("link").first.click()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("The referral is now Accepted.")).to_be_visible()

    # 5. The prosecutor accepts, then records the decision from "decisions to take".
    act_as(page, live_server, c.prosecutor)
    worklist_section(page, "Incoming referrals").get_by_role("link").first.click()
    page.get_by_role("button", name="Accept").click()
    page.goto("/")
    to_take = worklist_section(page, "Identification decisions to take")
    expect(to_take.locator("tbody tr")).to_have_count(1)
    to_take.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/persons/{person_id}/$"))
    page.goto(f"/persons/{person_id}/decisions/")
    page.get_by_label("Formally identified victim").check()
    page.get_by_label("Date of the decision").fill(timezone.localdate().isoformat())
    page.get_by_label("Grounds").fill("Hearing in the hearing room; medical findings.")
    page.get_by_label("Sexual exploitation").check()
    page.get_by_role("button", name="Record the decision").click()
    page.goto("/")
    expect(worklist_section(page, "Identification decisions to take")).to_contain_text(
        "Every person referred to your organisation and accepted has a decision."
    )

    # 6. The national agency sees it on its dashboard (a small count, marked as such).
    act_as(page, live_server, c.coordinator)
    page.get_by_role("link", name="National dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National dashboard")
    identified = page.locator('[data-figure="identified_victims_year"]')
    expect(identified).to_contain_text("1")
    expect(identified).to_contain_text("small")
    month = page.locator('table[data-table="decisions_month"]')
    row = month.locator("tr").filter(has=page.get_by_role("rowheader", name="Sexual exploitation"))
    expect(row).to_contain_text("1")
    referrals = page.locator('table[data-table="referrals_by_state"]')
    expect(referrals).to_contain_text("Child protection directorate (DGASPC)")

    # 7. The physician's view of the journey: their steps in full, the decision in outline.
    act_as(page, live_server, c.physician)
    page.goto(f"/persons/{person_id}/journey/")
    steps = page.locator(".timeline-step")
    expect(steps.filter(has_text="Identification decision")).to_contain_text("outline only")
    expect(page.locator(".timeline")).not_to_contain_text("Hearing in the hearing room")
    expect(steps.filter(has_text="Referral accepted")).to_have_count(2)
