"""Time in hearing rooms: opening hours, busy times, the first free slot, a room's week.

Opening hours are Romanian local time (settings.TIME_ZONE); rooms are closed on public holidays
(core.deadlines). Busy intervals are half-open [start, end): one hearing may end as the next
begins. Slots start on a quarter hour.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from punte.core.deadlines import is_working_day
from punte.hearings.models import (
    EQUIPMENT_FIELDS,
    Hearing,
    HearingParticipant,
    HearingRoom,
    HearingStatus,
    OpeningHours,
)

SLOT_STEP = datetime.timedelta(minutes=15)
# How far ahead the slot finder looks before it answers that nothing is free.
SEARCH_HORIZON_DAYS = 42

Interval = tuple[datetime.datetime, datetime.datetime]


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def opening_windows(room: HearingRoom, day: datetime.date) -> list[Interval]:
    """The room's opening windows on a local calendar day, as aware datetimes."""
    if not is_working_day(day) and day.weekday() < 5:
        return []  # a public holiday on a weekday
    zone = local_zone()
    hours = _hours_of(room)
    return [
        (
            datetime.datetime.combine(day, window.opens, tzinfo=zone),
            datetime.datetime.combine(day, window.closes, tzinfo=zone),
        )
        for window in hours
        if window.weekday == day.weekday()
    ]


def _hours_of(room: HearingRoom) -> list[OpeningHours]:
    # Prefetched by the callers that look at many days; fetched once per room otherwise.
    cache = getattr(room, "_prefetched_objects_cache", {})
    if "opening_hours" in cache:
        return list(cache["opening_hours"])
    hours = getattr(room, "_opening_hours", None)
    if hours is None:
        hours = room._opening_hours = list(room.opening_hours.all())
    return hours


def within_opening_hours(room: HearingRoom, starts_at: datetime.datetime, ends_at) -> bool:
    local_start = starts_at.astimezone(local_zone())
    return any(
        opens <= starts_at and ends_at <= closes
        for opens, closes in opening_windows(room, local_start.date())
    )


def room_busy(
    room_ids: Iterable[uuid.UUID],
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    exclude_hearing: uuid.UUID | None = None,
) -> QuerySet[Hearing]:
    """Booked hearings in these rooms that overlap [start, end)."""
    busy = Hearing.objects.filter(
        room_id__in=list(room_ids),
        status=HearingStatus.BOOKED,
        starts_at__lt=end,
        ends_at__gt=start,
    )
    if exclude_hearing is not None:
        busy = busy.exclude(pk=exclude_hearing)
    return busy


def people_busy(
    user_ids: Iterable[int],
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    exclude_hearing: uuid.UUID | None = None,
) -> QuerySet[HearingParticipant]:
    """Participations of these people (users) in booked hearings that overlap [start, end)."""
    busy = HearingParticipant.objects.filter(
        user_id__in=list(user_ids), is_active=True, starts_at__lt=end, ends_at__gt=start
    )
    if exclude_hearing is not None:
        busy = busy.exclude(hearing_id=exclude_hearing)
    return busy


def rooms_with(equipment: Sequence[str]) -> Q:
    """Rooms that have every piece of equipment named (codes of EQUIPMENT_FIELDS)."""
    condition = Q(is_active=True, archived_at__isnull=True)
    for code in equipment:
        condition &= Q(**{EQUIPMENT_FIELDS[code]: True})
    return condition


@dataclass(frozen=True)
class Slot:
    room: HearingRoom
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def _ceil_to_step(moment: datetime.datetime) -> datetime.datetime:
    local = moment.astimezone(local_zone())
    floor = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
    return floor if floor == local else floor + SLOT_STEP


def _first_gap(
    window: Interval, busy: list[Interval], duration: datetime.timedelta, not_before
) -> datetime.datetime | None:
    start = _ceil_to_step(max(window[0], not_before))
    for busy_start, busy_end in sorted(busy):
        if start + duration <= busy_start:
            break
        if busy_end > start:
            start = _ceil_to_step(busy_end)
    return start if start + duration <= window[1] else None


def first_free_slot(
    *,
    rooms: Sequence[HearingRoom],
    user_ids: Sequence[int],
    duration: datetime.timedelta,
    not_before: datetime.datetime,
    horizon_days: int = SEARCH_HORIZON_DAYS,
) -> Slot | None:
    """The earliest slot, in any of `rooms`, when the room and every one of the people are free
    for `duration` within opening hours; ties go to the rooms' order. Two queries for the whole
    horizon (rooms' hearings, people's hearings), then arithmetic."""
    if not rooms:
        return None
    first_day = not_before.astimezone(local_zone()).date()
    horizon_end = datetime.datetime.combine(
        first_day + datetime.timedelta(days=horizon_days), datetime.time(), tzinfo=local_zone()
    )
    by_room: dict[uuid.UUID, list[Interval]] = {room.pk: [] for room in rooms}
    for room_id, start, end in room_busy(by_room, not_before, horizon_end).values_list(
        "room_id", "starts_at", "ends_at"
    ):
        by_room[room_id].append((start, end))
    people = list(
        people_busy(user_ids, not_before, horizon_end).values_list("starts_at", "ends_at")
    )
    for offset in range(horizon_days):
        day = first_day + datetime.timedelta(days=offset)
        best: Slot | None = None
        for room in rooms:
            for window in opening_windows(room, day):
                if window[1] <= not_before:
                    continue
                start = _first_gap(window, by_room[room.pk] + people, duration, not_before)
                if start is not None and (best is None or start < best.starts_at):
                    best = Slot(room=room, starts_at=start, ends_at=start + duration)
                    break
        if best is not None:
            return best
    return None


@dataclass(frozen=True)
class WeekDay:
    day: datetime.date
    windows: list[Interval]
    hearings: list[Hearing]


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """The Monday of `day`'s week and the week's bounds as aware local datetimes."""
    monday = day - datetime.timedelta(days=day.weekday())
    zone = local_zone()
    start = datetime.datetime.combine(monday, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(
        monday + datetime.timedelta(days=7), datetime.time(), tzinfo=zone
    )
    return monday, start, end


def week_days(
    monday: datetime.date, rooms: Sequence[HearingRoom], hearings: Sequence[Hearing]
) -> list[WeekDay]:
    """Seven days from `monday`, each with the rooms' opening windows and the day's hearings."""
    zone = local_zone()
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        windows = [w for room in rooms for w in opening_windows(room, day)]
        todays = [h for h in hearings if h.starts_at.astimezone(zone).date() == day]
        days.append(WeekDay(day=day, windows=sorted(windows), hearings=todays))
    return days
