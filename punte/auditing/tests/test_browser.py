"""The data protection officer's and the auditor's journeys in a real browser."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(page, live_server, role_code: str):
    member = MembershipFactory(role_code=role_code)
    client = verified_client(member.user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return member


def test_the_dpo_answers_a_subject_access_request(page, live_server, tmp_path):
    officer = MembershipFactory(user__username="ofiter.test")
    person = create_person(actor=officer)
    ApiClient(officer).get(f"/persons/{person.pk}")
    _sign_in(page, live_server, "data_protection_officer")

    page.goto("/")
    page.get_by_role("link", name="Access to personal data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access to a person's data")

    # A name instead of a record id: the error summary takes the focus and leads to the field.
    page.get_by_label("Person's record id").fill("Ana Popescu")
    page.get_by_role("button", name="Show the access log").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(page.get_by_label("Person's record id")).to_be_focused()

    page.get_by_label("Person's record id").fill(str(person.pk))
    page.get_by_role("button", name="Show the access log").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("ofiter.test")
    expect(table).to_contain_text("person.viewed")
    expect(table.locator("tbody tr")).to_have_count(3)  # created, viewed, this lookup
    assert str(person.pk) in page.url and "Popescu" not in page.url

    with page.expect_download() as download:
        page.get_by_role("link", name="Export the whole log as CSV").click()
    saved = tmp_path / "log.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith('When (UTC),"When (local time, Europe/Bucharest)"')
    assert "ofiter.test" in text


def test_an_auditor_searches_the_trail(page, live_server):
    officer = MembershipFactory(user__username="cautat.test")
    create_person(actor=officer)
    _sign_in(page, live_server, "auditor")
    page.goto("/")
    page.get_by_role("link", name="Audit trail").click()
    page.get_by_label("User name").fill("cautat.test")
    page.get_by_role("button", name="Search").click()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("person.created")
    assert re.search(r"actor=cautat\.test", page.url)
