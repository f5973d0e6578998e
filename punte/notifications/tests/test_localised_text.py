"""A notification's dates and counts are written in each reader's language, on the page and in
the e-mail, whatever language the act that caused it was done in."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.screening.services.decisions import REMINDER_MESSAGE
from punte.notifications.services import notify

pytestmark = pytest.mark.django_db

DUE = datetime.datetime(2026, 12, 7, 12, 5, tzinfo=datetime.UTC)  # 14:05 in Bucharest
REFERRAL = "New referral (%(purpose)s) from %(organisation)s: answer by %(due)s."


def _notify(message, params, **kwargs):
    with translation.override("ro"):  # the act was done in Romanian
        return notify(kind="test.event", message=message, params=params, **kwargs)[0]


@pytest.mark.parametrize(
    ("language", "due"),
    [("ro", "07.12.2026 14:05"), ("uk", "07.12.2026 (14:05)"), ("en", "7 December 2026 (14:05)")],
)
def test_a_moment_is_written_in_the_reader_s_form(language, due):
    row = _notify(
        REFERRAL,
        {"purpose": "x", "organisation": "DGASPC Cluj", "due": DUE},
        recipients=[MembershipFactory()],
        email=False,
    )
    assert row.params["due"] == {"datetime": DUE.isoformat()}
    with translation.override(language):
        assert due in row.text
        assert "2026-12-07" not in row.text


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("en", 1, "A recovery and reflection period ends on 8 December 2026, in 1 day."),
        ("en", 3, "A recovery and reflection period ends on 8 December 2026, in 3 days."),
        ("ro", 1, "08.12.2026, peste 1 zi."),
        ("ro", 3, "08.12.2026, peste 3 zile."),
        ("ro", 20, "08.12.2026, peste 20 de zile."),
        ("uk", 1, "08.12.2026, через 1 день."),
        ("uk", 3, "08.12.2026, через 3 дні."),
        ("uk", 14, "08.12.2026, через 14 днів."),
        ("uk", 21, "08.12.2026, через 21 день."),
    ],
)
def test_a_count_takes_the_reader_s_plural_form(language, days, expected):
    row = _notify(
        REMINDER_MESSAGE,
        {"ends_on": datetime.date(2026, 12, 8), "days": days},
        recipients=[MembershipFactory()],
        email=False,
    )
    with translation.override(language):
        assert row.text.endswith(expected)


def test_the_e_mail_is_written_in_the_recipient_s_language(django_capture_on_commit_callbacks):
    member = MembershipFactory()
    member.user.preferred_language = "uk"
    member.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(
            REMINDER_MESSAGE,
            {"ends_on": datetime.date(2026, 12, 8), "days": 3},
            recipients=[member],
        )
    assert "08.12.2026, через 3 дні." in mail.outbox[0].body


def test_a_plural_message_needs_its_count_parameter():
    with pytest.raises(ValueError):
        _notify(
            REMINDER_MESSAGE,
            {"ends_on": datetime.date(2026, 12, 8), "days": "3"},
            recipients=[MembershipFactory()],
        )
