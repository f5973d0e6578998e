"""Services from the registry's providers, the versioned plan and its comparison, assessments,
follow-ups with reminders and escalation."""

import datetime
import decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases import selectors, services
from punte.cases.models import CaseEvent, CaseService, FollowUp, PlanGoal, PlanVersion
from punte.cases.tests.factories import (
    accepted_service,
    manager_of,
    open_case,
    provider,
    requested_service,
)
from punte.core.errors import ServiceError
from punte.core.lifecycle import TransitionNotAllowed
from punte.identification.persons.selectors import person_list_visible_to
from punte.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _provider_member(service):
    return MembershipFactory(organisation=service.provider, role_code="service_provider")


def test_a_provider_accepts_then_records_delivery_and_then_sees_the_person():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    requested = requested_service(case, manager=manager)
    staff = _provider_member(requested)
    assert not person_list_visible_to(actor=staff).filter(pk=case.person_id).exists()
    # On the provider's worklist.
    assert selectors.services_to_answer(actor=staff).filter(pk=requested.pk).exists()
    services.case_service_transition(actor=staff, service_id=requested.pk, to_status="accepted")
    assert person_list_visible_to(actor=staff).filter(pk=case.person_id).exists()
    assert selectors.services_to_deliver(actor=staff).filter(pk=requested.pk).exists()
    delivered = services.case_service_transition(
        actor=staff,
        service_id=requested.pk,
        to_status="delivered",
        delivered_from=timezone.localdate() - datetime.timedelta(days=3),
        delivered_to=timezone.localdate(),
        units=decimal.Decimal("4"),
        unit="day",
    )
    assert delivered.status == "delivered" and delivered.units == 4
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "opened",
        "service_requested",
        "service_accepted",
        "service_delivered",
    ]
    assert Notification.objects.filter(kind="case_service.delivered").exists()


def test_delivering_a_service_never_accepted_is_refused_and_nothing_is_written():
    case = open_case()
    requested = requested_service(case, manager=manager_of(case.owner_organisation))
    with pytest.raises(TransitionNotAllowed) as refused:
        services.case_service_transition(
            actor=_provider_member(requested),
            service_id=requested.pk,
            to_status="delivered",
            delivered_from=timezone.localdate(),
            units=1,
            unit="day",
        )
    assert refused.value.field == "status" and refused.value.status == 409
    assert "accepted" in refused.value.allowed
    requested.refresh_from_db()
    assert requested.status == "requested" and requested.units is None
    assert not CaseEvent.objects.filter(action="service_delivered").exists()


@pytest.mark.parametrize(
    "fields, named",
    [
        ({"units": 1, "unit": "day"}, "delivered_from"),
        ({"delivered_from": "today", "units": 0, "unit": "day"}, "units"),
        ({"delivered_from": "today", "units": 1, "unit": ""}, "unit"),
        (
            {"delivered_from": "today", "delivered_to": "yesterday", "units": 1, "unit": "day"},
            "delivered_to",
        ),
        ({"delivered_from": "tomorrow", "units": 1, "unit": "day"}, "delivered_from"),
    ],
)
def test_a_delivery_without_its_dates_or_units_is_refused_naming_the_field(fields, named):
    days = {"today": 0, "yesterday": -1, "tomorrow": 1}
    values = {
        k: timezone.localdate() + datetime.timedelta(days=days[v]) if v in days else v
        for k, v in fields.items()
    }
    case = open_case()
    accepted = accepted_service(case, manager=manager_of(case.owner_organisation))
    with pytest.raises(ServiceError) as refused:
        services.case_service_transition(
            actor=_provider_member(accepted),
            service_id=accepted.pk,
            to_status="delivered",
            **values,
        )
    assert refused.value.field == named
    accepted.refresh_from_db()
    assert accepted.status == "accepted"


def test_a_service_is_requested_only_from_a_provider_of_the_registry_in_the_county():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    elsewhere = provider("shelter", county="RO-IS")
    with pytest.raises(ServiceError) as refused:
        services.case_service_request(
            actor=manager, case_id=case.pk, service="shelter", provider_id=elsewhere.pk
        )
    assert refused.value.field == "provider_id"
    with pytest.raises(ServiceError) as refused:
        services.case_service_request(
            actor=manager, case_id=case.pk, service="massage", provider_id=elsewhere.pk
        )
    assert refused.value.field == "service"
    # Financial support is in the catalogue.
    financial = provider("financial")
    made = services.case_service_request(
        actor=manager, case_id=case.pk, service="financial", provider_id=financial.pk
    )
    assert made.get_service_display() == "Financial support"
    assert CaseService.objects.count() == 1


def _goal(organisation, text, *, days=30, key=None, area="housing", status="planned"):
    return services.GoalInput(
        area=area,
        goal=text,
        responsible_organisation_id=organisation.pk,
        starts_on=timezone.localdate(),
        due_on=timezone.localdate() + datetime.timedelta(days=days),
        status=status,
        key=key,
    )


def test_each_plan_save_is_a_new_version_and_two_versions_compare():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    ngo = case.owner_organisation
    first = services.plan_save(
        actor=manager,
        case_id=case.pk,
        goals=[_goal(ngo, "Safe housing"), _goal(ngo, "Identity card", area="documents")],
    )
    housing, documents = first.goals.order_by("position")
    second = services.plan_save(
        actor=manager,
        case_id=case.pk,
        goals=[
            _goal(
                ngo, "Safe housing for six months", days=180, key=housing.key, status="in_progress"
            ),
            _goal(ngo, "Vocational course", area="income"),
        ],
        summary="Housing extended.",
    )
    assert (first.number, second.number) == (1, 2)
    # The first version is unchanged.
    assert list(first.goals.order_by("position").values_list("goal", flat=True)) == [
        "Safe housing",
        "Identity card",
    ]
    changes = services.plan_diff(first, second)
    kinds = {c.kind: c for c in changes}
    assert set(kinds) == {"changed", "added", "removed"}
    assert set(kinds["changed"].fields) == {"goal", "due_on", "status"}
    assert kinds["removed"].before.goal == "Identity card"
    assert kinds["added"].after.goal == "Vocational course"
    assert PlanVersion.objects.filter(case=case).count() == 2
    assert PlanGoal.objects.filter(version__case=case).count() == 4


@pytest.mark.parametrize(
    "change, named",
    [
        ({"due_on": -1}, "goals.0.due_on"),
        ({"goal": " "}, "goals.0.goal"),
        ({"area": "luck"}, "goals.0.area"),
        ({"key": "00000000-0000-0000-0000-000000000001"}, "goals.0.key"),
    ],
)
def test_a_bad_goal_is_refused_naming_it_and_no_version_is_written(change, named):
    case = open_case()
    manager = manager_of(case.owner_organisation)
    goal = _goal(
        case.owner_organisation,
        change.get("goal", "Housing"),
        area=change.get("area", "housing"),
        key=change.get("key"),
    )
    if "due_on" in change:
        goal = services.GoalInput(
            **{**goal.__dict__, "due_on": goal.starts_on - datetime.timedelta(days=1)}
        )
    with pytest.raises(ServiceError) as refused:
        services.plan_save(actor=manager, case_id=case.pk, goals=[goal])
    assert refused.value.field == named
    assert not PlanVersion.objects.exists()


def test_an_assessment_needs_every_area_and_the_risk():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    needs = {
        a: {"level": "low"}
        for a in ("safety", "health", "psychological", "legal", "housing", "documents", "income")
    }
    with pytest.raises(ServiceError) as refused:
        services.assessment_record(
            actor=manager,
            case_id=case.pk,
            assessed_on=timezone.localdate(),
            needs=needs,
            retrafficking_risk="high",
        )
    assert refused.value.field == "needs.family.level"
    needs["family"] = {"level": "high", "note": "Synthetic."}
    made = services.assessment_record(
        actor=manager,
        case_id=case.pk,
        assessed_on=timezone.localdate(),
        needs=needs,
        retrafficking_risk="high",
    )
    made.refresh_from_db()
    assert made.needs["family"] == {"level": "high", "note": "Synthetic."}


def test_a_missed_follow_up_is_reminded_then_overdue_on_the_worklist_and_escalated_once():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    supervisor = MembershipFactory(
        organisation=case.owner_organisation, role_code="unit_supervisor"
    )
    start = timezone.now()
    follow_up = services.follow_up_schedule(
        actor=manager,
        case_id=case.pk,
        due_at=start + datetime.timedelta(days=2),
        purpose="Home visit",
    )
    with pytest.raises(ServiceError) as refused:
        services.follow_up_schedule(
            actor=manager, case_id=case.pk, due_at=start - datetime.timedelta(hours=1), purpose="x"
        )
    assert refused.value.field == "due_at"
    with freeze_time(start + datetime.timedelta(days=1, hours=1)):
        run = services.follow_ups_remind_and_escalate()
        assert (run.reminded, run.escalated) == (1, 0)
        assert Notification.objects.filter(kind="follow_up.reminder", recipient=manager).exists()
        assert not selectors.follow_ups_overdue(actor=manager).exists()
    with freeze_time(start + datetime.timedelta(days=2, hours=1)):
        assert list(selectors.follow_ups_overdue(actor=manager)) == [follow_up]
        run = services.follow_ups_remind_and_escalate()
        assert (run.reminded, run.escalated) == (0, 1)
        assert services.follow_ups_remind_and_escalate().escalated == 0
        assert Notification.objects.filter(kind="follow_up.overdue", recipient=supervisor).exists()
    follow_up.refresh_from_db()
    assert follow_up.escalated_at is not None
    assert CaseEvent.objects.filter(case=case, action="follow_up_escalated").exists()
    services.follow_up_done(actor=manager, follow_up_id=follow_up.pk, outcome="Visited late.")
    assert not selectors.follow_ups_overdue(actor=manager).exists()
    assert FollowUp.objects.get(pk=follow_up.pk).status == "done"


def test_an_organisation_without_supervisors_escalates_to_the_national_agency():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    national = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.NATIONAL_AGENCY),
        role_code="national_coordinator",
    )
    start = timezone.now()
    services.follow_up_schedule(
        actor=manager, case_id=case.pk, due_at=start + datetime.timedelta(hours=2), purpose="Call"
    )
    with freeze_time(start + datetime.timedelta(days=1)):
        services.follow_ups_remind_and_escalate()
        assert Notification.objects.filter(kind="follow_up.overdue", recipient=national).exists()
        assert selectors.follow_ups_overdue(actor=national).count() == 1
