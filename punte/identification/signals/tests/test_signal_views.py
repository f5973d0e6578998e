"""Staff pages for signals: list and worklist, record, open, triage; scope and refusals."""

import pytest

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent
from punte.identification.signals.models import Signal, SignalStatus
from punte.identification.signals.tests.factories import create_signal
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return MembershipFactory(role_code="police_investigator")


def test_list_shows_the_worklist_and_filters_with_htmx(officer):
    open_signal = create_signal(actor=officer)
    client = verified_client(officer.user)
    page = client.get("/signals/")
    assert page.status_code == 200
    assert open_signal.reference in page.content.decode()
    fragment = client.get("/signals/", {"status": "closed"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert open_signal.reference not in fragment.content.decode()


def test_record_a_signal_from_the_page(officer):
    client = verified_client(officer.user)
    assert client.get("/signals/new/").status_code == 200
    response = client.post(
        "/signals/new/",
        {
            "channel": "in_person",
            "description": "Two boys selling flowers at midnight, an adult watching them.",
            "exploitation_forms": ["begging"],
            "county": "RO-CJ",
            "locality": "Cluj-Napoca",
            "observed_on": "2026-11-01",
            "people_description": "boy, about 10\nboy, about 12\n",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    signal = Signal.objects.get()
    assert response["Location"] == f"/signals/{signal.pk}/"
    assert [p.description for p in signal.people.all()] == ["boy, about 10", "boy, about 12"]


def test_a_bad_signal_is_a_form_error_and_nothing_is_recorded(officer):
    client = verified_client(officer.user)
    response = client.post(
        "/signals/new/",
        {"channel": "public_report", "description": "", "observed_on": "2999-01-01"},
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not Signal.objects.exists()


def test_open_and_triage(officer):
    signal = create_signal(actor=officer)
    client = verified_client(officer.user)
    page = client.get(f"/signals/{signal.pk}/")
    assert page.status_code == 200
    assert "Three young women" in page.content.decode()
    assert AuditEvent.objects.filter(action="signal.viewed").count() == 1
    refused = client.post(f"/signals/{signal.pk}/triage/", {"to": "closed"})
    assert refused.status_code == 400
    assert "reason for closing" in refused.content.decode()
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW
    police = OrganisationFactory(type=OrganisationType.PROSECUTION)
    moved = client.post(
        f"/signals/{signal.pk}/triage/", {"to": "assigned", "assign_to": str(police.pk)}
    )
    assert moved.status_code == 302
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ASSIGNED
    assert signal.responsible_organisation == police


def test_another_organisation_gets_404_and_a_role_without_signals_403(officer):
    signal = create_signal(actor=officer)
    stranger = verified_client(MembershipFactory(role_code="police_investigator").user)
    assert stranger.get(f"/signals/{signal.pk}/").status_code == 404
    assert stranger.post(f"/signals/{signal.pk}/triage/", {"to": "in_triage"}).status_code == 404
    auditor = verified_client(MembershipFactory(role_code="auditor").user)
    assert auditor.get("/signals/").status_code == 403
    assert auditor.get("/signals/new/").status_code == 403


def test_from_a_persons_record_to_a_signal_about_them(officer):
    from punte.identification.persons.tests.factories import create_person

    person = create_person(actor=officer)
    client = verified_client(officer.user)
    record = client.get(f"/persons/{person.pk}/").content.decode()
    assert f"/signals/new/?person={person.pk}" in record
    form = client.get(f"/signals/new/?person={person.pk}")
    assert "Ana Popescu" in form.content.decode()
    response = client.post(
        f"/signals/new/?person={person.pk}",
        {"channel": "in_person", "description": "Seen again at the car wash."},
    )
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert [link.person_id for link in signal.people.all()] == [person.pk]
    stranger = verified_client(MembershipFactory(role_code="police_investigator").user)
    assert stranger.get(f"/signals/new/?person={person.pk}").status_code == 404


def test_describe_another_person_on_the_signal_page(officer):
    signal = create_signal(actor=officer)
    client = verified_client(officer.user)
    response = client.post(f"/signals/{signal.pk}/people/", {"description": "A boy, about 9"})
    assert response.status_code == 302
    assert [p.description for p in signal.people.all()] == ["A boy, about 9"]
    empty = client.post(f"/signals/{signal.pk}/people/", {"description": ""})
    assert empty.status_code == 400
    assert signal.people.count() == 1
