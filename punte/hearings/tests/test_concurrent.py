"""Two bookings racing for one slot on PostgreSQL: exactly one wins. And the exclusion
constraints hold even for writes that bypass the service."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from punte.cases.tests.factories import open_case, team_member
from punte.hearings.models import Hearing, HearingParticipant
from punte.hearings.tests.factories import at, make_room, working_day
from punte.testing.api import ApiClient
from punte.testing.concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(calls):
    return run_together(calls)


def _body(room, start, member, role="social_worker"):
    return {
        "room_id": str(room.pk),
        "purpose": "hearing",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        "participants": [{"membership_id": str(member.pk), "role": role}],
    }


def test_two_bookings_of_one_room_at_once_exactly_one_wins():
    room = make_room()
    start = at(working_day(), 10)
    first_case, second_case = open_case(is_child=True), open_case(is_child=True)
    first = first_case.created_by.memberships.get()
    second = second_case.created_by.memberships.get()
    clients = [(ApiClient(first), first_case, first), (ApiClient(second), second_case, second)]
    responses = _together(
        [
            (lambda c=c, k=k, m=m: c.post(f"/cases/{k.pk}/hearings", _body(room, start, m)))
            for c, k, m in clients
        ]
    )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.content for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["errors"][0]["field"] == "starts_at"
    assert Hearing.objects.filter(room=room).count() == 1


def test_one_person_booked_in_two_rooms_at_once_exactly_one_wins():
    start = at(working_day(), 10)
    first_case, second_case = open_case(is_child=True), open_case(is_child=True)
    first = first_case.created_by.memberships.get()
    second = second_case.created_by.memberships.get()
    prosecutor, _m = team_member(first_case, manager=first)
    from punte.cases import services as case_services

    case_services.team_member_add(
        actor=second,
        case_id=second_case.pk,
        membership_id=prosecutor.pk,
        role="prosecutor",
        starts_on=start.date(),
        ends_on=start.date() + datetime.timedelta(days=5),
    )
    rooms = [make_room(), make_room()]
    calls = []
    for client_of, case, room in ((first, first_case, rooms[0]), (second, second_case, rooms[1])):
        client = ApiClient(client_of)
        body = _body(room, start, prosecutor, "prosecutor")
        calls.append(lambda c=client, k=case, b=body: c.post(f"/cases/{k.pk}/hearings", b))
    responses = _together(calls)
    assert sorted(r.status_code for r in responses) == [201, 409], [r.content for r in responses]
    assert HearingParticipant.objects.filter(membership=prosecutor, is_active=True).count() == 1


def test_the_database_refuses_an_overlap_written_around_the_service():
    room = make_room()
    case = open_case(is_child=True)
    start = at(working_day(), 10)
    fields = {
        "room": room,
        "case": case,
        "organisation": case.owner_organisation,
        "purpose": "hearing",
    }
    Hearing.objects.create(starts_at=start, ends_at=start + datetime.timedelta(hours=1), **fields)
    with pytest.raises(IntegrityError, match="hearing_room_no_overlap"), transaction.atomic():
        Hearing.objects.create(
            starts_at=start + datetime.timedelta(minutes=30),
            ends_at=start + datetime.timedelta(hours=2),
            **fields,
        )
    # A cancelled hearing does not hold the room.
    Hearing.objects.filter(room=room).update(status="cancelled")
    Hearing.objects.create(starts_at=start, ends_at=start + datetime.timedelta(hours=1), **fields)
