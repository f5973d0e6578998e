"""Sending referrals: what is sent, and every refusal changes nothing."""

import pytest
from django.core import mail

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.notifications.models import Notification
from punte.referrals import services
from punte.referrals.models import Referral, ReferralEvent
from punte.referrals.tests.factories import ServiceOfferingFactory
from punte.referrals.tests.helpers import adult, child, county_bodies, first_responder

pytestmark = pytest.mark.django_db

R = services.ReferralRequest


def _send(actor, person, requests, county="RO-CJ"):
    return services.referrals_send(
        actor=actor, person=person, county_code=county, requests=requests
    )


def test_a_child_is_sent_to_child_protection_and_a_prosecutor_without_consent(
    rules, django_capture_on_commit_callbacks
):
    bodies = county_bodies()
    responder = MembershipFactory(
        organisation=bodies[OrganisationType.CHILD_PROTECTION], role_code="child_protection_officer"
    )
    sender = first_responder()
    person = child(sender)
    with django_capture_on_commit_callbacks(execute=True):
        result = _send(
            sender,
            person,
            [
                R(bodies[OrganisationType.CHILD_PROTECTION].pk, rule_code="child-protection"),
                R(bodies[OrganisationType.PROSECUTION].pk, rule_code="child-prosecutor"),
                R(bodies[OrganisationType.REGIONAL_CENTRE].pk, rule_code="regional-centre"),
            ],
        )
    assert len(result.referrals) == 3 and result.unresolved == []
    referral = result.referrals[0]
    assert referral.status == "sent" and referral.is_child and referral.consent_state == "child"
    assert (referral.due_at - referral.created_at).total_seconds() == pytest.approx(
        24 * 3600, abs=2
    )
    assert ReferralEvent.objects.filter(referral=referral, action="sent").count() == 1
    assert AuditEvent.objects.filter(action="referral.sent", person_id=person.pk).count() == 3
    # The DGASPC's responder is told in the app and by e-mail, without the person's name.
    notification = Notification.objects.get(recipient=responder)
    assert notification.url == f"/referrals/{referral.pk}/"
    assert any(responder.user.email in m.to for m in mail.outbox)
    for message in mail.outbox:
        assert "Ana" not in message.body and "Popescu" not in message.body


def test_an_adult_without_consent_is_refused_and_nothing_is_sent(rules):
    bodies = county_bodies()
    sender = first_responder()
    for state in (None, "refused"):
        person = adult(sender, consent=state)
        with pytest.raises(ServiceError) as refused:
            _send(sender, person, [R(bodies["regional_centre"].pk, rule_code="regional-centre")])
        assert refused.value.field == "person"
        assert "consent" in refused.value.message
    assert not Referral.objects.exists()


def test_an_adult_who_withdrew_consent_is_refused(rules):
    bodies = county_bodies()
    sender = first_responder()
    person = adult(sender, consent="consented")
    from django.utils import timezone

    from punte.identification.screening.services.consent import consent_record

    consent_record(
        actor=sender,
        person=person,
        purpose="referral",
        decision="withdrawn",
        decided_on=timezone.localdate(),
        rights_language="ro",
    )
    with pytest.raises(ServiceError, match="withdrawn"):
        _send(sender, person, [R(bodies["regional_centre"].pk, rule_code="regional-centre")])


def test_a_consenting_adult_is_sent(rules):
    bodies = county_bodies()
    sender = first_responder()
    result = _send(
        sender, adult(sender), [R(bodies["regional_centre"].pk, rule_code="regional-centre")]
    )
    referral = result.referrals[0]
    assert referral.consent_state == "consented" and not referral.is_child
    assert (referral.due_at - referral.created_at).total_seconds() == pytest.approx(
        72 * 3600, abs=2
    )


def test_a_service_the_organisation_does_not_offer_is_refused_naming_it(rules):
    sender = first_responder()
    ngo = OrganisationFactory(type=OrganisationType.NGO, name="Casa Speranței")
    ServiceOfferingFactory(organisation=ngo, service="shelter", county_id="RO-BH")  # elsewhere
    ServiceOfferingFactory(organisation=ngo, service="medical", county_id="RO-CJ")  # other one
    with pytest.raises(ServiceError) as refused:
        _send(sender, child(sender), [R(ngo.pk, service="shelter")])
    assert refused.value.field == "referrals.0.receiver_organisation_id"
    assert "Casa Speranței does not offer Shelter in Cluj" in refused.value.message
    assert not Referral.objects.exists()


def test_an_inactive_organisation_is_refused(rules):
    sender = first_responder()
    ngo = OrganisationFactory(type=OrganisationType.NGO, is_active=False)
    ServiceOfferingFactory(organisation=ngo, service="shelter")
    with pytest.raises(ServiceError, match="inactive"):
        _send(sender, child(sender), [R(ngo.pk, service="shelter")])


def test_one_bad_request_refuses_them_all(rules):
    bodies = county_bodies()
    sender = first_responder()
    person = child(sender)
    with pytest.raises(ServiceError) as refused:
        _send(
            sender,
            person,
            [
                R(bodies["child_protection"].pk, rule_code="child-protection"),
                R(bodies["prosecution"].pk, rule_code="child-protection"),  # wrong type
            ],
        )
    assert refused.value.field == "referrals.1.receiver_organisation_id"
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="referral.sent").exists()


def test_a_rule_that_does_not_apply_is_refused(rules):
    bodies = county_bodies()
    sender = first_responder()
    with pytest.raises(ServiceError, match="does not apply"):
        _send(
            sender, adult(sender), [R(bodies["child_protection"].pk, rule_code="child-protection")]
        )


def test_an_open_duplicate_is_refused(rules):
    bodies = county_bodies()
    sender = first_responder()
    person = child(sender)
    request = [R(bodies["child_protection"].pk, rule_code="child-protection")]
    _send(sender, person, request)
    with pytest.raises(ServiceError, match="already exists"):
        _send(sender, person, request)
    assert Referral.objects.count() == 1


def test_a_role_without_referral_send_is_refused(rules):
    bodies = county_bodies()
    sender = first_responder()
    person = child(sender)
    analyst = MembershipFactory(organisation=sender.organisation, role_code="auditor")
    with pytest.raises(ServiceError) as refused:
        _send(analyst, person, [R(bodies["child_protection"].pk, rule_code="child-protection")])
    assert refused.value.status == 403


def test_an_unresolved_mandatory_referral_is_reported_and_the_agency_told(rules):
    cp = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION, county_id="RO-CJ")
    national = MembershipFactory(role_code="national_coordinator")
    sender = first_responder()
    result = _send(sender, child(sender), [R(cp.pk, rule_code="child-protection")])
    assert {rule.code for rule in result.unresolved} == {"child-prosecutor", "regional-centre"}
    told = Notification.objects.filter(recipient=national, kind="referral.unresolved")
    assert told.count() == 2
    assert AuditEvent.objects.filter(action="referral.unresolved").count() == 2


def test_a_receiver_nobody_can_answer_at_escalates_the_arrival(rules):
    bodies = county_bodies()
    supervisor = MembershipFactory(
        organisation=bodies["child_protection"], role_code="child_protection_supervisor"
    )
    # The supervisor holds referral.respond too; a receiver with only a parent's supervisor:
    parent = OrganisationFactory(type=OrganisationType.PROSECUTION)
    boss = MembershipFactory(organisation=parent, role_code="unit_supervisor")
    office = bodies["prosecution"]
    office.parent = parent
    office.save()
    sender = first_responder()
    _send(
        sender,
        child(sender),
        [
            R(bodies["child_protection"].pk, rule_code="child-protection"),
            R(office.pk, rule_code="child-prosecutor"),
        ],
    )
    assert Notification.objects.filter(recipient=supervisor, kind="referral.received").exists()
    # The prosecutor's office has no member; its parent's supervisor hears of it.
    assert Notification.objects.filter(recipient=boss, kind="referral.received").exists()


def test_the_receivers_notification_is_in_each_readers_language(rules):
    from django.utils import translation

    from punte.referrals.tests.factories import send_service_referral

    referral = send_service_referral()
    responder = MembershipFactory(
        organisation=referral.receiver_organisation, role_code="ngo_caseworker"
    )
    referral2 = send_service_referral(receiver=referral.receiver_organisation)
    notification = Notification.objects.get(recipient=responder, subject_id=str(referral2.pk))
    assert "Shelter" in notification.text
    with translation.override("ro"):
        assert "Adăpost" in notification.text
        assert "Referire nouă" in notification.text
