"""What the audit trail records, and that it is part of the write it records."""

import datetime
from unittest import mock

import pytest
from django.db import connection, transaction

from punte.accounts.tests.factories import MembershipFactory
from punte.core import audit
from punte.core.models import AuditChainHead, AuditEvent
from punte.identification.persons import services
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db

FAMILY_NAME = "Vârtejescu-Zmeurică"


def _heads():
    return dict(AuditChainHead.objects.values_list("shard", "last_seq"))


def test_events_chain_and_verify():
    officer = MembershipFactory()
    for n in range(5):
        audit.record(
            action="test.done",
            actor=officer.user,
            organisation=officer.organisation,
            changes={"n": n},
        )
    assert AuditEvent.objects.filter(action="test.done").count() == 5
    assert list(audit.verify()) == []


def test_the_acting_membership_names_the_user_and_the_organisation():
    officer = MembershipFactory()
    by_membership = audit.record(action="test.done", actor=officer)
    by_parts = audit.record(
        action="test.done", actor=officer.user, organisation=officer.organisation
    )
    stored = AuditEvent.objects.filter(pk__in=[by_membership.pk, by_parts.pk])
    assert {(e.actor_id, e.actor_username, e.organisation_id) for e in stored} == {
        (officer.user_id, officer.user.username, officer.organisation_id)
    }
    with pytest.raises(TypeError):
        audit.record(
            action="test.done", actor=officer, organisation=MembershipFactory().organisation
        )
    assert list(audit.verify()) == []


def test_an_event_written_by_a_service_that_then_fails_is_rolled_back_with_it():
    officer = MembershipFactory()
    before_heads, before_count = _heads(), AuditEvent.objects.count()
    real_record = audit.record

    def record_then_fail(**kwargs):
        real_record(**kwargs)  # the event is written...
        assert AuditEvent.objects.filter(action="person.created").exists()
        raise RuntimeError("the service fails after writing its event")

    with (
        mock.patch(
            "punte.identification.persons.services.audit.record", side_effect=record_then_fail
        ),
        pytest.raises(RuntimeError),
    ):
        services.person_create(actor=officer, data=services.PersonInput(family_name="Rollback"))

    # ...and gone with the change it recorded; no seq was consumed, the chain still verifies.
    assert AuditEvent.objects.count() == before_count
    assert not AuditEvent.objects.filter(action="person.created").exists()
    assert not Person.objects.exists()
    assert _heads() == before_heads
    assert list(audit.verify()) == []
    after = audit.record(action="test.after", actor=officer.user)
    assert after.seq == before_heads[after.shard] + 1


def test_a_failing_api_write_leaves_neither_the_record_nor_its_event():
    officer = MembershipFactory()
    before = AuditEvent.objects.filter(action="person.created").count()
    with mock.patch(
        "punte.identification.persons.services.PersonAccess.objects.create",
        side_effect=RuntimeError("disk full"),
    ):
        response = ApiClient(officer).post("/persons", {"family_name": "Half"})
    assert response.status_code == 500
    assert not Person.objects.exists()
    assert AuditEvent.objects.filter(action="person.created").count() == before
    assert list(audit.verify()) == []


def test_request_id_and_source_ip_come_from_the_request():
    officer = MembershipFactory()
    person = create_person(actor=officer)
    api = ApiClient(officer)
    response = api.client.get(
        f"/api/v1/persons/{person.pk}",
        headers={**api.headers, "X-Request-ID": "case-7-req-0001"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.viewed")
    assert event.request_id == "case-7-req-0001"
    assert event.source_ip == "203.0.113.7"
    assert event.actor_id == officer.user_id
    assert event.organisation_id == officer.organisation_id
    assert event.person_id == person.pk
    assert event.occurred_at.utcoffset() == datetime.timedelta(0)


def test_without_a_request_id_the_event_carries_the_one_the_response_names():
    officer = MembershipFactory()
    person = create_person(actor=officer)
    response = ApiClient(officer).get(f"/persons/{person.pk}")
    event = AuditEvent.objects.get(action="person.viewed")
    assert event.request_id == response["X-Request-ID"]
    assert len(event.request_id) >= 16


@pytest.mark.parametrize(
    "remote_addr, stored",
    [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:192.0.2.1", None),  # stored in whatever form the database keeps; must verify
        ("not-an-address", None),
    ],
)
def test_source_addresses_in_any_spelling_still_verify(remote_addr, stored):
    officer = MembershipFactory()
    person = create_person(actor=officer)
    api = ApiClient(officer)
    response = api.client.get(
        f"/api/v1/persons/{person.pk}", headers=api.headers, REMOTE_ADDR=remote_addr
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.viewed")
    if remote_addr == "not-an-address":
        assert event.source_ip is None
    elif stored:
        assert event.source_ip == stored
    assert list(audit.verify()) == []


def test_personal_values_never_appear_in_clear_in_the_trail():
    officer = MembershipFactory()
    api = ApiClient(officer)
    created = api.post(
        "/persons",
        {
            "family_name": FAMILY_NAME,
            "given_name": "Iridenta",
            "aliases": ["Zmeura"],
            "date_of_birth": "1999-03-21",
            "contact": "+40 712 345 678",
            "notes": "met at the Giurgiu crossing",
            "sex": "female",
        },
    )
    assert created.status_code == 201, created.content
    person_id = created.json()["id"]
    assert api.get(f"/persons/{person_id}").status_code == 200
    assert verified_client(officer.user).get(f"/persons/{person_id}/").status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_auditevent")
        dumped = repr(cursor.fetchall())
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"person.created", "person.viewed"} <= actions
    for secret in (
        FAMILY_NAME,
        "Vartejescu",
        "Iridenta",
        "Zmeura",
        "712 345",
        "1999-03-21",
        "Giurgiu",
    ):
        assert secret not in dumped
    created_event = AuditEvent.objects.get(action="person.created")
    assert created_event.changes["family_name"] == audit.REDACTED
    assert created_event.changes["sex"] == {"old": None, "new": "female"}


def test_every_read_of_a_persons_record_through_the_api_writes_an_access_event():
    officer = MembershipFactory()
    person = create_person(actor=officer)
    api = ApiClient(officer)
    for _ in range(2):
        assert api.get(f"/persons/{person.pk}").status_code == 200
    events = AuditEvent.objects.filter(action="person.viewed", person_id=person.pk)
    assert events.count() == 2
    event = events.first()
    assert (event.subject_type, event.subject_id) == ("identification.person", str(person.pk))
    assert event.actor_username == officer.user.username


def test_a_refused_read_writes_no_access_event():
    person = create_person()
    stranger = MembershipFactory()
    assert ApiClient(stranger).get(f"/persons/{person.pk}").status_code == 404
    assert not AuditEvent.objects.filter(action="person.viewed").exists()


def test_every_read_of_a_persons_page_writes_an_access_event():
    officer = MembershipFactory()
    person = create_person(actor=officer)
    client = verified_client(officer.user)
    response = client.get(
        f"/persons/{person.pk}/",
        headers={"X-Request-ID": "web-page-read-1"},
        REMOTE_ADDR="198.51.100.23",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.viewed")
    assert event.person_id == person.pk
    assert event.actor_id == officer.user_id
    assert event.request_id == "web-page-read-1"
    assert event.source_ip == "198.51.100.23"


def test_one_transaction_appends_to_one_chain(settings):
    settings.PUNTE_AUDIT_SHARDS = 8
    officer = MembershipFactory()
    with transaction.atomic():
        events = [audit.record(action="test.batch", actor=officer.user) for _ in range(5)]
    assert len({e.shard for e in events}) == 1
    assert [e.seq for e in events] == list(range(events[0].seq, events[0].seq + 5))


def test_redact_keeps_that_a_personal_field_changed_but_not_its_value():
    changes = audit.redact(
        {"family_name": {"old": "Ionescu", "new": "Popa"}, "sex": {"old": "male", "new": "female"}},
        {"family_name"},
    )
    assert changes == {"family_name": audit.REDACTED, "sex": {"old": "male", "new": "female"}}
