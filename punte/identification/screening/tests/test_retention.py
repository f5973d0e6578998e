import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from punte.accounts.tests.factories import MembershipFactory
from punte.core import retention
from punte.identification.persons.models import Person
from punte.identification.screening.models import ConsentEvent, ReflectionPeriodEvent, Screening
from punte.identification.screening.services import consent, decisions, screening
from punte.identification.screening.tests.factories import (
    foreign_person,
    make_competent,
    running_period,
    start_screening,
)

pytestmark = pytest.mark.django_db
NAMES = {
    "identification.screening.clear_notes",
    "identification.consent_event.clear_notes",
    "identification.reflection_period_event.clear_reasons",
}


def _apply(now):
    for rule in retention.discover():
        if rule.name in NAMES:
            list(retention.apply(rule, now))


def test_free_text_about_an_archived_person_is_cleared_with_the_person(settings):
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    worker = MembershipFactory(role_code="ngo_caseworker")
    person = foreign_person(prosecutor)
    kept = foreign_person(prosecutor)
    for who in (person, kept):
        draft = start_screening(worker, who)
        screening.screening_suspend(
            actor=worker, screening=draft, reason="other", note="Said her name is Ana"
        )
        consent.consent_record(
            actor=worker,
            person=who,
            purpose="referral",
            decision="refused",
            decided_on=timezone.localdate(),
            rights_language="ro",
            note="Brother Ion waits outside",
        )
        period = running_period(who, days=30, actor=prosecutor)
        decisions.reflection_period_terminate(
            actor=prosecutor, period=period, on=timezone.localdate(), reason="Left with Ion"
        )
    Person.objects.filter(pk=person.pk).update(archived_at=timezone.now())
    days = settings.PUNTE_RETENTION_PERSON_ANONYMISE_DAYS
    _apply(timezone.now() + datetime.timedelta(days=days - 1))
    assert Screening.objects.get(person=person).draft_note == "Said her name is Ana"
    with freeze_time(timezone.now() + datetime.timedelta(days=days + 1)):
        _apply(timezone.now())
    assert Screening.objects.get(person=person).draft_note is None
    assert Screening.objects.get(person=person).draft_reason == "other"
    assert ConsentEvent.objects.get(person=person).note is None
    assert ConsentEvent.objects.get(person=person).decision == "refused"
    assert (
        not ReflectionPeriodEvent.objects.filter(period__person=person)
        .exclude(reason__isnull=True)
        .exists()
    )
    # The person still in use keeps everything.
    assert Screening.objects.get(person=kept).draft_note == "Said her name is Ana"
    assert ConsentEvent.objects.get(person=kept).note == "Brother Ion waits outside"
