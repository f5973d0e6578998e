"""The transition table applied: who may do what from which state; grants; notifications."""

import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons.models import PersonAccess
from punte.identification.persons.selectors import person_list_visible_to
from punte.notifications.models import Notification
from punte.referrals import lifecycle, services
from punte.referrals.models import Referral, ReferralStatus
from punte.referrals.tests.factories import (
    AcceptedReferralFactory,
    CompletedReferralFactory,
    RejectedReferralFactory,
    SentReferralFactory,
    WithdrawnReferralFactory,
    responder_of,
)

pytestmark = pytest.mark.django_db


def test_factories_give_each_state_with_one_event_per_transition(rules):
    cases = [
        (SentReferralFactory(), "sent", ["sent"]),
        (AcceptedReferralFactory(), "accepted", ["sent", "accepted"]),
        (RejectedReferralFactory(), "rejected", ["sent", "rejected"]),
        (CompletedReferralFactory(), "completed", ["sent", "accepted", "completed"]),
        (WithdrawnReferralFactory(), "withdrawn", ["sent", "withdrawn"]),
    ]
    for referral, status, actions in cases:
        referral.refresh_from_db()
        assert referral.status == status
        assert list(referral.events.values_list("action", flat=True)) == actions
        events = list(referral.events.all())
        # The stored deadline is the one the events give.
        assert referral.due_at == lifecycle.current_deadline(referral, events)
        assert (referral.due_at is None) == (status not in ("sent", "accepted"))


def test_accepting_grants_the_receiver_this_person_only(rules):
    referral = SentReferralFactory()
    other_person_referral = SentReferralFactory(receiver=referral.receiver_organisation)
    responder = responder_of(referral.receiver_organisation)
    assert not person_list_visible_to(actor=responder).filter(pk=referral.person_id).exists()
    services.referral_accept(actor=responder, referral_id=referral.pk)
    visible = set(person_list_visible_to(actor=responder).values_list("pk", flat=True))
    assert visible == {referral.person_id}
    assert other_person_referral.person_id not in visible
    grant = PersonAccess.objects.get(
        organisation=referral.receiver_organisation, person=referral.person
    )
    assert grant.reason == "referral" and grant.revoked_at is None
    assert AuditEvent.objects.filter(
        action="person.access_granted", person_id=referral.person_id
    ).exists()
    # The sender is told.
    assert Notification.objects.filter(kind="referral.accepted").count() == 1


def test_rejection_needs_a_reason_and_grants_nothing(rules):
    referral = SentReferralFactory()
    responder = responder_of(referral.receiver_organisation)
    with pytest.raises(ServiceError) as refused:
        services.referral_reject(actor=responder, referral_id=referral.pk, reason="  ")
    assert refused.value.field == "reason"
    referral.refresh_from_db()
    assert referral.status == "sent"
    services.referral_reject(actor=responder, referral_id=referral.pk, reason="No capacity.")
    referral.refresh_from_db()
    assert referral.status == "rejected" and referral.due_at is None
    assert referral.events.get(action="rejected").reason == "No capacity."
    assert not PersonAccess.objects.filter(organisation=referral.receiver_organisation).exists()


@pytest.mark.parametrize(
    "factory, target",
    [
        (SentReferralFactory, ReferralStatus.COMPLETED),
        (RejectedReferralFactory, ReferralStatus.ACCEPTED),
        (CompletedReferralFactory, ReferralStatus.ACCEPTED),
        (CompletedReferralFactory, ReferralStatus.REJECTED),
        (AcceptedReferralFactory, ReferralStatus.ACCEPTED),
    ],
)
def test_a_transition_not_allowed_from_the_state_is_refused_naming_it(rules, factory, target):
    referral = factory()
    before = list(referral.events.values_list("action", flat=True))
    with pytest.raises(ServiceError) as refused:
        services.referral_transition(
            actor=responder_of(referral.receiver_organisation),
            referral_id=referral.pk,
            to_status=target,
            reason="x",
        )
    assert refused.value.status == 409
    assert refused.value.field == "status"
    assert "cannot become" in refused.value.message
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.status == referral.status
    assert list(fresh.events.values_list("action", flat=True)) == before


def test_only_the_receiver_accepts_and_only_the_sender_withdraws(rules):
    referral = SentReferralFactory()
    sender_colleague = MembershipFactory(
        organisation=referral.sender_organisation, role_code="regional_officer"
    )
    with pytest.raises(ServiceError) as refused:
        services.referral_accept(actor=sender_colleague, referral_id=referral.pk)
    assert refused.value.status == 403
    with pytest.raises(ServiceError) as refused:
        services.referral_withdraw(
            actor=responder_of(referral.receiver_organisation),
            referral_id=referral.pk,
            reason="x",
        )
    assert refused.value.status == 403


def test_withdrawing_an_accepted_referral_ends_the_access_it_gave(rules):
    referral = AcceptedReferralFactory()
    sender = MembershipFactory(
        organisation=referral.sender_organisation, role_code="regional_officer"
    )
    services.referral_withdraw(actor=sender, referral_id=referral.pk, reason="Mistaken person.")
    grant = PersonAccess.objects.get(organisation=referral.receiver_organisation)
    assert grant.revoked_at is not None
    assert Notification.objects.filter(kind="referral.withdrawn").exists()


def test_a_stranger_gets_not_found(rules):
    referral = SentReferralFactory()
    stranger = MembershipFactory(role_code="child_protection_officer")
    from django.http import Http404

    with pytest.raises(Http404):
        services.referral_accept(actor=stranger, referral_id=referral.pk)
    with pytest.raises(Http404):
        services.referral_accept(actor=stranger, referral_id="not-a-uuid")
