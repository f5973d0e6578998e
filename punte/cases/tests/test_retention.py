"""A case is kept as evidence of the assistance given; its free text goes with the person's
anonymisation, and a case of a person still in use keeps it."""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from punte.cases import services
from punte.cases.models import Assessment, Case, FollowUp, PlanGoal, RestrictedNote
from punte.cases.tests.factories import manager_of, open_case
from punte.core import retention
from punte.identification.persons.models import Person

pytestmark = pytest.mark.django_db


def _apply(now):
    for rule in retention.discover():
        if rule.name.startswith("cases."):
            list(retention.apply(rule, now))


def _fill(case):
    manager = manager_of(case.owner_organisation, role_code="child_protection_supervisor")
    today = timezone.localdate()
    services.assessment_record(
        actor=manager,
        case_id=case.pk,
        assessed_on=today,
        needs={
            a: {"level": "low", "note": "Synthetic note"}
            for a in (
                "safety",
                "health",
                "psychological",
                "legal",
                "housing",
                "documents",
                "income",
                "family",
            )
        },
        retrafficking_risk="medium",
        risk_factors="Synthetic factors",
    )
    services.plan_save(
        actor=manager,
        case_id=case.pk,
        goals=[
            services.GoalInput(
                area="housing",
                goal="Synthetic goal",
                responsible_organisation_id=case.owner_organisation_id,
                starts_on=today,
                due_on=today,
            )
        ],
    )
    services.follow_up_schedule(
        actor=manager,
        case_id=case.pk,
        due_at=timezone.now() + datetime.timedelta(days=1),
        purpose="Synthetic visit",
    )
    services.restricted_note_add(
        actor=manager, case_id=case.pk, section="medical", text="Synthetic medical note"
    )


def test_an_archived_persons_case_text_is_cleared_and_the_case_kept(settings):
    archived, in_use = open_case(is_child=True), open_case(is_child=True)
    _fill(archived)
    _fill(in_use)
    Person.objects.filter(pk=archived.person_id).update(archived_at=timezone.now())
    days = settings.PUNTE_RETENTION_PERSON_ANONYMISE_DAYS
    _apply(timezone.now() + datetime.timedelta(days=days - 1))
    assert RestrictedNote.objects.get(case=archived).text == "Synthetic medical note"
    with freeze_time(timezone.now() + datetime.timedelta(days=days + 1)):
        _apply(timezone.now())
    for case, cleared in ((archived, True), (in_use, False)):
        assessment = Assessment.objects.get(case=case)
        texts = [
            assessment.needs,
            assessment.risk_factors,
            PlanGoal.objects.get(version__case=case).goal,
            FollowUp.objects.get(case=case).purpose,
            RestrictedNote.objects.get(case=case).text,
        ]
        assert all(text is None for text in texts) is cleared, texts
    assert Case.objects.get(pk=archived.pk).status == "open"
