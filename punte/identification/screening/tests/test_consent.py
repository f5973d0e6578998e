import datetime

import pytest
from freezegun import freeze_time

from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.models import AnonymousNotification, ConsentEvent
from punte.identification.screening.services import consent
from punte.identification.screening.services.consent import ConsentState, referral_consent_state

TODAY = datetime.date(2026, 11, 28)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def frozen_today():
    with freeze_time("2026-11-28 10:00:00"):
        yield


@pytest.fixture
def worker():
    return MembershipFactory(role_code="ngo_caseworker")


def _record(worker, person, decision, on=TODAY, purpose="referral", language="ro"):
    return consent.consent_record(
        actor=worker,
        person=person,
        purpose=purpose,
        decision=decision,
        decided_on=on,
        rights_language=language,
    )


def test_an_adult_never_asked_is_not_asked(worker):
    person = create_person(actor=worker)
    assert referral_consent_state(person, TODAY) == ConsentState.NOT_ASKED


@pytest.mark.parametrize(
    "fields",
    [
        {"date_of_birth": None, "birth_year": None, "identity_unknown": True},  # age unknown
        {"date_of_birth": datetime.date(2010, 3, 1)},
    ],
)
def test_a_child_needs_no_consent(worker, fields):
    person = create_person(actor=worker, **fields)
    assert referral_consent_state(person, TODAY) == ConsentState.CHILD
    with pytest.raises(ServiceError) as refused:
        _record(worker, person, "consented")
    assert refused.value.field == "person"
    assert not ConsentEvent.objects.exists()


def test_a_child_turning_18_then_needs_consent(worker):
    person = create_person(actor=worker, date_of_birth=datetime.date(2008, 12, 1))
    assert referral_consent_state(person, TODAY) == ConsentState.CHILD
    assert referral_consent_state(person, datetime.date(2026, 12, 1)) == ConsentState.NOT_ASKED


def test_consent_then_withdrawal_keeps_the_history_and_answers_per_day(worker):
    person = create_person(actor=worker)
    _record(worker, person, "consented", on=datetime.date(2026, 11, 20))
    _record(worker, person, "withdrawn", on=datetime.date(2026, 11, 25))
    assert referral_consent_state(person, datetime.date(2026, 11, 19)) == "not_asked"
    assert referral_consent_state(person, datetime.date(2026, 11, 22)) == "consented"
    assert referral_consent_state(person, TODAY) == "withdrawn"
    assert [e.decision for e in consent.consent_history(person)] == ["consented", "withdrawn"]
    event = AuditEvent.objects.filter(action="consent.recorded").order_by("-id").first()
    assert event.person_id == person.pk
    assert event.changes["decision"] == {"old": "consented", "new": "withdrawn"}


def test_refusal_then_consent(worker):
    person = create_person(actor=worker)
    _record(worker, person, "refused", on=datetime.date(2026, 11, 1))
    assert referral_consent_state(person, TODAY) == "refused"
    _record(worker, person, "consented")
    assert referral_consent_state(person, TODAY) == "consented"


def test_purposes_are_independent(worker):
    person = create_person(actor=worker)
    _record(worker, person, "consented", purpose="data_sharing")
    assert referral_consent_state(person, TODAY) == "not_asked"
    assert consent.data_sharing_consent_state(person, TODAY) == "consented"


@pytest.mark.parametrize(
    ("history", "decision"),
    [
        ([], "withdrawn"),
        (["consented"], "consented"),
        (["refused"], "withdrawn"),
        (["consented"], "refused"),
    ],
)
def test_a_decision_not_allowed_from_the_state_changes_nothing(worker, history, decision):
    person = create_person(actor=worker)
    for earlier in history:
        _record(worker, person, earlier, on=datetime.date(2026, 11, 1))
    before = ConsentEvent.objects.count()
    with pytest.raises(ServiceError) as refused:
        _record(worker, person, decision)
    assert refused.value.field == "decision"
    assert ConsentEvent.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decided_on": datetime.date(2026, 11, 29)}, "decided_on"),
        ({"rights_language": "de"}, "rights_language"),
        ({"purpose": "marketing"}, "purpose"),
        ({"decision": "maybe"}, "decision"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(worker, changes, field):
    person = create_person(actor=worker)
    arguments = {
        "actor": worker,
        "person": person,
        "purpose": "referral",
        "decision": "consented",
        "decided_on": TODAY,
        "rights_language": "uk",
        **changes,
    }
    with pytest.raises(ServiceError) as refused:
        consent.consent_record(**arguments)
    assert refused.value.field == field
    assert not ConsentEvent.objects.exists()


def test_a_decision_dated_before_the_last_one_is_refused(worker):
    person = create_person(actor=worker)
    _record(worker, person, "consented", on=datetime.date(2026, 11, 20))
    with pytest.raises(ServiceError) as refused:
        _record(worker, person, "withdrawn", on=datetime.date(2026, 11, 10))
    assert refused.value.field == "decided_on"


def test_a_role_without_the_permission_is_refused():
    officer = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=officer)
    prosecutor = MembershipFactory(role_code="prosecutor", organisation=officer.organisation)
    with pytest.raises(ServiceError) as refused:
        _record(prosecutor, person, "consented")
    assert refused.value.status == 403


def test_anonymous_notification_holds_no_link_to_the_person(worker):
    person = create_person(actor=worker, citizenship="UA", sex="female")
    _record(worker, person, "refused")
    notification = consent.anonymous_notification_from_person(
        actor=worker, person=person, exploitation_forms=["labour", "sexual"], notified_on=TODAY
    )
    assert (notification.sex, notification.age_group, notification.citizenship_group) == (
        "female",
        "adult",
        "non_eu",
    )
    assert notification.exploitation_forms == ["sexual", "labour"]
    assert notification.county_id == worker.organisation.county_id
    field_names = {f.name for f in AnonymousNotification._meta.get_fields()}
    assert not field_names & {"person", "given_name", "family_name", "date_of_birth", "birth_year"}
    event = AuditEvent.objects.get(action="anonymous_notification.recorded")
    assert event.person_id is None
    assert str(person.pk) not in str(event.changes)


def test_citizenship_groups(worker):
    assert consent.citizenship_group(create_person(actor=worker, citizenship="RO")) == "national"
    assert consent.citizenship_group(create_person(actor=worker, citizenship="BG")) == "eu"
    assert consent.citizenship_group(create_person(actor=worker, citizenship="MD")) == "non_eu"
    assert consent.citizenship_group(create_person(actor=worker, citizenship=None)) == "unknown"


def test_no_anonymous_notification_for_a_child_or_a_consenting_adult(worker):
    child = create_person(actor=worker, date_of_birth=datetime.date(2012, 1, 1))
    adult = create_person(actor=worker)
    _record(worker, adult, "consented")
    for person in (child, adult):
        with pytest.raises(ServiceError):
            consent.anonymous_notification_from_person(
                actor=worker, person=person, exploitation_forms=["labour"], notified_on=TODAY
            )
    assert not AnonymousNotification.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"exploitation_forms": []}, "exploitation_forms"),
        ({"exploitation_forms": ["piracy"]}, "exploitation_forms"),
        ({"sex": "x"}, "sex"),
        ({"age_group": "teen"}, "age_group"),
        ({"citizenship_group": "mars"}, "citizenship_group"),
        ({"county": "RO-XX"}, "county"),
        ({"notified_on": datetime.date(2027, 1, 1)}, "notified_on"),
    ],
)
def test_anonymous_notification_bad_input(worker, changes, field):
    arguments = {
        "actor": worker,
        "sex": "male",
        "age_group": "adult",
        "citizenship_group": "national",
        "exploitation_forms": ["begging"],
        "notified_on": TODAY,
        **changes,
    }
    with pytest.raises(ServiceError) as refused:
        consent.anonymous_notification_record(**arguments)
    assert refused.value.field == field
    assert not AnonymousNotification.objects.exists()
