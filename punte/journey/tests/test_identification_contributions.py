"""What identification puts on worklists and on the journey, through the real services."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.models import PersonAccess, PersonAccessReason
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.services import consent, decisions, screening
from punte.identification.screening.tests.factories import (
    completed_screening,
    make_competent,
    running_period,
    start_screening,
)
from punte.identification.signals.services.signal import SignalPersonInput
from punte.identification.signals.tests.factories import create_signal
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def _section(member, key):
    sections = {s["key"]: s for s in ApiClient(member).get("/worklist").json()["sections"]}
    return sections.get(key)


def test_open_signals_are_on_the_worklist_of_the_organisation_that_must_act():
    officer = MembershipFactory(role_code="regional_officer")
    colleague = MembershipFactory(role_code="regional_officer", organisation=officer.organisation)
    signal = create_signal(actor=officer, county="RO-CJ", channel="hotline")
    section = _section(colleague, "signals.open")
    assert section["count"] == 1
    item = section["items"][0]
    assert item["id"] == str(signal.pk)
    assert item["label"] == f"Signal {signal.reference} · Anti-trafficking hotline · Cluj"
    assert item["url"] == f"/signals/{signal.pk}/"
    assert _section(MembershipFactory(role_code="regional_officer"), "signals.open")["count"] == 0
    # Roles that may not act on signals have no such section at all.
    assert _section(MembershipFactory(role_code="evaluator"), "signals.open") is None


def test_screening_drafts_wait_for_their_organisation():
    physician = MembershipFactory(role_code="clinician")
    draft = start_screening(physician, kind="short")
    screening.screening_suspend(actor=physician, screening=draft, reason="interpreter_needed")
    section = _section(physician, "screenings.drafts")
    assert [i["id"] for i in section["items"]] == [str(draft.pk)]
    assert section["items"][0]["status"] == "Interpreter needed"
    # The link opens the draft itself, in the guided path, not the person's record.
    assert section["items"][0]["url"] == f"/screen/{draft.pk}/"
    other = MembershipFactory(role_code="clinician")
    assert _section(other, "screenings.drafts")["count"] == 0


def test_reflection_periods_ending_within_two_weeks():
    officer = MembershipFactory(role_code="regional_officer")
    soon = create_person(actor=officer, citizenship="UA")
    later = create_person(actor=officer, citizenship="MD")
    running_period(soon, days=10)
    running_period(later, days=60)
    section = _section(officer, "reflection.ending")
    assert [i["person_id"] for i in section["items"]] == [str(soon.pk)]
    assert (
        section["items"][0]["due_at"]
        == (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    )


def test_the_home_page_shows_a_period_s_last_day_as_a_date():
    officer = MembershipFactory(role_code="regional_officer")
    running_period(create_person(actor=officer, citizenship="UA"), days=10)
    response = verified_client(officer.user).get("/")
    assert response.status_code == 200
    last_day = timezone.localdate() + datetime.timedelta(days=9)
    assert date_format(last_day, "SHORT_DATE_FORMAT") in response.content.decode()


def test_the_journey_tells_the_mechanism_s_steps_in_order():
    hospital = MembershipFactory(
        role_code="clinician", organisation__type=OrganisationType.HOSPITAL
    )
    person = create_person(actor=hospital, citizenship="UA")
    create_signal(actor=hospital, people=[SignalPersonInput(person_id=person.pk)])
    completed_screening(hospital, person=person)
    consent.consent_record(
        actor=hospital,
        person=person,
        purpose="referral",
        decision="consented",
        decided_on=timezone.localdate(),
        rights_language="uk",
    )
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    PersonAccess.objects.create(
        person=person, organisation=prosecutor.organisation, reason=PersonAccessReason.REFERRAL
    )
    decisions.decision_record(
        actor=prosecutor,
        person=person,
        outcome="identified_victim",
        decided_on=timezone.localdate(),
        grounds="Her statement and the employer's records.",
        exploitation_forms=["labour"],
    )
    running_period(person, actor=prosecutor, days=30)
    start_screening(hospital, person=person)  # a second screening, left as a draft

    def kinds(member):
        steps = ApiClient(member).get(f"/persons/{person.pk}/journey").json()["steps"]
        return [(s["kind"], s["level"]) for s in steps], steps

    seen, steps = kinds(hospital)
    assert seen == [
        ("person.recorded", "full"),
        ("signal.recorded", "full"),
        # Starting the screening took the signal about her out of triage.
        ("signal.transition", "full"),
        ("screening.completed", "full"),
        ("consent.recorded", "full"),
        ("decision.recorded", "outline"),
        ("reflection.started", "outline"),
        ("screening.draft", "full"),
    ]
    decision = steps[5]
    assert decision["status"] == "Formally identified victim"
    assert decision["organisation_type"] == "Prosecutor's office"
    assert "Her statement" not in str(steps)

    seen, steps = kinds(prosecutor)
    assert ("screening.draft", "full") not in seen and len(seen) == 7
    assert dict(steps[5]["details"])["Grounds"] == "Her statement and the employer's records."
    assert steps[1]["level"] == "outline" and steps[1]["organisation_name"] is None
