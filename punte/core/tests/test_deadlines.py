"""Deadlines in hours, calendar days and working days, in the Europe/Bucharest calendar."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from freezegun import freeze_time

from punte.core.deadlines import Deadline, due, is_working_day

BUCHAREST = ZoneInfo("Europe/Bucharest")


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BUCHAREST)


def test_the_calendar_is_the_projects():
    from django.conf import settings

    assert str(BUCHAREST) == settings.TIME_ZONE


@pytest.mark.parametrize(
    "start, rule, expected",
    [
        # Friday 10:00 + 72 hours: the weekend counts.
        (local(2026, 11, 27, 10), Deadline(72, "hours"), local(2026, 11, 30, 10)),
        # Friday 10:00 + 1 working day: Monday; + 2: Thursday, over 30 November and 1 December.
        (local(2026, 11, 20, 10), Deadline(1, "working_days"), local(2026, 11, 23, 10)),
        (local(2026, 11, 27, 10), Deadline(2, "working_days"), local(2026, 12, 3, 10)),
        # Orthodox Easter 2026 (12 April): Good Friday, Easter Sunday and Monday are holidays.
        (local(2026, 4, 9, 15), Deadline(1, "working_days"), local(2026, 4, 14, 15)),
        # A step opened on a holiday counts from the following days.
        (local(2026, 12, 1, 8, 30), Deadline(1, "working_days"), local(2026, 12, 2, 8, 30)),
        (local(2026, 11, 28, 10), Deadline(1, "working_days"), local(2026, 12, 2, 10)),
        # Christmas and New Year.
        (local(2026, 12, 24, 9), Deadline(3, "working_days"), local(2026, 12, 30, 9)),
        (local(2026, 12, 31, 9), Deadline(1, "working_days"), local(2027, 1, 4, 9)),
        (local(2026, 11, 27, 10), Deadline(30, "calendar_days"), local(2026, 12, 27, 10)),
    ],
)
def test_the_rule_gives_the_instant(start, rule, expected):
    assert due(start, rule) == expected


def test_holidays_are_romanias():
    assert not is_working_day(datetime.date(2026, 12, 1))  # National Day
    assert not is_working_day(datetime.date(2026, 4, 13))  # Orthodox Easter Monday
    assert not is_working_day(datetime.date(2026, 6, 1))  # Children's Day, Pentecost Monday
    assert is_working_day(datetime.date(2026, 4, 6))  # Western Easter Monday: a working day


def test_at_the_change_to_summer_time():
    # Saturday 28 March 2026, 10:00 (UTC+2); clocks go forward on Sunday at 03:00.
    start = local(2026, 3, 28, 10)
    assert start.utcoffset() == datetime.timedelta(hours=2)
    # Hours and calendar days are elapsed time: the local clock shows one hour more.
    assert due(start, Deadline(24, "hours")) == local(2026, 3, 29, 11)
    assert due(start, Deadline(2, "calendar_days")) == local(2026, 3, 30, 11)
    # Working days keep the clock time, in summer time.
    monday = due(start, Deadline(1, "working_days"))
    assert monday == local(2026, 3, 30, 10)
    assert monday.astimezone(BUCHAREST).utcoffset() == datetime.timedelta(hours=3)


def test_at_the_change_to_winter_time():
    # Friday 23 October 2026, 16:00 (UTC+3); clocks go back on Sunday 25 October at 04:00.
    start = local(2026, 10, 23, 16)
    assert due(start, Deadline(72, "hours")) == local(2026, 10, 26, 15)
    assert due(start, Deadline(1, "working_days")) == local(2026, 10, 26, 16)


def test_the_working_day_is_the_calendars_not_utcs():
    # Sunday 23:30 UTC is already Monday 01:30 in Bucharest: Monday is the start day.
    start = datetime.datetime(2026, 11, 22, 23, 30, tzinfo=datetime.UTC)
    assert due(start, Deadline(1, "working_days")) == local(2026, 11, 24, 1, 30)
    # The instant comes back in the start's timezone, as stored and audited.
    assert due(start, Deadline(1, "working_days")).tzinfo == datetime.UTC


def test_from_now():
    with freeze_time("2026-11-27 08:00:00"):  # Friday 10:00 in Bucharest
        assert due(timezone.now(), Deadline(2, "working_days")) == local(2026, 12, 3, 10)


@pytest.mark.parametrize(
    "amount, unit", [(0, "hours"), (-1, "working_days"), (True, "hours"), (1, "weeks")]
)
def test_a_malformed_rule_is_refused(amount, unit):
    with pytest.raises(ValueError):
        Deadline(amount, unit)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError):
        due(datetime.datetime(2026, 11, 27, 10), Deadline(1, "hours"))
