"""The demo holds a few cases with teams and services, and loading it again adds nothing."""

import io

import pytest
from django.core.management import call_command

from punte.cases.models import Case, CaseService, TeamMember

pytestmark = pytest.mark.django_db


def test_the_demo_has_cases_with_teams_and_delivered_services(settings):
    settings.PUNTE_DEMO = True
    call_command("load_demo", "--no-qr", stdout=io.StringIO())
    child_case = Case.objects.get(is_child=True)
    assert child_case.owner_organisation.code == "dgaspc-cj"
    assert child_case.team.count() == 3
    assert child_case.plan_versions.count() == 2
    assert CaseService.objects.filter(status="delivered").count() >= 1
    counts = (Case.objects.count(), TeamMember.objects.count(), CaseService.objects.count())
    call_command("load_demo", "--no-qr", stdout=io.StringIO())
    assert (Case.objects.count(), TeamMember.objects.count(), CaseService.objects.count()) == (
        counts
    )
