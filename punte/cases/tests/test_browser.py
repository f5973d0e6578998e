"""A child's assistance case in a real browser: the child-protection directorate opens the case
from the referral it accepted, adds a prosecutor and a police investigator (two other
organisations) to the team, requests a shelter from an NGO of the registry; the NGO accepts and
records the delivery from its worklist; the case manager requests closure and the supervisor
approves. Each person signs in as themselves; the pages are checked with axe-core at 1280 and
320 px, and against the Content Security Policy by the `page` fixture."""

from __future__ import annotations

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases.models import Case
from punte.referrals import services as referral_services
from punte.referrals.tests.factories import ServiceOfferingFactory, send_service_referral
from punte.referrals.tests.helpers import child
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def act_as(page, live_server, membership) -> None:
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


def assert_accessible(page) -> None:
    """No axe-core violation, at a desktop width and at 320 px (no horizontal scrolling)."""
    for width, height in ((1280, 900), (320, 800)):
        page.set_viewport_size({"width": width, "height": height})
        violations = Axe().run(page).response["violations"]
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => !e.closest('.table-scroll')"
            " && e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className"
            " + '#' + e.id).slice(0, 12)"
        )
        assert overflow <= 0, f"{page.url} scrolls sideways at {width} px: {wide}"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_childs_case_from_the_referral_to_the_approved_closure(page, live_server):
    dgaspc = OrganisationFactory(
        name="DGASPC Cluj", type=OrganisationType.CHILD_PROTECTION, county_id="RO-CJ"
    )
    officer = MembershipFactory(
        organisation=dgaspc, role_code="child_protection_officer", user__first_name="Alina"
    )
    supervisor = MembershipFactory(organisation=dgaspc, role_code="child_protection_supervisor")
    prosecution = OrganisationFactory(name="DIICOT Cluj", type=OrganisationType.PROSECUTION)
    prosecutor = MembershipFactory(
        organisation=prosecution, role_code="prosecutor", user__last_name="Constantinescu"
    )
    police = OrganisationFactory(name="IPJ Cluj", type=OrganisationType.POLICE)
    investigator = MembershipFactory(
        organisation=police, role_code="police_investigator", user__last_name="Munteanu"
    )
    shelter = OrganisationFactory(name="Adăpost Sigur", type=OrganisationType.NGO)
    ServiceOfferingFactory(organisation=shelter, service="shelter", county_id="RO-CJ")
    shelter_worker = MembershipFactory(organisation=shelter, role_code="ngo_caseworker")
    centre = OrganisationFactory(name="ANITP Cluj", type=OrganisationType.REGIONAL_CENTRE)
    sender = MembershipFactory(organisation=centre, role_code="regional_officer")
    referral = send_service_referral(sender=sender, receiver=dgaspc, person=child(sender))
    referral_services.referral_accept(actor=officer, referral_id=referral.pk)

    # 1. The directorate opens the case from the referral it accepted.
    act_as(page, live_server, officer)
    page.goto("/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assistance cases")
    assert_accessible(page)
    page.get_by_role("link", name="Open a case from an accepted referral").click()
    assert_accessible(page)
    page.get_by_label("Accepted referral").select_option(str(referral.pk))
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assistance case")
    case = Case.objects.get(person=referral.person)
    expect(page.locator("#case-status")).to_have_text("Open")

    # 2. A prosecutor and a police investigator join the team.
    today = timezone.localdate()
    for member, role in ((prosecutor, "Prosecutor"), (investigator, "Police investigator")):
        page.get_by_label("Member", exact=True).select_option(str(member.pk))
        page.get_by_label("Role on the team").select_option(label=role)
        page.get_by_label("From", exact=True).fill(today.isoformat())
        page.get_by_label("Until", exact=True).fill(
            (today + datetime.timedelta(days=90)).isoformat()
        )
        page.get_by_role("button", name="Add to the team").click()
        expect(page.get_by_text("The member joined the team.")).to_be_visible()
    team = page.get_by_role("table", name="Members of the team")
    expect(team).to_contain_text("DIICOT Cluj")
    expect(team).to_contain_text("IPJ Cluj")

    # A refusal shows beside its field: an end before the start.
    page.get_by_label("Member", exact=True).select_option(str(prosecutor.pk))
    page.get_by_label("Role on the team").select_option(label="Prosecutor")
    page.get_by_label("From", exact=True).fill(today.isoformat())
    page.get_by_label("Until", exact=True).fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Add to the team").click()
    expect(page.locator("#id_ends_on_error")).to_contain_text("cannot be before the start")
    assert_accessible(page)

    # 3. A shelter is requested from the NGO of the registry.
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Service and provider").select_option(label="Shelter — Adăpost Sigur")
    page.get_by_role("button", name="Request the service").click()
    expect(page.get_by_text("The service is requested from the provider.")).to_be_visible()

    # The prosecutor on the team opens the case; the NGO does not see it.
    act_as(page, live_server, prosecutor)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assistance case")
    expect(page.get_by_role("link", name="Sexual history")).to_be_visible()
    expect(page.get_by_role("link", name="Psychological notes")).to_have_count(0)

    # 4. The NGO accepts and records the delivery from its worklist.
    act_as(page, live_server, shelter_worker)
    page.goto("/")
    page.get_by_role("link", name=re.compile("Shelter for DGASPC Cluj")).first.click()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("The service is now Accepted.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Delivered from").fill((today - datetime.timedelta(days=5)).isoformat())
    page.get_by_label("Delivered until").fill(today.isoformat())
    page.get_by_label("Quantity").fill("5")
    page.get_by_label("Unit", exact=True).select_option(label="days")
    page.get_by_role("button", name="Record delivery").click()
    expect(page.get_by_text("The service is now Delivered.")).to_be_visible()

    # 5. The case manager requests closure with a reason from the list.
    act_as(page, live_server, officer)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("table", name="Services requested")).to_contain_text("Delivered")
    page.get_by_label("Reason for closing").select_option(label="The plan's goals were achieved")
    page.get_by_role("button", name="Request closure").click()
    expect(page.locator("#case-status")).to_have_text("Closure requested")

    # 6. The supervisor approves; the case is closed and read-only.
    act_as(page, live_server, supervisor)
    page.goto("/")
    page.get_by_role("link", name=re.compile(f"Case {case.reference}")).first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Approve the closure").click()
    expect(page.locator("#case-status")).to_have_text("Closed")
    expect(page.get_by_role("button", name="Request closure")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == "closed"
