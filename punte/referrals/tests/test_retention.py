"""A referral is kept as evidence; its free text goes with the person's anonymisation."""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from punte.core import retention
from punte.identification.persons.models import Person
from punte.referrals.models import Referral, ReferralEvent
from punte.referrals.tests.factories import RejectedReferralFactory

pytestmark = pytest.mark.django_db
NAMES = {"referrals.referral.clear_notes", "referrals.referral_event.clear_reasons"}


def _apply(now):
    for rule in retention.discover():
        if rule.name in NAMES:
            list(retention.apply(rule, now))


def test_the_reasons_of_an_archived_persons_referral_are_cleared_and_the_referral_kept(settings):
    archived, in_use = RejectedReferralFactory(), RejectedReferralFactory()
    Person.objects.filter(pk=archived.person_id).update(archived_at=timezone.now())
    days = settings.PUNTE_RETENTION_PERSON_ANONYMISE_DAYS

    def reasons(referral):
        events = ReferralEvent.objects.filter(referral=referral)
        return [event.reason for event in events if event.reason]

    _apply(timezone.now() + datetime.timedelta(days=days - 1))
    assert reasons(archived) == ["No place left in the shelter this month."]
    with freeze_time(timezone.now() + datetime.timedelta(days=days + 1)):
        _apply(timezone.now())
    assert reasons(archived) == []
    assert Referral.objects.get(pk=archived.pk).status == "rejected"
    assert reasons(in_use) == ["No place left in the shelter this month."]
