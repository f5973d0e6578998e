"""The case pages: what they show, to whom (another organisation gets 404), a refusal beside
the field it names, and a case page whose queries do not grow with its history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases import services
from punte.cases.models import CaseEvent, CaseService, TeamMember
from punte.cases.tests.factories import (
    accepted_service,
    manager_of,
    open_case,
    provider,
    team_member,
)
from punte.referrals.models import ServiceOffering
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def _client(membership):
    return verified_client(membership.user)


def test_the_case_page_for_its_manager_and_404_for_another_organisation():
    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation, role_code="child_protection_officer")
    url = reverse("cases:detail", args=[case.pk])
    page = _client(manager).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert case.reference in body and "Request closure" in body and "Add a team member" in body
    stranger = manager_of(OrganisationFactory(type=OrganisationType.CHILD_PROTECTION))
    assert _client(stranger).get(url).status_code == 404
    for name in ("assess", "plan"):
        assert _client(stranger).get(reverse(f"cases:{name}", args=[case.pk])).status_code == 404
    refused = _client(stranger).post(
        reverse("cases:closure_request", args=[case.pk]), {"closure_reason": "goals_achieved"}
    )
    assert refused.status_code == 404


def test_a_team_members_end_before_its_start_shows_beside_the_field_with_nothing_written():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    prosecutor = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.PROSECUTION), role_code="prosecutor"
    )
    today = timezone.localdate()
    response = _client(manager).post(
        reverse("cases:team_add", args=[case.pk]),
        {
            "membership": str(prosecutor.pk),
            "role": "prosecutor",
            "starts_on": today.isoformat(),
            "ends_on": (today - datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 422
    form = response.context["team_form"]
    assert form.errors["ends_on"] == ["The end date cannot be before the start date."]
    assert 'id="id_ends_on_error"' in response.content.decode()
    assert not TeamMember.objects.exists()


def test_closing_without_a_reason_shows_beside_the_reason():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    response = _client(manager).post(
        reverse("cases:closure_request", args=[case.pk]), {"closure_reason": ""}
    )
    assert response.status_code == 422
    assert "closure_reason" in response.context["closure_form"].errors
    case.refresh_from_db()
    assert case.status == "open"


def test_the_provider_records_delivery_from_its_page():
    case = open_case()
    service = accepted_service(case, manager=manager_of(case.owner_organisation))
    staff = MembershipFactory(organisation=service.provider, role_code="service_provider")
    client = _client(staff)
    assert client.get(reverse("cases:provider_services")).status_code == 200
    page = client.get(reverse("cases:service", args=[service.pk]))
    assert "Record delivery" in page.content.decode()
    missing = client.post(
        reverse("cases:service_transition", args=[service.pk, "delivered"]),
        {"delivered_from": timezone.localdate().isoformat(), "units": "0", "unit": "day"},
    )
    assert missing.status_code == 422
    assert "units" in missing.context["delivery_form"].errors
    done = client.post(
        reverse("cases:service_transition", args=[service.pk, "delivered"]),
        {"delivered_from": timezone.localdate().isoformat(), "units": "3", "unit": "session"},
    )
    assert done.status_code == 302
    service.refresh_from_db()
    assert service.status == "delivered"


def test_the_plan_page_saves_versions_and_the_comparison_shows_the_change():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    client = _client(manager)
    today = timezone.localdate()
    data = {
        "goal_count": "1",
        "goal-0-area": "housing",
        "goal-0-goal": "Safe housing",
        "goal-0-responsible_organisation": str(case.owner_organisation_id),
        "goal-0-starts_on": today.isoformat(),
        "goal-0-due_on": (today + datetime.timedelta(days=30)).isoformat(),
        "goal-0-status": "planned",
    }
    assert client.post(reverse("cases:plan", args=[case.pk]), data).status_code == 302
    key = str(case.plan_versions.get().goals.get().key)
    data |= {"goal-0-key": key, "goal-0-goal": "Safe housing for a year"}
    assert client.post(reverse("cases:plan", args=[case.pk]), data).status_code == 302
    bad = client.post(
        reverse("cases:plan", args=[case.pk]),
        data | {"goal-0-due_on": (today - datetime.timedelta(days=1)).isoformat()},
    )
    assert bad.status_code == 422
    assert "due_on" in bad.context["goal_forms"][0].errors
    compared = client.get(reverse("cases:plan_compare", args=[case.pk]) + "?a=1&b=2")
    body = compared.content.decode()
    assert "<del>Safe housing</del>" in body and "<ins>Safe housing for a year</ins>" in body


def _grow(case, manager, *, events: int, services_count: int, members: int) -> None:
    """Add history, services and team members in bulk (the services' rules are tested
    elsewhere: here only the page's reading cost matters)."""
    now = timezone.now()
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                action="follow_up_done",
                occurred_at=now,
                actor=manager.user,
                organisation=manager.organisation,
                reason="Synthetic.",
            )
            for _ in range(events)
        ]
    )
    offering = ServiceOffering.objects.filter(organisation=provider("medical")).first()
    CaseService.objects.bulk_create(
        [
            CaseService(
                case=case,
                service="medical",
                provider_id=offering.organisation_id,
                offering=offering,
                requested_by_organisation=case.owner_organisation,
            )
            for _ in range(services_count)
        ]
    )
    # Team members through the service: each brings its grant, as in real use.
    for _ in range(members):
        team_member(case, manager=manager, days=30)


def _page_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return len(queries)


def test_a_case_page_reads_in_queries_that_do_not_grow_with_history_services_and_team():
    small = open_case()
    manager = manager_of(small.owner_organisation)
    big = open_case(manager=manager)
    _grow(small, manager, events=2, services_count=1, members=1)
    _grow(big, manager, events=500, services_count=50, members=20)
    services.plan_save(
        actor=manager,
        case_id=big.pk,
        goals=[
            services.GoalInput(
                area="housing",
                goal=f"Goal {i}",
                responsible_organisation_id=manager.organisation_id,
                starts_on=timezone.localdate(),
                due_on=timezone.localdate(),
            )
            for i in range(10)
        ],
    )
    services.plan_save(
        actor=manager,
        case_id=small.pk,
        goals=[
            services.GoalInput(
                area="housing",
                goal="Goal",
                responsible_organisation_id=manager.organisation_id,
                starts_on=timezone.localdate(),
                due_on=timezone.localdate(),
            )
        ],
    )
    client = _client(manager)
    _page_queries(client, small)  # warm the session and the caches
    small_count = _page_queries(client, small)
    big_count = _page_queries(client, big)
    assert big.events.count() > 500 and big.services.count() == 50 and big.team.count() == 20
    assert big_count == small_count, (small_count, big_count)
    assert big_count < 40
