"""Signals: recording, the lifecycle table, scoping, the worklist."""

import datetime

import pytest
from django.http import Http404
from freezegun import freeze_time

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.identification.signals import selectors
from punte.identification.signals.models import (
    SIGNAL_TRANSITIONS,
    Signal,
    SignalPerson,
    SignalStatus,
    SignalTransition,
)
from punte.identification.signals.services import signal as services
from punte.identification.signals.tests.factories import (
    create_assigned_signal,
    create_closed_signal,
    create_public_report,
    create_signal,
    create_signal_in_triage,
    national_agency,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return MembershipFactory(role_code="regional_officer")


def test_a_recorded_signal_is_new_encrypted_and_audited(officer):
    person = create_person(actor=officer)
    signal = create_signal(
        actor=officer,
        people=[
            services.SignalPersonInput(person_id=person.pk),
            services.SignalPersonInput(description="A second woman, about 20, speaks Romanian"),
        ],
        exploitation_forms=["labour", "sexual", "labour"],
    )
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW
    assert signal.responsible_organisation_id == officer.organisation_id
    assert signal.recording_organisation_id == officer.organisation_id
    assert signal.exploitation_forms == ["labour", "sexual"]
    assert [p.person_id for p in signal.people.all()] == [person.pk, None]
    created = AuditEvent.objects.get(action="signal.created", subject_id=str(signal.pk))
    assert created.changes["people"] == 2
    assert "car wash" not in str(created.changes)
    linked = AuditEvent.objects.get(action="signal.person_linked")
    assert linked.person_id == person.pk


def test_what_was_seen_is_ciphertext_in_the_database(officer):
    from django.db import connection

    signal = create_signal(actor=officer, description="Secret words about Ana")
    pk = Signal._meta.pk.get_db_prep_value(signal.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM identification_signal WHERE id = %s", [pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1:")
    assert "Ana" not in stored


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("description", "   ", "description"),
        ("description", "x" * (services.MAX_DESCRIPTION + 1), "description"),
        ("county", "RO-XX", "county"),
        ("observed_on", datetime.date(2999, 1, 1), "observed_on"),
        ("exploitation_forms", ["labour", "piracy"], "exploitation_forms.1"),
        ("channel", "public_report", "channel"),
        ("channel", "carrier_pigeon", "channel"),
        ("locality", "x" * (services.MAX_LOCALITY + 1), "locality"),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(officer, field, value, error_field):
    with pytest.raises(ServiceError) as caught:
        create_signal(actor=officer, **{field: value})
    assert caught.value.field == error_field
    assert not Signal.objects.exists()
    assert not AuditEvent.objects.filter(action="signal.created").exists()


def test_a_person_outside_ones_scope_cannot_be_linked(officer):
    stranger_person = create_person(actor=MembershipFactory(role_code="regional_officer"))
    with pytest.raises(ServiceError) as caught:
        create_signal(
            actor=officer, people=[services.SignalPersonInput(person_id=stranger_person.pk)]
        )
    assert caught.value.field == "people.0.person_id"
    assert not Signal.objects.exists()
    assert not SignalPerson.objects.exists()


def test_an_empty_person_entry_is_refused(officer):
    with pytest.raises(ServiceError) as caught:
        create_signal(actor=officer, people=[services.SignalPersonInput()])
    assert caught.value.field == "people.0"


def test_a_role_without_the_permission_may_not_record():
    auditor = MembershipFactory(role_code="auditor")
    with pytest.raises(ServiceError) as caught:
        create_signal(actor=auditor)
    assert caught.value.status == 403


# --- The lifecycle ---------------------------------------------------------------------------


def test_every_transition_of_the_table_is_applied_and_every_other_refused(officer):
    police = OrganisationFactory(type=OrganisationType.POLICE)
    makers = {
        SignalStatus.NEW: lambda: create_signal(actor=officer),
        SignalStatus.IN_TRIAGE: lambda: create_signal_in_triage(actor=officer),
        SignalStatus.CLOSED: lambda: create_closed_signal(actor=officer),
        SignalStatus.SCREENING: lambda: services.signal_transition(
            actor=officer, signal_id=create_signal(actor=officer).pk, to=SignalStatus.SCREENING
        ),
    }
    extra = {
        SignalStatus.CLOSED: {"close_reason": "insufficient_information"},
        SignalStatus.ASSIGNED: {"assign_to": police.pk},
    }
    for current, make in makers.items():
        for target in SignalStatus.values:
            signal = make()
            before = SignalTransition.objects.filter(signal=signal).count()
            if target in SIGNAL_TRANSITIONS[current]:
                moved = services.signal_transition(
                    actor=officer, signal_id=signal.pk, to=target, **extra.get(target, {})
                )
                assert moved.status == target
                assert SignalTransition.objects.filter(signal=signal).count() == before + 1
                assert AuditEvent.objects.filter(
                    action="signal.transitioned", subject_id=str(signal.pk)
                ).exists()
            else:
                with pytest.raises(ServiceError) as caught:
                    services.signal_transition(
                        actor=officer, signal_id=signal.pk, to=target, **extra.get(target, {})
                    )
                assert caught.value.field == "to"
                signal.refresh_from_db()
                assert signal.status == current
                assert SignalTransition.objects.filter(signal=signal).count() == before


def test_closing_needs_a_reason_and_a_duplicate_names_its_original(officer):
    original = create_signal(actor=officer)
    signal = create_signal(actor=officer)
    with pytest.raises(ServiceError) as caught:
        services.signal_transition(actor=officer, signal_id=signal.pk, to="closed")
    assert caught.value.field == "close_reason"
    with pytest.raises(ServiceError) as caught:
        services.signal_transition(
            actor=officer, signal_id=signal.pk, to="closed", close_reason="duplicate"
        )
    assert caught.value.field == "duplicate_of"
    with pytest.raises(ServiceError):
        services.signal_transition(
            actor=officer,
            signal_id=signal.pk,
            to="closed",
            close_reason="duplicate",
            duplicate_of=signal.pk,
        )
    closed = services.signal_transition(
        actor=officer,
        signal_id=signal.pk,
        to="closed",
        close_reason="duplicate",
        duplicate_of=original.pk,
        note="Same car wash as the first report.",
    )
    assert closed.duplicate_of_id == original.pk
    event = AuditEvent.objects.filter(action="signal.transitioned").latest("id")
    assert event.changes["duplicate_of"] == str(original.pk)
    assert "car wash" not in str(event.changes)


def test_reopening_clears_the_reason(officer):
    signal = create_closed_signal(actor=officer)
    reopened = services.signal_transition(actor=officer, signal_id=signal.pk, to="in_triage")
    assert reopened.close_reason == ""
    assert reopened.is_open


def test_assigning_hands_the_signal_to_the_other_organisation(officer):
    police = OrganisationFactory(type=OrganisationType.POLICE)
    investigator = MembershipFactory(organisation=police, role_code="police_investigator")
    signal = create_assigned_signal(actor=officer, assign_to=police)
    assert signal.responsible_organisation_id == police.pk
    # The receiving organisation now sees it and has it on its worklist; the recorder still sees it.
    assert selectors.signal_list_visible_to(actor=investigator).filter(pk=signal.pk).exists()
    assert list(selectors.signal_worklist_for(actor=investigator)) == [signal]
    assert selectors.signal_list_visible_to(actor=officer).filter(pk=signal.pk).exists()
    assert signal not in selectors.signal_worklist_for(actor=officer)
    taken = services.signal_transition(actor=investigator, signal_id=signal.pk, to="in_triage")
    assert taken.status == SignalStatus.IN_TRIAGE


def test_assigning_needs_an_active_other_organisation(officer):
    signal = create_signal(actor=officer)
    inactive = OrganisationFactory(is_active=False)
    for target, in_field in [
        (None, "assign_to"),
        (inactive.pk, "assign_to"),
        (officer.organisation_id, "assign_to"),
    ]:
        with pytest.raises(ServiceError) as caught:
            services.signal_transition(
                actor=officer, signal_id=signal.pk, to="assigned", assign_to=target
            )
        assert caught.value.field == in_field


def test_a_signal_outside_scope_cannot_be_triaged_and_is_not_found(officer):
    signal = create_signal(actor=MembershipFactory(role_code="regional_officer"))
    with pytest.raises(Http404):
        services.signal_transition(actor=officer, signal_id=signal.pk, to="in_triage")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW


def test_opening_a_signal_is_audited_and_404_outside_scope(officer):
    signal = create_signal(actor=officer)
    colleague = MembershipFactory(organisation=officer.organisation, role_code="ngo_caseworker")
    assert selectors.signal_get_for_view(actor=colleague, signal_id=signal.pk) == signal
    assert AuditEvent.objects.filter(action="signal.viewed", actor=colleague.user).count() == 1
    for stranger in [
        MembershipFactory(role_code="regional_officer"),
        # scope "own": a colleague's signal is not theirs
        MembershipFactory(organisation=officer.organisation, role_code="first_responder"),
        MembershipFactory(organisation=officer.organisation, role_code="auditor"),
    ]:
        with pytest.raises(Http404):
            selectors.signal_get_for_view(actor=stranger, signal_id=signal.pk)
    with pytest.raises(Http404):
        selectors.signal_get_for_view(actor=officer, signal_id="not-a-uuid")


def test_people_recorded_elsewhere_are_not_named_to_the_reader(officer):
    person = create_person(actor=officer)
    signal = create_signal(actor=officer, people=[services.SignalPersonInput(person_id=person.pk)])
    police = OrganisationFactory(type=OrganisationType.POLICE)
    services.signal_transition(
        actor=officer, signal_id=signal.pk, to="assigned", assign_to=police.pk
    )
    investigator = MembershipFactory(organisation=police, role_code="police_investigator")
    [entry] = selectors.signal_people_for(actor=investigator, signal=signal)
    assert entry == {"person_id": None, "person_hidden": True, "description": None}
    [entry] = selectors.signal_people_for(actor=officer, signal=signal)
    assert entry["person_id"] == person.pk


# --- Public reports and the worklist ---------------------------------------------------------


def test_a_public_report_goes_to_the_regional_centre_of_its_county():
    agency, centre = national_agency("RO-CJ")
    signal = create_public_report(county="RO-CJ", contact="+40 700 000 000")
    assert signal.responsible_organisation == centre
    assert signal.recording_organisation is None
    assert signal.reporter_contact == "+40 700 000 000"
    event = AuditEvent.objects.get(action="signal.reported_publicly")
    assert event.actor is None
    assert event.changes["contact_given"] is True
    assert "+40" not in str(event.changes)
    elsewhere = create_public_report(county="RO-VS")
    assert elsewhere.responsible_organisation == agency
    unknown = create_public_report(county=None)
    assert unknown.responsible_organisation == agency


def test_without_a_national_agency_a_public_report_is_refused_not_lost():
    with pytest.raises(ServiceError) as caught:
        create_public_report()
    assert caught.value.status == 503
    assert not Signal.objects.exists()


def test_worklists():
    agency, centre = national_agency("RO-CJ")
    coordinator = MembershipFactory(organisation=agency, role_code="national_coordinator")
    regional = MembershipFactory(organisation=centre, role_code="regional_officer")
    at_centre = create_public_report(county="RO-CJ")
    at_agency = create_public_report(county=None)
    taken = create_public_report(county="RO-CJ")
    services.signal_transition(actor=regional, signal_id=taken.pk, to="in_triage")
    own = create_signal(actor=regional)
    closed = create_closed_signal(actor=regional)

    regional_list = list(selectors.signal_worklist_for(actor=regional))
    assert set(regional_list) == {at_centre, taken, own}
    assert closed not in regional_list
    coordinator_list = set(selectors.signal_worklist_for(actor=coordinator))
    # Every public report still waiting for triage in the country, and the agency's own.
    assert coordinator_list == {at_centre, at_agency}

    first_responder = MembershipFactory(role_code="first_responder")
    colleague = MembershipFactory(
        organisation=first_responder.organisation, role_code="first_responder"
    )
    mine = create_signal(actor=first_responder)
    create_signal(actor=colleague)
    assert list(selectors.signal_worklist_for(actor=first_responder)) == [mine]
    assert not selectors.signal_worklist_for(actor=MembershipFactory(role_code="auditor")).exists()


def test_worklist_is_oldest_first(officer):
    with freeze_time("2026-11-01"):
        older = create_signal(actor=officer)
    with freeze_time("2026-11-20"):
        newer = create_signal(actor=officer)
    assert list(selectors.signal_worklist_for(actor=officer)) == [older, newer]
