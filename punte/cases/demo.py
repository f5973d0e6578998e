"""Synthetic assistance cases for the demo (a demo step after the referrals'), made through the
services as users would make them:

- Bianca (a child, referred by the emergency physician): DGASPC Cluj accepts the referral and
  opens her case; the team has the DIICOT prosecutor, the police investigator and a
  psychologist of the counselling centre; counselling is requested, accepted and delivered; an
  assessment, a plan in two versions and a follow-up next week.
- Olena (a foreign adult, if she consented): the regional centre's case, with the NGO's shelter
  delivered, the prosecutor on the team, and a follow-up missed (moved into the past, demo
  only) and escalated.

Idempotent: a person who already has a case is left alone.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from punte.accounts.models import Membership, Organisation
from punte.cases import services
from punte.cases.models import Case, FollowUp
from punte.core.contract import DemoStep
from punte.identification.persons.models import Person
from punte.referrals import services as referral_services
from punte.referrals.models import Referral, ReferralStatus


def _person(actor: Membership, *, given=None, alias=None) -> Person | None:
    for person in Person.objects.filter(created_by=actor.user, archived_at__isnull=True):
        if (given and person.given_name == given) or (alias and alias in (person.aliases or [])):
            return person
    return None


def _referral_to(person: Person, code: str) -> Referral | None:
    return (
        Referral.objects.filter(person=person, receiver_organisation__code=code)
        .exclude(status__in=[ReferralStatus.REJECTED, ReferralStatus.WITHDRAWN])
        .first()
    )


def _goal(area, text, organisation, days, status="planned", key=None):
    today = timezone.localdate()
    return services.GoalInput(
        area=area,
        goal=text,
        responsible_organisation_id=organisation.pk,
        starts_on=today,
        due_on=today + datetime.timedelta(days=days),
        status=status,
        key=key,
    )


def _needs(levels: dict[str, str]) -> dict:
    return {area: {"level": level, "note": ""} for area, level in levels.items()}


@transaction.atomic
def _bianca(m: dict[str, Membership]) -> None:
    person = _person(m["clinician"], alias="Bianca")
    if person is None or Case.objects.filter(person=person).exists():
        return
    referral = _referral_to(person, "dgaspc-cj")
    if referral is None:
        return
    officer = m["child_protection_officer"]
    if referral.status == ReferralStatus.SENT:
        referral_services.referral_accept(actor=officer, referral_id=referral.pk)
    case = services.case_open(actor=officer, referral_id=referral.pk)
    today = timezone.localdate()
    until = today + datetime.timedelta(days=180)
    for key, role in (
        ("prosecutor", "prosecutor"),
        ("police_investigator", "police_investigator"),
        ("service_provider", "psychologist"),
    ):
        services.team_member_add(
            actor=officer,
            case_id=case.pk,
            membership_id=m[key].pk,
            role=role,
            starts_on=today,
            ends_on=until,
        )
    services.assessment_record(
        actor=officer,
        case_id=case.pk,
        assessed_on=today,
        needs=_needs(
            {
                "safety": "high",
                "health": "medium",
                "psychological": "high",
                "legal": "high",
                "housing": "medium",
                "documents": "low",
                "income": "none",
                "family": "high",
            }
        ),
        retrafficking_risk="high",
        risk_factors="Synthetic demo: contact with the recruiter's family in the village.",
    )
    dgaspc = officer.organisation
    counselling = Organisation.objects.get(code="sp-echilibru")
    first = services.plan_save(
        actor=officer,
        case_id=case.pk,
        goals=[
            _goal("safety", "Placement in a specialised centre for children", dgaspc, 30),
            _goal("psychological", "Weekly counselling sessions", counselling, 90),
        ],
        summary="First plan after the assessment.",
    )
    keys = list(first.goals.values_list("key", flat=True))
    services.plan_save(
        actor=officer,
        case_id=case.pk,
        goals=[
            _goal(
                "safety",
                "Placement in a specialised centre for children",
                dgaspc,
                30,
                status="in_progress",
                key=keys[0],
            ),
            _goal(
                "psychological", "Two counselling sessions a week", counselling, 120, key=keys[1]
            ),
            _goal("family", "Assess whether the family can be a safe place", dgaspc, 60),
        ],
        review_on=today + datetime.timedelta(days=30),
        summary="Counselling more often; family assessment added.",
    )
    service = services.case_service_request(
        actor=officer, case_id=case.pk, service="psychological", provider_id=counselling.pk
    )
    provider = m["service_provider"]
    services.case_service_transition(actor=provider, service_id=service.pk, to_status="accepted")
    services.case_service_transition(
        actor=provider,
        service_id=service.pk,
        to_status="delivered",
        delivered_from=today,
        units=2,
        unit="session",
    )
    services.follow_up_schedule(
        actor=officer,
        case_id=case.pk,
        due_at=timezone.now() + datetime.timedelta(days=7),
        purpose="Visit at the centre",
    )
    services.restricted_note_add(
        actor=provider,
        case_id=case.pk,
        section="psychological",
        text="Synthetic demo note: sleeps badly; responds well to drawing.",
    )


@transaction.atomic
def _olena(m: dict[str, Membership]) -> None:
    person = _person(m["police_investigator"], given="Olena")
    if person is None or Case.objects.filter(person=person).exists():
        return
    referral = _referral_to(person, "anitp-cr-cluj-napoca")
    if referral is None or referral.status not in (
        ReferralStatus.ACCEPTED,
        ReferralStatus.COMPLETED,
    ):
        return
    officer = m["regional_officer"]
    case = services.case_open(actor=officer, referral_id=referral.pk)
    today = timezone.localdate()
    services.team_member_add(
        actor=officer,
        case_id=case.pk,
        membership_id=m["prosecutor"].pk,
        role="prosecutor",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=90),
    )
    shelter = services.case_service_request(
        actor=officer,
        case_id=case.pk,
        service="shelter",
        provider_id=Organisation.objects.get(code="ngo-adapost-sigur").pk,
    )
    services.case_service_transition(
        actor=m["ngo_caseworker"], service_id=shelter.pk, to_status="accepted"
    )
    services.case_service_transition(
        actor=m["ngo_caseworker"],
        service_id=shelter.pk,
        to_status="delivered",
        delivered_from=today - datetime.timedelta(days=20),
        delivered_to=today,
        units=20,
        unit="day",
    )
    follow_up = services.follow_up_schedule(
        actor=officer,
        case_id=case.pk,
        due_at=timezone.now() + datetime.timedelta(hours=1),
        purpose="Telephone call",
    )
    # Demo only: the follow-up was due two days ago, so that the worklist shows it missed.
    FollowUp.objects.filter(pk=follow_up.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=2)
    )
    services.follow_ups_remind_and_escalate()


def _step(context) -> None:
    _bianca(context.memberships)
    _olena(context.memberships)


DEMO = [DemoStep("cases", 60, _step)]
