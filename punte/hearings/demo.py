"""Synthetic hearing rooms for the demo (a demo step, core.contract): the 47 rooms the seed
names, one in every county and more where most children are heard, with invented addresses;
and, where the demo holds a child's case with a team, a hearing booked through the service.

Idempotent: rooms are matched by name, and a case that already has a hearing is left alone.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from punte.accounts.models import Organisation
from punte.cases.models import ACTIVE_STATUSES, Case, TeamMember
from punte.core.contract import DemoStep
from punte.core.deadlines import is_working_day
from punte.core.models import County
from punte.hearings import services
from punte.hearings.models import Hearing, HearingPurpose, HearingRoom, OpeningHours

# Counties with a second room (the largest cities, where most children are heard), and
# Bucharest's third: 42 + 5 = 47.
_EXTRA_ROOMS = {"RO-B": 2, "RO-CJ": 1, "RO-IS": 1, "RO-TM": 1}
_WEEKDAYS_8_TO_16 = [(day, datetime.time(8), datetime.time(16)) for day in range(5)]
_SATURDAY_MORNING = [(5, datetime.time(9), datetime.time(13))]


def _manager(county_code: str, organisations: dict[str, Organisation]) -> Organisation:
    """The county's child-protection directorate where the demo has one, else the national
    agency's regional centre of the county, else the national agency."""
    for organisation in organisations.values():
        if organisation.county_id == county_code and organisation.type == "child_protection":
            return organisation
    for organisation in organisations.values():
        if organisation.county_id == county_code and organisation.code.startswith("anitp-cr-"):
            return organisation
    return organisations["anitp"]


def rooms() -> int:
    organisations = {o.code: o for o in Organisation.objects.all()}
    made = 0
    index = 0
    for county in County.objects.order_by("code"):
        for number in range(1 + _EXTRA_ROOMS.get(county.code, 0)):
            index += 1
            suffix = f" {number + 1}" if number else ""
            name = f"Camera de audiere a copilului {county.name}{suffix}"
            if HearingRoom.objects.filter(name=name).exists():
                continue
            room = HearingRoom.objects.create(
                name=name,
                county=county,
                address=f"Strada Exemplului {index}, {county.name} (adresă fictivă)",
                managing_organisation=_manager(county.code, organisations),
                has_video_recording=index % 5 != 0,
                has_one_way_mirror=index % 3 != 0,
                has_child_friendly_furnishing=True,
                is_step_free=index % 4 != 1,
                accessibility_notes=""
                if index % 4 != 1
                else "Intrare cu o treaptă; rampă mobilă la cerere.",
                capacity=6 if index % 2 else 8,
            )
            windows = _WEEKDAYS_8_TO_16 + (
                _SATURDAY_MORNING if number == 0 and index % 6 == 0 else []
            )
            OpeningHours.objects.bulk_create(
                OpeningHours(room=room, weekday=day, opens=opens, closes=closes)
                for day, opens, closes in windows
            )
            made += 1
    return made


def _next_working_morning() -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=2)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def hearing_for_a_child_case(memberships) -> None:
    """Book one hearing for the first child's case with a team, by its case manager."""
    case = (
        Case.objects.filter(is_child=True, status__in=ACTIVE_STATUSES, hearings__isnull=True)
        .filter(team__isnull=False)
        .select_related("owner_organisation")
        .order_by("created_at")
        .first()
    )
    if case is None or Hearing.objects.filter(case=case).exists():
        return
    booker = next(
        (
            m
            for m in memberships.values()
            if m.organisation_id == case.owner_organisation_id and m.has_perm("hearing.book")
        ),
        None,
    )
    if booker is None:
        return
    today = timezone.localdate()
    team = TeamMember.objects.filter(TeamMember.in_force_q(today), case=case)
    people = [services.ParticipantIn(booker.pk, "social_worker")] + [
        services.ParticipantIn(member.membership_id, member.role)
        for member in team
        if member.membership_id != booker.pk
    ]
    room = HearingRoom.objects.filter(county_id=case.county_id).order_by("name").first()
    if room is None:
        return
    starts_at = _next_working_morning()
    services.hearing_book(
        actor=booker,
        case_id=case.pk,
        room_id=room.pk,
        purpose=HearingPurpose.HEARING,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1, minutes=30),
        participants=people[:5],
        notes="Copilul preferă să fie însoțit de asistenta socială; pauză după 45 de minute.",
    )


@transaction.atomic
def _step(context) -> None:
    rooms()
    hearing_for_a_child_case(context.memberships)


DEMO = [DemoStep("hearings", 70, _step)]
