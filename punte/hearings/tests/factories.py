"""Hearing rooms and hearings for tests, made through the services as in real use."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punte.accounts.tests.factories import OrganisationFactory
from punte.core.deadlines import is_working_day
from punte.hearings import services
from punte.hearings.models import HearingRoom, OpeningHours

NINE = datetime.time(9)
FIVE_PM = datetime.time(17)


def make_room(
    *,
    county="RO-CJ",
    name=None,
    video=True,
    capacity=6,
    weekdays=range(5),
    opens=NINE,
    closes=FIVE_PM,
    **fields,
) -> HearingRoom:
    room = HearingRoom.objects.create(
        name=name or f"Camera de audiere {HearingRoom.objects.count() + 1}",
        county_id=county,
        address="Strada Exemplului 1 (adresă fictivă)",
        managing_organisation=OrganisationFactory(),
        has_video_recording=video,
        capacity=capacity,
        **fields,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(room=room, weekday=day, opens=opens, closes=closes) for day in weekdays
    )
    return room


def working_day(after_days: int = 3) -> datetime.date:
    """A working day (no weekend, no public holiday) at least `after_days` from today."""
    day = timezone.localdate() + datetime.timedelta(days=after_days)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def book(*, actor, case, room, start, minutes=60, people=None, purpose="hearing", notes=""):
    participants = people if people is not None else [(actor, "social_worker")]
    return services.hearing_book(
        actor=actor,
        case_id=case.pk,
        room_id=room.pk,
        purpose=purpose,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=minutes),
        participants=[services.ParticipantIn(m.pk, role) for m, role in participants],
        notes=notes,
    )
