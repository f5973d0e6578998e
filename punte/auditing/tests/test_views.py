"""The data protection officer's access log (GDPR art. 15) and the auditors' search pages."""

import csv
import datetime
import io
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from punte.core import audit
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db

ACCESS_URL = "/audit/person-access/"
SEARCH_URL = "/audit/search/"


@pytest.fixture
def dpo():
    return MembershipFactory(role_code="data_protection_officer")


@pytest.fixture
def auditor():
    return MembershipFactory(role_code="auditor")


@pytest.fixture
def person_seen_twice():
    """A person recorded by one officer and opened by them and by a colleague."""
    officer = MembershipFactory()
    person = create_person(actor=officer, family_name="Ciocârlan")
    colleague = MembershipFactory(organisation=officer.organisation)
    from punte.identification.persons.models import PersonAccess

    assert PersonAccess.objects.filter(person=person, organisation=officer.organisation).exists()
    ApiClient(officer).get(f"/persons/{person.pk}")
    ApiClient(colleague).get(f"/persons/{person.pk}")
    return person, officer, colleague


def assert_no_inline_script_or_style(html: str) -> None:
    assert "style=" not in html
    assert not re.search(r"<style", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_urls_are_named():
    assert reverse("audit:person_access") == ACCESS_URL
    assert reverse("audit:search") == SEARCH_URL


@pytest.mark.parametrize("role", ["regional_officer", "auditor", "national_coordinator"])
def test_the_access_log_is_404_without_the_permission(role):
    person = create_person()
    client = verified_client(MembershipFactory(role_code=role).user)
    assert client.get(ACCESS_URL).status_code == 404
    assert client.get(ACCESS_URL, {"person": person.pk}).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.person_access_viewed").exists()


def test_the_access_log_shows_who_accessed_and_when(dpo, person_seen_twice):
    person, officer, colleague = person_seen_twice
    client = verified_client(dpo.user)
    page = client.get(ACCESS_URL)
    assert page.status_code == 200
    assert b'<label for="id_person">' in page.content

    response = client.get(
        ACCESS_URL, {"person": str(person.pk)}, headers={"X-Request-ID": "dpo-lookup-0001"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", html, flags=re.S)
    # created + two reads + this very lookup, newest first
    assert len(rows) == 4
    assert "audit.person_access_viewed" in rows[0] and dpo.user.username in rows[0]
    assert colleague.user.username in rows[1] and "person.viewed" in rows[1]
    assert officer.user.username in rows[2] and "person.viewed" in rows[2]
    assert "person.created" in rows[3] and officer.organisation.name in rows[3]
    viewed = AuditEvent.objects.get(action="person.viewed", actor=colleague.user)
    assert viewed.request_id in rows[1]
    utc = viewed.occurred_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    # UTC to the second (to compare with logs); local time in the reader's usual form.
    with translation.override(response["Content-Language"]):
        local = date_format(timezone.localtime(viewed.occurred_at), "DATETIME_FORMAT")
    assert utc in rows[1] and local in rows[1]
    assert "Europe/Bucharest" in html
    assert "Ciocârlan" not in html  # the log, not the file
    assert_no_inline_script_or_style(html)

    lookup = AuditEvent.objects.get(action="audit.person_access_viewed")
    assert (lookup.actor_id, lookup.person_id) == (dpo.user_id, person.pk)
    assert lookup.request_id == "dpo-lookup-0001"
    assert lookup.changes == {"via": "web"}


def test_the_dpo_may_not_open_the_file_itself(dpo, person_seen_twice):
    person, *_ = person_seen_twice
    client = verified_client(dpo.user)
    assert client.get(f"/persons/{person.pk}/").status_code in (403, 404)
    assert not AuditEvent.objects.filter(action="person.viewed", actor=dpo.user).exists()


def test_a_malformed_record_id_is_a_form_error_not_a_lookup(dpo):
    client = verified_client(dpo.user)
    response = client.get(ACCESS_URL, {"person": "Popescu Ana"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_person"' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'aria-describedby="[^"]*id_person_error', html)
    assert not AuditEvent.objects.filter(action="audit.person_access_viewed").exists()


def test_the_log_of_an_erased_or_unknown_record_is_answered(dpo):
    unknown = uuid.uuid4()
    response = verified_client(dpo.user).get(ACCESS_URL, {"person": unknown})
    assert response.status_code == 200
    # Only the lookup itself: the log outlives the record.
    assert AuditEvent.objects.filter(person_id=unknown).count() == 1


def test_the_log_exports_as_csv_oldest_first(dpo, person_seen_twice):
    person, officer, colleague = person_seen_twice
    response = verified_client(dpo.user).get(ACCESS_URL, {"person": person.pk, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"access-log-{person.pk}.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["When (UTC)", "When (local time, Europe/Bucharest)", "User"]
    body = rows[1:]
    assert [r[4] for r in body] == [
        "person.created",
        "person.viewed",
        "person.viewed",
        "audit.person_access_viewed",
    ]
    assert body[2][2] == colleague.user.username
    assert body[2][3] == colleague.organisation.name
    assert (
        body[2][6]
        == AuditEvent.objects.get(action="person.viewed", actor=colleague.user).request_id
    )
    assert AuditEvent.objects.get(action="audit.person_access_viewed").changes == {"via": "csv"}


def test_csv_cells_cannot_run_as_spreadsheet_formulas(dpo):
    person = create_person()
    rogue = MembershipFactory(
        user=UserFactory(username="@SUM(1+1)"),
        organisation=OrganisationFactory(name='=HYPERLINK("x")'),
    )
    audit.record(
        action="person.viewed",
        actor=rogue.user,
        organisation=rogue.organisation,
        person_id=person.pk,
    )
    response = verified_client(dpo.user).get(ACCESS_URL, {"person": person.pk, "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[4] == "person.viewed")
    assert row[2] == "'@SUM(1+1)"
    assert row[3] == '\'=HYPERLINK("x")'


def test_the_log_pages_with_a_cursor(dpo):
    person = create_person()
    for _ in range(55):
        audit.record(action="person.viewed", person_id=person.pk)
    client = verified_client(dpo.user)
    first = client.get(ACCESS_URL, {"person": person.pk}).content.decode()
    assert len(re.findall(r"<tr>\s*<td>", first)) == 50
    next_link = re.search(r'href="\?([^"]*cursor=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(f"{ACCESS_URL}?{next_link}").content.decode()
    # The first page held the lookup and the 49 newest reads; older: 6 reads and the creation.
    assert len(re.findall(r"<tr>\s*<td>", second)) == 7
    assert "Older events" not in second


def test_a_forged_cursor_is_reported_not_a_500(dpo):
    person = create_person()
    client = verified_client(dpo.user)
    for cursor in ("not-a-cursor", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIngiXQ"):
        response = client.get(ACCESS_URL, {"person": person.pk, "cursor": cursor})
        assert response.status_code == 200
        assert b"This page link is not valid" in response.content


# --- Audit search -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["regional_officer", "national_coordinator", "system_admin"])
def test_the_search_is_404_without_the_permission(role):
    client = verified_client(MembershipFactory(role_code=role).user)
    assert client.get(SEARCH_URL).status_code == 404
    assert client.get(SEARCH_URL, {"action": "person.*"}).status_code == 404


def result_rows(response):
    return re.findall(r"<tr>\s*<td>.*?</tr>", response.content.decode(), flags=re.S)


def test_the_search_filters_by_each_field(auditor, person_seen_twice):
    person, officer, colleague = person_seen_twice
    other = create_person()
    client = verified_client(auditor.user)
    page = client.get(SEARCH_URL)
    assert page.status_code == 200
    assert not result_rows(page)  # nothing is searched until the form is sent
    assert_no_inline_script_or_style(page.content.decode())

    by_user = result_rows(client.get(SEARCH_URL, {"actor": colleague.user.username}))
    assert len(by_user) == 1 and "person.viewed" in by_user[0]

    by_org = result_rows(
        client.get(SEARCH_URL, {"organisation": officer.organisation.pk, "action": "person.*"})
    )
    assert len(by_org) == 3  # created + two reads, all at the officer's organisation

    by_action = result_rows(client.get(SEARCH_URL, {"action": "person.viewed"}))
    assert len(by_action) == 2

    by_person = result_rows(client.get(SEARCH_URL, {"person": other.pk}))
    # The search by person is itself an event about that person, so it is listed too.
    assert len(by_person) == 2
    assert "audit.searched" in by_person[0] and "person.created" in by_person[1]

    by_subject = result_rows(
        client.get(SEARCH_URL, {"subject": str(person.pk), "action": "person.*"})
    )
    assert len(by_subject) == 3

    today = timezone.localdate()
    in_range = result_rows(
        client.get(SEARCH_URL, {"action": "person.*", "date_from": today, "date_to": today})
    )
    assert len(in_range) == 4
    tomorrow = today + datetime.timedelta(days=1)
    assert not result_rows(client.get(SEARCH_URL, {"action": "person.*", "date_from": tomorrow}))
    yesterday = today - datetime.timedelta(days=1)
    assert not result_rows(client.get(SEARCH_URL, {"action": "person.*", "date_to": yesterday}))


def test_each_search_is_itself_recorded(auditor):
    person = create_person()
    verified_client(auditor.user).get(SEARCH_URL, {"person": person.pk, "action": "person.*"})
    searched = AuditEvent.objects.get(action="audit.searched")
    assert searched.actor_id == auditor.user_id
    assert searched.person_id == person.pk
    assert searched.changes == {"action": "person.*", "person_id": str(person.pk)}


def test_a_reversed_date_range_is_an_error_naming_the_field(auditor):
    response = verified_client(auditor.user).get(
        SEARCH_URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_date_to"' in html
    assert "The end date is before the start date." in html
    assert not AuditEvent.objects.filter(action="audit.searched").exists()


def test_the_search_pages_with_a_cursor_keeping_its_filters(auditor):
    for n in range(53):
        audit.record(action="test.paged", changes={"n": n})
    client = verified_client(auditor.user)
    first = client.get(SEARCH_URL, {"action": "test.paged"})
    assert len(result_rows(first)) == 50
    html = first.content.decode()
    next_link = re.search(r'href="\?([^"]*cursor=[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "action=test.paged" in next_link
    second = client.get(f"{SEARCH_URL}?{next_link}")
    assert len(result_rows(second)) == 3
    ids = {int(i) for i in re.findall(r"<td>\d+:(\d+)</td>", html + second.content.decode())}
    assert len(ids) == 53  # every event once, none twice


def test_every_action_is_described_by_its_apps_catalogue(auditor):
    officer = MembershipFactory()
    person = create_person(actor=officer)
    with_access = OrganisationFactory()
    from punte.identification.persons.services import person_access_grant

    person_access_grant(
        actor=officer, person_id=person.pk, organisation_id=with_access.pk, reason="referral"
    )
    rows = result_rows(
        verified_client(auditor.user).get(SEARCH_URL, {"action": "person.access_granted"})
    )
    assert len(rows) == 1
    # Declared in persons/events.py; not one of the access log's own phrasings.
    assert "An organisation was given access to a person&#x27;s record" in rows[0]
