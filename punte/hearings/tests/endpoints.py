"""Every hearings endpoint in the permission matrix (punte.testing.permission_matrix).

`owner` manages a case (made through the cases services); a hearing is booked for it by the
owner, with the owner as its participant. Rooms are national reference data: their endpoints
answer by permission alone (UNSCOPED).
"""

from __future__ import annotations

import datetime
import itertools

from punte.accounts.tests.factories import OrganisationFactory
from punte.cases.tests.factories import open_case
from punte.hearings.tests.factories import at, book, make_room, working_day
from punte.testing.permission_matrix import CREATE, OBJECT, UNSCOPED, Endpoint


def _case(owner):
    case = open_case(manager=owner)
    case.matrix_room = make_room(county=case.county_id)
    case.matrix_owner = owner
    return case


# Every hearing the matrix books, moves to or asks for lies at a time of its own: one owner may
# hold several, and nobody is in two hearings at once.
def _working_days():
    seen = set()
    for offset in itertools.count(3):
        day = working_day(offset)
        if day not in seen:
            seen.add(day)
            yield day


_DAYS = _working_days()


def _free_time(hour: int) -> datetime.datetime:
    return at(next(_DAYS), hour)


def _hearing(owner):
    case = open_case(manager=owner)
    hearing = book(
        actor=owner, case=case, room=make_room(county=case.county_id), start=_free_time(10)
    )
    hearing.matrix_owner = owner
    return hearing


def _room(owner):
    return make_room()


def _booking(case):
    start = _free_time(11)
    return {
        "room_id": str(case.matrix_room.pk),
        "purpose": "hearing",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        "participants": [{"membership_id": str(case.matrix_owner.pk), "role": "social_worker"}],
    }


def _moved(hearing):
    start = _free_time(14)
    return {
        "room_id": str(hearing.room_id),
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        "participants": [{"membership_id": str(hearing.matrix_owner.pk), "role": "social_worker"}],
    }


def _room_body(room=None):
    return {
        "name": "Camera de audiere de test",
        "county": "RO-CJ",
        "address": "Strada Exemplului 2 (adresă fictivă)",
        "managing_organisation_id": str(OrganisationFactory().pk),
        "equipment": ["video_recording"],
        "capacity": 6,
        "opening_hours": [{"weekday": 0, "opens": "09:00", "closes": "17:00"}],
    }


ENDPOINTS = [
    Endpoint(
        name="hearing_room.get",
        method="GET",
        kind=UNSCOPED,
        permission="hearing_room.view",
        path=lambda r: f"/hearing-rooms/{r.pk}",
        make_record=_room,
    ),
    Endpoint(
        name="hearing_room.week",
        method="GET",
        kind=UNSCOPED,
        permission="hearing_room.view",
        path=lambda r: f"/hearing-rooms/{r.pk}/week",
        make_record=_room,
    ),
    Endpoint(
        name="hearing_room.update",
        method="PUT",
        kind=UNSCOPED,
        permission="hearing_room.manage",
        path=lambda r: f"/hearing-rooms/{r.pk}",
        make_record=_room,
        body=_room_body,
    ),
    Endpoint(
        name="hearing_room.create",
        method="POST",
        kind=CREATE,
        permission="hearing_room.manage",
        path=lambda r: "/hearing-rooms",
        body=_room_body,
        success_status=201,
    ),
    Endpoint(
        name="case.hearings",
        method="GET",
        kind=OBJECT,
        permission="hearing.view",
        path=lambda c: f"/cases/{c.pk}/hearings",
        make_record=_case,
    ),
    Endpoint(
        name="case.hearings.book",
        method="POST",
        kind=OBJECT,
        permission="hearing.book",
        path=lambda c: f"/cases/{c.pk}/hearings",
        make_record=_case,
        body=_booking,
        success_status=201,
    ),
    Endpoint(
        name="hearing.get",
        method="GET",
        kind=OBJECT,
        permission="hearing.view",
        path=lambda h: f"/hearings/{h.pk}",
        make_record=_hearing,
    ),
    Endpoint(
        name="hearing.reschedule",
        method="POST",
        kind=OBJECT,
        permission="hearing.book",
        path=lambda h: f"/hearings/{h.pk}/reschedule",
        make_record=_hearing,
        body=_moved,
    ),
    Endpoint(
        name="hearing.cancel",
        method="POST",
        kind=OBJECT,
        permission="hearing.book",
        path=lambda h: f"/hearings/{h.pk}/cancel",
        make_record=_hearing,
        body=lambda h: {"reason": "booked_in_error"},
    ),
]
