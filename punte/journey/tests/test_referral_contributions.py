"""What referrals put on worklists: overdue referrals (for the receiver and, nationally, for the
agency), and the decisions to take, for competent authorities only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory
from punte.referrals import services
from punte.referrals.tests.factories import send_service_referral
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def _sections(member) -> dict:
    return {s["key"]: s for s in ApiClient(member).get("/worklist").json()["sections"]}


def test_a_late_referral_is_overdue_for_its_receiver_and_the_agency_only():
    with freeze_time(timezone.now() - datetime.timedelta(days=3)):
        referral = send_service_referral()
    receiver = MembershipFactory(
        organisation=referral.receiver_organisation, role_code="ngo_caseworker"
    )
    coordinator = MembershipFactory(
        role_code="national_coordinator", organisation__type=OrganisationType.NATIONAL_AGENCY
    )
    stranger = MembershipFactory(role_code="ngo_caseworker")
    for member in (receiver, coordinator):
        overdue = _sections(member)["referrals.overdue"]
        assert [i["id"] for i in overdue["items"]] == [str(referral.pk)]
        assert overdue["urgent"] is True and overdue["items"][0]["overdue"] is True
    assert _sections(stranger)["referrals.overdue"]["count"] == 0
    # A role that neither answers referrals nor monitors them has no such section.
    assert "referrals.overdue" not in _sections(MembershipFactory(role_code="clinician"))


def test_decisions_to_take_are_for_competent_authorities_and_end_with_the_decision():
    from punte.identification.screening.services import decisions

    prosecution = MembershipFactory(
        role_code="prosecutor", organisation__type=OrganisationType.PROSECUTION
    )
    referral = send_service_referral(receiver=prosecution.organisation, service="legal_aid")
    assert _sections(prosecution)["decisions.to_take"]["count"] == 0  # not accepted yet
    services.referral_transition(actor=prosecution, referral_id=referral.pk, to_status="accepted")
    items = _sections(prosecution)["decisions.to_take"]["items"]
    assert [i["person_id"] for i in items] == [str(referral.person_id)]
    decisions.decision_record(
        actor=prosecution,
        person=referral.person,
        outcome="presumed_victim",
        decided_on=timezone.localdate(),
        grounds="Indications from the referral.",
        exploitation_forms=["labour"],
    )
    assert _sections(prosecution)["decisions.to_take"]["count"] == 0
    # Child protection may not take identification decisions: no such section.
    dgaspc = MembershipFactory(
        role_code="child_protection_officer", organisation__type=OrganisationType.CHILD_PROTECTION
    )
    assert "decisions.to_take" not in _sections(dgaspc)
