"""The first free slot: opening hours, the room's bookings and every participant's, in order."""

import datetime

import pytest
from django.utils import timezone

from punte.cases.tests.factories import open_case, team_member
from punte.hearings import schedule
from punte.hearings.tests.factories import at, book, make_room, working_day

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    monkeypatch.setattr("punte.hearings.invitations.transaction.on_commit", lambda c, robust: None)


def _case():
    case = open_case(is_child=True)
    return case, case.created_by.memberships.get()


def test_the_first_slot_is_the_next_quarter_hour_within_opening_hours():
    room = make_room()
    day = working_day()
    slot = schedule.first_free_slot(
        rooms=[room], user_ids=[], duration=HOUR, not_before=at(day, 10, 7)
    )
    assert (slot.room, slot.starts_at) == (room, at(day, 10, 15))


def test_a_slot_too_late_in_the_day_moves_to_the_next_opening():
    room = make_room(weekdays=range(7))
    day = working_day()
    slot = schedule.first_free_slot(
        rooms=[room], user_ids=[], duration=2 * HOUR, not_before=at(day, 15, 30)
    )
    assert slot.starts_at.date() > day
    assert timezone.localtime(slot.starts_at).time() == datetime.time(9)


def test_booked_rooms_and_busy_participants_are_skipped_and_the_earliest_room_wins():
    case, manager = _case()
    prosecutor, _member = team_member(case, manager=manager)
    first, second = make_room(name="A"), make_room(name="B")
    day = working_day()
    book(actor=manager, case=case, room=first, start=at(day, 9), minutes=120)
    slot = schedule.first_free_slot(
        rooms=[first, second], user_ids=[], duration=HOUR, not_before=at(day, 9)
    )
    assert (slot.room, slot.starts_at) == (second, at(day, 9))
    # The prosecutor is at the first room's hearing until 11:00, so neither room suits before.
    slot = schedule.first_free_slot(
        rooms=[first, second], user_ids=[manager.user_id], duration=HOUR, not_before=at(day, 9)
    )
    assert slot.starts_at == at(day, 11)
    assert prosecutor.user_id != manager.user_id


def test_no_slot_when_no_room_is_open_within_the_horizon():
    room = make_room(weekdays=[])
    assert (
        schedule.first_free_slot(
            rooms=[room], user_ids=[], duration=HOUR, not_before=timezone.now()
        )
        is None
    )


def test_rooms_are_filtered_by_every_piece_of_equipment_asked_for():
    from punte.hearings.models import HearingRoom

    with_video = make_room(video=True, has_one_way_mirror=True)
    make_room(video=False, has_one_way_mirror=True)
    found = HearingRoom.objects.filter(schedule.rooms_with(["video_recording", "one_way_mirror"]))
    assert list(found) == [with_video]
