"""Dates and moments in each language's usual form (punte/formats), the same by every name."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format

MOMENT = datetime.datetime(2026, 12, 7, 12, 5, tzinfo=datetime.UTC)  # 14:05 in Bucharest


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("ro", "07.12.2026", "07.12.2026 14:05"),
        ("uk", "07.12.2026", "07.12.2026 (14:05)"),
        ("en", "7 December 2026", "7 December 2026 (14:05)"),
    ],
)
def test_each_language_writes_a_day_and_a_moment_one_way(language, day, moment):
    template = Template(
        '{{ m|date:"DATE_FORMAT" }}|{{ m|date:"SHORT_DATE_FORMAT" }}|{{ d|date:"DATE_FORMAT" }}|'
        '{{ m|date:"DATETIME_FORMAT" }}|{{ m|date:"SHORT_DATETIME_FORMAT" }}|{{ m|time }}'
    )
    with translation.override(language), timezone.override("Europe/Bucharest"):
        out = template.render(Context({"m": MOMENT, "d": MOMENT.date()}))
        assert out.split("|") == [day, day, day, moment, moment, "14:05"]
        assert date_format(timezone.localtime(MOMENT), "DATETIME_FORMAT") == moment
        assert time_format(timezone.localtime(MOMENT), "TIME_FORMAT") == "14:05"
