import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from punte.accounts.models import Membership
from punte.identification.screening import selectors
from punte.identification.screening.models import (
    AnonymousNotification,
    IdentificationDecision,
    ReflectionPeriod,
    Screening,
)

pytestmark = pytest.mark.django_db


def test_the_demo_shows_each_step_of_the_mechanism(settings):
    settings.PUNTE_DEMO = True
    call_command("load_demo", "--no-qr", stdout=io.StringIO())
    outcomes = sorted(Screening.objects.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes == ["insufficient_indications", "presumed_victim", "presumed_victim"]
    assert Screening.objects.filter(status="draft", draft_reason="interpreter_needed").count() == 1
    assert IdentificationDecision.objects.count() == 1
    period = ReflectionPeriod.objects.get()
    assert (period.ends_on - timezone.localdate()).days == 9
    assert AnonymousNotification.objects.count() == 1
    police = Membership.objects.get(user__username="police_investigator")
    assert [
        p.pk for p in selectors.reflection_periods_ending_for(actor=police, within_days=14)
    ] == [period.pk]
    assert selectors.screening_drafts_for(actor=police).count() == 1
    call_command("load_demo", "--no-qr", stdout=io.StringIO())
    assert Screening.objects.count() == 4
    assert IdentificationDecision.objects.count() == 1
