"""The journey: who sees which step in full, in outline or not at all; one audit event per
read; 404 outside the record's scope; on the person's page, as a page and in the API."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent
from punte.core.worklist import JourneyEntry, JourneySource
from punte.identification.persons import journey as person_journey
from punte.identification.persons.models import PersonAccess, PersonAccessReason
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening import journey as screening_journey
from punte.identification.signals import journey as signal_journey
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db

# Every journey step identification's parts record about a person.
PERSON_SOURCES = [
    *person_journey.JOURNEY_SOURCES,
    *signal_journey.JOURNEY_SOURCES,
    *screening_journey.JOURNEY_SOURCES,
]


@pytest.fixture
def scene(contributions):
    """A hospital records a person and refers them to a shelter; the shelter accepts (so may
    open the record); a prosecutor's office, granted access too, takes a decision; the
    hospital also keeps an unfinished screening draft."""
    hospital = MembershipFactory(
        role_code="regional_officer", organisation__type=OrganisationType.HOSPITAL
    )
    shelter = MembershipFactory(
        role_code="service_provider",
        organisation__type=OrganisationType.SERVICE_PROVIDER,
        organisation__name="Casa Speranța Shelter",
    )
    prosecutor = MembershipFactory(
        role_code="prosecutor", organisation__type=OrganisationType.PROSECUTION
    )
    person = create_person(actor=hospital)
    for member in (shelter, prosecutor):
        PersonAccess.objects.create(
            person=person, organisation=member.organisation, reason=PersonAccessReason.REFERRAL
        )
    start = timezone.now() - datetime.timedelta(days=3)
    h, s, p = hospital.organisation, shelter.organisation, prosecutor.organisation
    steps = [
        JourneyEntry(
            occurred_at=start,
            kind="referral.sent",
            title="Referral sent",
            organisation=h,
            parties=frozenset({h.pk, s.pk}),
            status="sent",
            details=(("Service", "shelter"),),
            url="/referrals/1/",
        ),
        JourneyEntry(
            occurred_at=start + datetime.timedelta(hours=2),
            kind="screening.draft",
            title="Screening draft",
            organisation=h,
            parties=frozenset({h.pk}),
            private=True,
        ),
        JourneyEntry(
            occurred_at=start + datetime.timedelta(days=1),
            kind="decision.recorded",
            title="Identification decision",
            organisation=p,
            parties=frozenset({p.pk}),
            status="Formally identified victim",
            happened_on=datetime.date(2026, 11, 2),
            details=(("Grounds", "Statement of 2 November"),),
            url="/decisions/1/",
        ),
    ]
    contributions.sources.extend(PERSON_SOURCES)
    contributions.sources.append(JourneySource(key="test", entries=lambda person: steps))
    return {"hospital": hospital, "shelter": shelter, "prosecutor": prosecutor, "person": person}


def _steps(member, person):
    response = ApiClient(member).get(f"/persons/{person.pk}/journey")
    assert response.status_code == 200, response.content
    return {step["kind"]: step for step in response.json()["steps"]}


def test_parties_see_their_steps_in_full_and_others_in_outline(scene):
    steps = _steps(scene["shelter"], scene["person"])
    sent = steps["referral.sent"]
    assert sent["level"] == "full"
    assert sent["organisation_name"] == scene["hospital"].organisation.name
    assert sent["details"] == [["Service", "shelter"]] and sent["url"] == "/referrals/1/"
    decision = steps["decision.recorded"]
    assert decision["level"] == "outline"
    assert decision["status"] == "Formally identified victim"
    assert decision["organisation_type"] == "Prosecutor's office"
    assert decision["organisation_name"] is None
    assert decision["details"] == [] and decision["url"] is None
    assert "screening.draft" not in steps  # another organisation's unfinished work


def test_the_organisation_that_keeps_a_draft_sees_it(scene):
    steps = _steps(scene["hospital"], scene["person"])
    assert steps["screening.draft"]["level"] == "full"
    assert steps["decision.recorded"]["level"] == "outline"


def test_a_role_of_national_scope_sees_every_finished_step_in_full(scene):
    coordinator = MembershipFactory(role_code="national_coordinator")
    steps = _steps(coordinator, scene["person"])
    assert {k: s["level"] for k, s in steps.items()} == {
        "person.recorded": "full",
        "referral.sent": "full",
        "decision.recorded": "full",
    }


def test_the_steps_come_oldest_first_with_the_person_recorded_first(scene):
    body = ApiClient(scene["hospital"]).get(f"/persons/{scene['person'].pk}/journey").json()
    kinds = [step["kind"] for step in body["steps"]]
    assert kinds == ["referral.sent", "screening.draft", "decision.recorded", "person.recorded"]


def test_reading_the_journey_writes_one_audit_event(scene):
    person = scene["person"]
    before = AuditEvent.objects.filter(person_id=person.pk).count()
    ApiClient(scene["shelter"]).get(f"/persons/{person.pk}/journey")
    events = AuditEvent.objects.filter(person_id=person.pk).order_by("id")
    assert events.count() == before + 1
    event = events.last()
    assert event.action == "person.journey_viewed"
    assert event.organisation_id == scene["shelter"].organisation_id
    assert event.changes == {"steps_shown": 3}


@pytest.mark.parametrize("role_code", ["regional_officer", "prosecutor", "clinician"])
def test_outside_the_record_s_scope_the_journey_is_not_found(scene, role_code):
    stranger = MembershipFactory(role_code=role_code)
    person = scene["person"]
    before = AuditEvent.objects.filter(person_id=person.pk).count()
    response = ApiClient(stranger).get(f"/persons/{person.pk}/journey")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    page = verified_client(stranger.user).get(reverse("journey:person_journey", args=[person.pk]))
    assert page.status_code == 404
    assert AuditEvent.objects.filter(person_id=person.pk).count() == before


def test_a_role_without_person_view_gets_404(scene):
    evaluator = MembershipFactory(
        role_code="evaluator", organisation=scene["hospital"].organisation
    )
    assert ApiClient(evaluator).get(f"/persons/{scene['person'].pk}/journey").status_code == 404


def test_a_forged_id_is_not_found(scene):
    api = ApiClient(scene["hospital"])
    assert api.get("/persons/not-a-uuid/journey").status_code == 404


def test_the_person_page_loads_the_journey_in_place(scene):
    person, hospital = scene["person"], scene["hospital"]
    client = verified_client(hospital.user)
    record = client.get(reverse("identification:person_detail", args=[person.pk]))
    url = reverse("journey:person_journey", args=[person.pk])
    assert f'hx-get="{url}"' in record.content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text and 'id="journey-heading"' in text
    assert "Statement of 2 November" not in text  # the prosecutor's grounds
    assert "Casa Speranța Shelter" not in text  # no step of the shelter's names it here
    full = client.get(url)
    assert "<html" in full.content.decode() and "Referral sent" in full.content.decode()


def test_other_organisations_are_named_only_by_type_on_the_page(scene):
    prosecutor, person = scene["prosecutor"], scene["person"]
    text = (
        verified_client(prosecutor.user)
        .get(reverse("journey:person_journey", args=[person.pk]))
        .content.decode()
    )
    assert "Statement of 2 November" in text  # its own decision, in full
    assert scene["hospital"].organisation.name not in text
    assert "Hospital" in text and "outline only" in text
    assert "Screening draft" not in text


def test_a_person_with_no_steps_but_the_record(contributions):
    contributions.sources.extend(PERSON_SOURCES)
    owner = MembershipFactory(role_code="regional_officer", organisation=OrganisationFactory())
    person = create_person(actor=owner)
    steps = ApiClient(owner).get(f"/persons/{person.pk}/journey").json()["steps"]
    assert [s["kind"] for s in steps] == ["person.recorded"]
