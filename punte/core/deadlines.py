"""One place that turns a deadline rule into an instant: hours, calendar days or working days.

A rule is data (`Deadline(amount=5, unit="working_days")`), read from an app's rules file or
declared in its code; the instant is computed from the event that opened the step, never entered
by hand.

- `hours`: elapsed time (72 hours from Friday 10:00 is Monday 10:00, weekends count).
- `calendar_days`: elapsed days of 24 hours, as referrals have always counted them; across a
  change to or from summer time the local clock time of the deadline moves by that hour.
- `working_days`: Monday to Friday but Romania's public holidays (the `holidays` library:
  Orthodox Easter and Pentecost, 1 December, ...), counted in the Europe/Bucharest calendar
  from the day after the start, due at the start's local clock time on the last one. A step
  opened on a weekend or holiday counts from the next days all the same: 1 working day from
  Saturday 10:00 is Monday 10:00.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

CALENDAR = ZoneInfo("Europe/Bucharest")
Unit = Literal["hours", "calendar_days", "working_days"]
UNITS: tuple[str, ...] = ("hours", "calendar_days", "working_days")


@dataclass(frozen=True)
class Deadline:
    amount: int
    unit: Unit

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"Unknown deadline unit {self.unit!r}; expected one of {UNITS}.")
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount <= 0:
            raise ValueError(f"A deadline is a positive whole number, not {self.amount!r}.")


@functools.lru_cache(maxsize=8)
def _public_holidays(year: int) -> holidays.HolidayBase:
    # Years beyond `year` are added on lookup (the library expands as a date asks for them); a
    # copy per starting year keeps concurrent requests from growing one shared instance.
    return holidays.country_holidays("RO", years=year)


def is_working_day(day: datetime.date) -> bool:
    return _public_holidays(day.year).is_working_day(day)


def due(start: datetime.datetime, rule: Deadline) -> datetime.datetime:
    """The instant the step opened at `start` (timezone-aware) falls due under `rule`."""
    if start.tzinfo is None:
        raise ValueError("A deadline counts from a timezone-aware instant.")
    if rule.unit in ("hours", "calendar_days"):
        hours = rule.amount * (24 if rule.unit == "calendar_days" else 1)
        # In UTC: Python adds a timedelta to a zoned datetime on the wall clock, which would
        # make a step crossing a change of summer time an hour too long or too short.
        elapsed = start.astimezone(datetime.UTC) + datetime.timedelta(hours=hours)
        return elapsed.astimezone(start.tzinfo)
    local = start.astimezone(CALENDAR)
    day = _public_holidays(local.year).get_nth_working_day(local.date(), rule.amount)
    # The same clock time on that day, in that day's offset (summer or winter time).
    at = datetime.datetime.combine(day, local.time(), tzinfo=CALENDAR)
    return at.astimezone(start.tzinfo)
