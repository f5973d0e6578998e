"""Booking a hearing room: who may, when, with whom; every refusal names its field and writes
nothing; invitations carry nothing about the child."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases.tests.factories import open_case, team_member
from punte.core.audit import AuditEvent
from punte.core.errors import ServiceError
from punte.hearings import services
from punte.hearings.models import Hearing, HearingParticipant, HearingStatus
from punte.hearings.tests.factories import at, book, make_room, working_day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_as_if_committed(monkeypatch):
    # Each test runs in one transaction that never commits; the invitations, sent after commit
    # in real use, are sent at once here (test_invitations_wait_for_the_commit checks the wait).
    monkeypatch.setattr(
        "punte.hearings.invitations.transaction.on_commit", lambda call, robust: call()
    )


@pytest.fixture
def child_case():
    case = open_case(is_child=True)
    manager = case.created_by.memberships.get(organisation=case.owner_organisation)
    return case, manager


def _refused(field, call):
    before = (
        Hearing.objects.count(),
        HearingParticipant.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ServiceError) as refused:
        call()
    assert refused.value.field == field, refused.value.message
    after = (
        Hearing.objects.count(),
        HearingParticipant.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    return refused.value


def _invitations(method):
    found = []
    for message in mail.outbox:
        for name, content, mimetype in message.attachments:
            if name == "hearing.ics" and f"method={method}" in mimetype:
                found.append((message, Calendar.from_ical(content)))
    return found


def test_a_booking_with_a_team_member_writes_the_hearing_audits_it_and_invites_each(child_case):
    case, manager = child_case
    prosecutor, _member = team_member(case, manager=manager)
    room = make_room()
    start = at(working_day(), 10)
    hearing = book(
        actor=manager,
        case=case,
        room=room,
        start=start,
        minutes=90,
        people=[(manager, "social_worker"), (prosecutor, "prosecutor")],
        notes="Needs a break after 45 minutes.",
    )
    assert hearing.status == HearingStatus.BOOKED
    assert hearing.participants.count() == 2
    event = AuditEvent.objects.get(action="hearing.booked", subject_id=str(hearing.pk))
    assert event.person_id == case.person_id
    invitations = _invitations("REQUEST")
    assert sorted(m.to[0] for m, _c in invitations) == sorted(
        [manager.user.email, prosecutor.user.email]
    )
    _message, calendar = invitations[0]
    vevent = next(iter(calendar.walk("VEVENT")))
    assert vevent["SEQUENCE"] == 0
    assert vevent.decoded("DTSTART") == start.astimezone(datetime.UTC)
    assert str(vevent["UID"]).startswith(f"hearing-{hearing.pk}@")
    assert len(vevent["ATTENDEE"]) == 2


def test_invitations_wait_for_the_commit(
    child_case, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.undo()
    case, manager = child_case
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        book(actor=manager, case=case, room=make_room(), start=at(working_day(), 10))
    assert _invitations("REQUEST") == []
    for callback in callbacks:
        callback()
    assert len(_invitations("REQUEST")) == 1


def test_the_invitation_holds_nothing_about_the_child(child_case):
    case, manager = child_case
    person = case.person
    secrets = [person.given_name, person.family_name, str(case.person_id), case.reference]
    book(
        actor=manager,
        case=case,
        room=make_room(),
        start=at(working_day(), 10),
        notes="The child is afraid of the uncle.",
    )
    ((message, calendar),) = _invitations("REQUEST")
    text = calendar.to_ical().decode() + message.body + message.subject
    for secret in filter(None, secrets):
        assert secret not in text
    assert "uncle" not in text


def test_a_participant_without_access_to_the_case_is_refused_by_name(child_case):
    case, manager = child_case
    stranger = MembershipFactory(organisation=OrganisationFactory(type=OrganisationType.NGO))
    refused = _refused(
        "participants",
        lambda: book(
            actor=manager,
            case=case,
            room=make_room(),
            start=at(working_day(), 10),
            people=[(manager, "social_worker"), (stranger, "lawyer")],
        ),
    )
    assert "team" in refused.message


@pytest.mark.parametrize(
    ("field", "change"),
    [
        (
            "starts_at",
            lambda day: {"start": at(timezone.localdate() - datetime.timedelta(days=1), 10)},
        ),
        ("starts_at", lambda day: {"start": at(day, 7)}),
        ("starts_at", lambda day: {"start": at(day, 16, 30)}),
        ("ends_at", lambda day: {"start": at(day, 10), "minutes": 15}),
        ("ends_at", lambda day: {"start": at(day, 9), "minutes": 5 * 60}),
        ("purpose", lambda day: {"start": at(day, 10), "purpose": "interrogation"}),
    ],
    ids=["past", "before-opening", "past-closing", "too-short", "too-long", "purpose"],
)
def test_bad_times_and_purposes_are_refused_naming_the_field(child_case, field, change):
    case, manager = child_case
    room = make_room()
    arguments = {"actor": manager, "case": case, "room": room, **change(working_day())}
    _refused(field, lambda: book(**arguments))


def test_a_room_is_closed_on_a_public_holiday_and_open_the_next_working_day():
    import holidays

    from punte.hearings import schedule

    room = make_room(weekdays=range(7))
    year = timezone.localdate().year + 1
    weekday_holiday = min(
        day for day in holidays.country_holidays("RO", years=year) if day.weekday() < 5
    )
    assert schedule.opening_windows(room, weekday_holiday) == []
    assert schedule.opening_windows(room, working_day(400)) != []


def test_an_overlapping_booking_of_the_room_is_refused_with_409_and_the_times(child_case):
    case, manager = child_case
    room = make_room()
    day = working_day()
    book(actor=manager, case=case, room=room, start=at(day, 10), minutes=60)
    other_case = open_case(is_child=True)
    other_manager = other_case.created_by.memberships.get()
    refused = _refused(
        "starts_at",
        lambda: book(actor=other_manager, case=other_case, room=room, start=at(day, 10, 30)),
    )
    assert refused.status == 409
    # Back to back is not an overlap.
    book(actor=other_manager, case=other_case, room=room, start=at(day, 11))


def test_a_participant_cannot_be_in_two_rooms_at_once(child_case):
    case, manager = child_case
    prosecutor, _member = team_member(case, manager=manager)
    day = working_day()
    book(
        actor=manager,
        case=case,
        room=make_room(),
        start=at(day, 10),
        people=[(manager, "social_worker"), (prosecutor, "prosecutor")],
    )
    other_case = open_case(is_child=True)
    other_manager = other_case.created_by.memberships.get()
    # The same prosecutor (user) on the other case's team, through another membership.
    second_membership = MembershipFactory(
        user=prosecutor.user,
        organisation=OrganisationFactory(type=OrganisationType.PROSECUTION),
        role_code="prosecutor",
    )
    from punte.cases import services as case_services

    case_services.team_member_add(
        actor=other_manager,
        case_id=other_case.pk,
        membership_id=second_membership.pk,
        role="prosecutor",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    refused = _refused(
        "participants",
        lambda: book(
            actor=other_manager,
            case=other_case,
            room=make_room(),
            start=at(day, 10, 30),
            people=[(other_manager, "social_worker"), (second_membership, "prosecutor")],
        ),
    )
    assert refused.status == 409
    assert prosecutor.user.get_full_name() in refused.message


def test_the_room_holds_the_child_and_at_most_capacity_minus_one_participants(child_case):
    case, manager = child_case
    people = [(manager, "social_worker")] + [
        (team_member(case, manager=manager)[0], "prosecutor") for _ in range(2)
    ]
    _refused(
        "participants",
        lambda: book(
            actor=manager,
            case=case,
            room=make_room(capacity=3),
            start=at(working_day(), 10),
            people=people,
        ),
    )


def test_another_organisation_cannot_book_for_the_case(child_case):
    from django.http import Http404

    case, _manager = child_case
    outsider = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.CHILD_PROTECTION),
        role_code="child_protection_officer",
    )
    with pytest.raises(Http404):
        book(actor=outsider, case=case, room=make_room(), start=at(working_day(), 10))
    assert not Hearing.objects.exists()


def test_rescheduling_sends_an_update_and_a_cancellation_to_who_was_taken_off(child_case):
    case, manager = child_case
    prosecutor, _member = team_member(case, manager=manager)
    room = make_room()
    day = working_day()
    hearing = book(
        actor=manager,
        case=case,
        room=room,
        start=at(day, 10),
        people=[(manager, "social_worker"), (prosecutor, "prosecutor")],
    )
    mail.outbox.clear()
    services.hearing_reschedule(
        actor=manager,
        hearing_id=hearing.pk,
        room_id=room.pk,
        starts_at=at(day, 14),
        ends_at=at(day, 15),
        participants=[services.ParticipantIn(manager.pk, "social_worker")],
    )
    hearing.refresh_from_db()
    assert hearing.sequence == 1
    assert hearing.participants.count() == 1
    ((_m, update),) = _invitations("REQUEST")
    assert next(iter(update.walk("VEVENT")))["SEQUENCE"] == 1
    ((cancelled_mail, cancellation),) = _invitations("CANCEL")
    assert cancelled_mail.to == [prosecutor.user.email]
    assert str(next(iter(cancellation.walk("VEVENT")))["STATUS"]) == "CANCELLED"
    assert AuditEvent.objects.filter(action="hearing.rescheduled").count() == 1


def test_cancelling_needs_a_reason_frees_the_room_and_tells_everyone(child_case):
    case, manager = child_case
    room = make_room()
    day = working_day()
    hearing = book(actor=manager, case=case, room=room, start=at(day, 10))
    _refused(
        "reason",
        lambda: services.hearing_cancel(actor=manager, hearing_id=hearing.pk, reason="bored"),
    )
    mail.outbox.clear()
    services.hearing_cancel(actor=manager, hearing_id=hearing.pk, reason="child_unavailable")
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.CANCELLED
    assert not hearing.participants.filter(is_active=True).exists()
    assert len(_invitations("CANCEL")) == 1
    with pytest.raises(ServiceError) as again:
        services.hearing_cancel(actor=manager, hearing_id=hearing.pk, reason="child_unavailable")
    assert again.value.status == 409
    book(actor=manager, case=case, room=room, start=at(day, 10))


def test_a_closed_case_takes_no_booking(child_case):
    from punte.cases.models import Case, CaseStatus

    case, manager = child_case
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    _refused(
        "case",
        lambda: book(actor=manager, case=case, room=make_room(), start=at(working_day(), 10)),
    )
