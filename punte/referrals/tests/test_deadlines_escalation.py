"""Deadlines from events and escalation of late steps, with the clock under control."""

import datetime

import pytest
import yaml
from django.core.management import call_command
from freezegun import freeze_time

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.notifications.models import Notification
from punte.referrals import escalation, lifecycle, services
from punte.referrals.models import Referral, ReferralEvent
from punte.referrals.rules import default_files, load_rules, parse_rules
from punte.referrals.selectors import referral_worklist_for, referrals_overdue
from punte.referrals.tests.factories import responder_of, send_service_referral
from punte.referrals.tests.helpers import adult, first_responder

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _dgaspc_with_supervisor():
    dgaspc = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION, county_id="RO-CJ")
    officer = MembershipFactory(organisation=dgaspc, role_code="child_protection_officer")
    supervisor = MembershipFactory(organisation=dgaspc, role_code="child_protection_supervisor")
    return dgaspc, officer, supervisor


def test_a_childs_referral_is_due_in_24_hours_and_escalated_once_after(rules):
    dgaspc, officer, supervisor = _dgaspc_with_supervisor()
    national = MembershipFactory(role_code="national_coordinator")
    with freeze_time(START):
        referral = send_service_referral(receiver=dgaspc)
    assert referral.due_at == START + datetime.timedelta(hours=24)

    with freeze_time(START + datetime.timedelta(hours=23, minutes=59)):
        assert escalation.referrals_escalate_overdue().escalated == 0
        assert not referrals_overdue(actor=national).exists()

    with freeze_time(START + datetime.timedelta(hours=24, minutes=1)):
        assert list(referrals_overdue(actor=national)) == [referral]
        assert list(referral_worklist_for(actor=officer).overdue) == [referral]
        result = escalation.referrals_escalate_overdue()
        assert result.escalated == 1 and result.by_level == {"organisation": 1}
        # Idempotent: the same late step is not escalated twice.
        assert escalation.referrals_escalate_overdue().escalated == 0

    told = Notification.objects.filter(kind="referral.overdue")
    assert [n.recipient_id for n in told] == [supervisor.pk]  # not the officer
    event = ReferralEvent.objects.get(referral=referral, action="escalated")
    assert event.details["level"] == "organisation"
    referral.refresh_from_db()
    assert referral.escalated_at is not None and referral.status == "sent"


def test_acceptance_opens_the_completion_deadline_and_a_new_escalation(rules):
    dgaspc, officer, supervisor = _dgaspc_with_supervisor()
    with freeze_time(START):
        referral = send_service_referral(receiver=dgaspc)
    with freeze_time(START + datetime.timedelta(hours=30)):
        escalation.referrals_escalate_overdue()
        services.referral_accept(actor=officer, referral_id=referral.pk)
    referral.refresh_from_db()
    accepted_at = START + datetime.timedelta(hours=30)
    assert referral.due_at == accepted_at + datetime.timedelta(days=30)
    assert referral.escalated_at is None
    with freeze_time(accepted_at + datetime.timedelta(days=30, minutes=1)):
        assert escalation.referrals_escalate_overdue().escalated == 1
    assert Notification.objects.filter(kind="referral.overdue").count() == 2


def test_an_adults_referral_is_due_in_72_hours(rules):
    bodies_centre = OrganisationFactory(type=OrganisationType.REGIONAL_CENTRE, county_id="RO-CJ")
    sender = first_responder()
    with freeze_time(START):
        person = adult(sender)
        result = services.referrals_send(
            actor=sender,
            person=person,
            county_code="RO-CJ",
            requests=[services.ReferralRequest(bodies_centre.pk, rule_code="regional-centre")],
            report_unresolved=False,
        )
    assert result.referrals[0].due_at == START + datetime.timedelta(hours=72)


def test_without_a_supervisor_the_parent_then_the_national_agency_is_told(rules):
    parent = OrganisationFactory(type=OrganisationType.NGO)
    boss = MembershipFactory(organisation=parent, role_code="unit_supervisor")
    shelter = OrganisationFactory(type=OrganisationType.NGO, parent=parent)
    lonely = OrganisationFactory(type=OrganisationType.NGO)
    responder_of(shelter, "ngo_caseworker")
    responder_of(lonely, "ngo_caseworker")
    national = MembershipFactory(role_code="national_coordinator")
    with freeze_time(START):
        first = send_service_referral(receiver=shelter)
        second = send_service_referral(receiver=lonely)
    with freeze_time(START + datetime.timedelta(days=2)):
        result = escalation.referrals_escalate_overdue()
    assert result.by_level == {"parent": 1, "national": 1}
    overdue = Notification.objects.filter(kind="referral.overdue")
    assert set(overdue.values_list("recipient_id", "subject_id")) == {
        (boss.pk, str(first.pk)),
        (national.pk, str(second.pk)),
    }


def test_closed_referrals_are_never_escalated(rules):
    dgaspc, officer, _ = _dgaspc_with_supervisor()
    with freeze_time(START):
        referral = send_service_referral(receiver=dgaspc)
        services.referral_reject(actor=officer, referral_id=referral.pk, reason="Wrong county.")
    with freeze_time(START + datetime.timedelta(days=90)):
        assert escalation.referrals_escalate_overdue().escalated == 0
    assert Referral.objects.get(pk=referral.pk).due_at is None


def test_the_command_reports_and_is_idempotent(rules, capsys):
    dgaspc, _, _ = _dgaspc_with_supervisor()
    with freeze_time(START):
        send_service_referral(receiver=dgaspc)
    with freeze_time(START + datetime.timedelta(days=2)):
        call_command("escalate_overdue_referrals")
        call_command("escalate_overdue_referrals")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "1 overdue referral(s) escalated (organisation: 1)",
        "0 overdue referral(s) escalated",
    ]


def _rules_in_working_days():
    """A later rules version whose service referrals are timed in working days."""
    raw = yaml.safe_load(default_files()[0].read_text(encoding="utf-8"))
    raw["version"] = "ro-nrm-test-working-days"
    raw["published_at"] = datetime.date(2026, 1, 1)
    for group in ("adult", "child"):
        raw["service_deadlines"][group] = {"respond_working_days": 1, "complete_working_days": 3}
    load_rules(parse_rules(raw))


def test_a_rule_in_working_days_skips_easter_and_the_timeline_agrees(rules):
    _rules_in_working_days()
    dgaspc, officer, _supervisor = _dgaspc_with_supervisor()
    # Thursday before Orthodox Easter 2026, 15:00 in Bucharest.
    thursday = datetime.datetime(2026, 4, 9, 12, 0, tzinfo=datetime.UTC)
    with freeze_time(thursday):
        referral = send_service_referral(receiver=dgaspc)
    assert referral.ruleset.version == "ro-nrm-test-working-days"
    # Good Friday, the weekend and Easter Monday are skipped: due Tuesday, same clock time.
    assert referral.due_at == datetime.datetime(2026, 4, 14, 12, 0, tzinfo=datetime.UTC)

    # Accepted on Friday 27 November: 3 working days skip the weekend, 30 November and
    # 1 December (holidays).
    accepted_at = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)
    with freeze_time(accepted_at):
        services.referral_accept(actor=officer, referral_id=referral.pk)
    referral.refresh_from_db()
    assert referral.due_at == datetime.datetime(2026, 12, 4, 8, 0, tzinfo=datetime.UTC)
    events = list(ReferralEvent.objects.filter(referral=referral))
    assert lifecycle.current_deadline(referral, events) == referral.due_at
