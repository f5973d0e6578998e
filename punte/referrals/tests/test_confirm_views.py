"""Final steps of a referral (reject, mark completed, withdraw) ask first: a page says what will
happen, and only its own button applies the step. Submitting twice changes nothing twice."""

from __future__ import annotations

import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.referrals.models import Referral, ReferralEvent
from punte.referrals.tests.factories import (
    AcceptedReferralFactory,
    responder_of,
    send_service_referral,
)
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def test_mark_completed_asks_then_applies_once(rules):
    referral = AcceptedReferralFactory()
    receiver = verified_client(responder_of(referral.receiver_organisation, "ngo_caseworker").user)
    detail = receiver.get(f"/referrals/{referral.pk}/").content.decode()
    confirm_url = f"/referrals/{referral.pk}/completed/confirm"
    assert f'action="{confirm_url}"' in detail
    # The first button only asks.
    asked = receiver.get(confirm_url)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "<h1>Mark this referral completed?</h1>" in page
    assert "This cannot be undone" in page
    assert "Yes, mark it completed" in page
    assert Referral.objects.get(pk=referral.pk).status == "accepted"
    # A post without the confirmation is sent to the question, not applied.
    unconfirmed = receiver.post(f"/referrals/{referral.pk}/completed")
    assert unconfirmed.status_code == 302 and unconfirmed.url == confirm_url
    assert Referral.objects.get(pk=referral.pk).status == "accepted"
    done = receiver.post(f"/referrals/{referral.pk}/completed", {"confirmed": "yes"})
    assert done.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "completed"
    # The same confirmation submitted again (a double tap) changes nothing.
    again = receiver.post(
        f"/referrals/{referral.pk}/completed", {"confirmed": "yes"}, follow=True
    ).content.decode()
    assert "cannot become" in again
    assert ReferralEvent.objects.filter(referral=referral, to_status="completed").count() == 1
    assert (
        AuditEvent.objects.filter(action="referral.completed", subject_id=str(referral.pk)).count()
        == 1
    )
    # Once completed, there is nothing left to confirm.
    assert receiver.get(confirm_url).status_code == 404


def test_withdraw_asks_for_the_reason_on_the_confirmation(rules):
    referral = send_service_referral()
    sender = verified_client(
        MembershipFactory(
            organisation=referral.sender_organisation, role_code="regional_officer"
        ).user
    )
    page = sender.get(f"/referrals/{referral.pk}/withdrawn/confirm").content.decode()
    assert "<h1>Withdraw this referral?</h1>" in page
    assert '<label for="reason">Reason</label>' in page
    refused = sender.post(f"/referrals/{referral.pk}/withdrawn", {"confirmed": "yes", "reason": ""})
    assert refused.status_code == 422
    assert "Enter the reason." in refused.content.decode()
    assert 'href="#reason"' in refused.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "sent"
    done = sender.post(
        f"/referrals/{referral.pk}/withdrawn",
        {"confirmed": "yes", "reason": "Sent to the wrong county."},
    )
    assert done.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "withdrawn"


def test_a_step_one_may_not_take_is_not_offered_or_found(rules):
    referral = send_service_referral()
    receiver = verified_client(responder_of(referral.receiver_organisation, "ngo_caseworker").user)
    # The receiver may not withdraw (the sender's step), nor complete a referral not accepted.
    assert receiver.get(f"/referrals/{referral.pk}/withdrawn/confirm").status_code == 404
    assert receiver.get(f"/referrals/{referral.pk}/completed/confirm").status_code == 404
    assert receiver.get(f"/referrals/{referral.pk}/accepted/confirm").status_code == 404
    stranger = verified_client(MembershipFactory(role_code="ngo_caseworker").user)
    assert stranger.get(f"/referrals/{referral.pk}/rejected/confirm").status_code == 404
    assert (
        stranger.post(f"/referrals/{referral.pk}/rejected", {"confirmed": "yes"}).status_code == 404
    )
    assert Referral.objects.get(pk=referral.pk).status == "sent"
