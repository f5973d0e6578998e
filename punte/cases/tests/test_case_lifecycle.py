"""Opening, closing (a supervisor approves), reopening and transferring a case: what the case
manager and the supervisor would notice, and bad input refused naming the field with nothing
written."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases import selectors, services
from punte.cases.models import Case, CaseEvent, CaseStatus
from punte.cases.tests.factories import (
    accepted_service,
    closure_requested,
    manager_of,
    open_case,
    supervisor_of,
)
from punte.core.errors import ServiceError
from punte.core.lifecycle import TransitionNotAllowed
from punte.core.models import AuditEvent
from punte.identification.persons.models import PersonAccess
from punte.identification.persons.selectors import person_list_visible_to
from punte.referrals.tests.factories import send_service_referral
from punte.referrals.tests.helpers import child

pytestmark = pytest.mark.django_db


def _actions(case):
    return list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))


def test_a_childs_case_opens_from_the_accepted_referral_with_history_audit_and_access():
    case = open_case(is_child=True)
    assert case.status == CaseStatus.OPEN and case.is_child
    assert case.owner_organisation.type == OrganisationType.CHILD_PROTECTION
    assert _actions(case) == ["opened"]
    assert AuditEvent.objects.filter(action="case.opened", person_id=case.person_id).exists()
    grant = PersonAccess.objects.get(
        organisation=case.owner_organisation, person=case.person, reason="case"
    )
    assert grant.revoked_at is None


def test_a_childs_case_is_refused_to_an_ngo_naming_the_referral():
    ngo_manager = manager_of(OrganisationFactory(type=OrganisationType.NGO))
    with pytest.raises(ServiceError) as refused:
        open_case(manager=ngo_manager, is_child=True)
    assert refused.value.field == "referral_id"
    assert not Case.objects.exists()


def test_a_referral_not_yet_accepted_opens_no_case():
    dgaspc = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION)
    referral = send_service_referral(receiver=dgaspc)
    with pytest.raises(ServiceError) as refused:
        services.case_open(actor=manager_of(dgaspc), referral_id=referral.pk)
    assert refused.value.field == "referral_id"
    assert not Case.objects.exists()


def test_one_active_case_per_person_a_second_is_refused():
    case = open_case(is_child=True)
    other = manager_of(OrganisationFactory(type=OrganisationType.CHILD_PROTECTION))
    with pytest.raises(ServiceError) as refused:
        open_case(manager=other, person=case.person)
    assert refused.value.field == "referral_id"
    assert case.reference in refused.value.message
    assert Case.objects.count() == 1


def test_closing_without_a_reason_is_refused_naming_the_field_and_nothing_changes():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    for reason in ("", "because"):
        with pytest.raises(ServiceError) as refused:
            services.case_request_closure(actor=manager, case_id=case.pk, closure_reason=reason)
        assert refused.value.field == "closure_reason"
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert _actions(case) == ["opened"]


def test_closure_waits_for_open_services_to_be_settled():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    accepted_service(case, manager=manager)
    with pytest.raises(ServiceError) as refused:
        services.case_request_closure(
            actor=manager, case_id=case.pk, closure_reason="goals_achieved"
        )
    assert refused.value.field == "services"
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_only_a_supervisor_of_the_owner_approves_and_a_closed_case_is_read_only():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    closure_requested(case, manager=manager)
    # The case manager's role may not approve: as if the action did not exist.
    with pytest.raises(Http404):
        services.case_approve_closure(actor=manager, case_id=case.pk)
    # A supervisor elsewhere does not see the case at all.
    with pytest.raises(Http404):
        services.case_approve_closure(
            actor=supervisor_of(OrganisationFactory(type=OrganisationType.NGO)), case_id=case.pk
        )
    services.case_approve_closure(actor=supervisor_of(case.owner_organisation), case_id=case.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.closure_reason == "goals_achieved"
    # Read-only except for reopening.
    with pytest.raises(ServiceError) as refused:
        services.follow_up_schedule(
            actor=manager,
            case_id=case.pk,
            due_at=timezone.now() + datetime.timedelta(days=1),
            purpose="Call",
        )
    assert refused.value.status == 409
    with pytest.raises(TransitionNotAllowed):
        services.case_request_closure(
            actor=manager, case_id=case.pk, closure_reason="goals_achieved"
        )


def test_a_supervisor_refuses_a_closure_with_a_reason():
    case = open_case()
    closure_requested(case, manager=manager_of(case.owner_organisation))
    supervisor = supervisor_of(case.owner_organisation)
    with pytest.raises(ServiceError) as refused:
        services.case_refuse_closure(actor=supervisor, case_id=case.pk, reason=" ")
    assert refused.value.field == "reason"
    services.case_refuse_closure(actor=supervisor, case_id=case.pk, reason="Housing not found.")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert _actions(case)[-1] == "closure_refused"


def test_reopening_keeps_the_history_and_counts():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    closure_requested(case, manager=manager)
    services.case_approve_closure(actor=supervisor_of(case.owner_organisation), case_id=case.pk)
    with pytest.raises(ServiceError) as refused:
        services.case_reopen(actor=manager, case_id=case.pk, reason="")
    assert refused.value.field == "reason"
    services.case_reopen(actor=manager, case_id=case.pk, reason="Recruited again in Italy.")
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED and case.times_reopened == 1
    assert _actions(case) == ["opened", "closure_requested", "closed", "reopened"]
    # Worked on again: a follow-up can be scheduled.
    services.follow_up_schedule(
        actor=manager,
        case_id=case.pk,
        due_at=timezone.now() + datetime.timedelta(days=2),
        purpose="Visit",
    )


def test_a_transfer_moves_the_case_when_the_receiver_accepts_and_keeps_the_history():
    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation)
    receiver = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION, county_id="RO-IS")
    # A child's case goes to a child-protection directorate only.
    with pytest.raises(ServiceError) as refused:
        services.case_transfer_request(
            actor=manager,
            case_id=case.pk,
            to_organisation_id=OrganisationFactory(type=OrganisationType.NGO).pk,
            reason="Moved.",
        )
    assert refused.value.field == "to_organisation_id"
    transfer = services.case_transfer_request(
        actor=manager, case_id=case.pk, to_organisation_id=receiver.pk, reason="Moved to Iași."
    )
    receiving = manager_of(receiver, role_code="child_protection_officer")
    # Offered: the receiver sees the case, but not yet the person's record.
    assert selectors.case_list_visible_to(actor=receiving).filter(pk=case.pk).exists()
    assert not person_list_visible_to(actor=receiving).filter(pk=case.person_id).exists()
    # The sender cannot accept its own offer.
    with pytest.raises(ServiceError) as refused:
        services.case_transfer_decide(actor=manager, transfer_id=transfer.pk, to_status="accepted")
    assert refused.value.status == 403
    services.case_transfer_decide(actor=receiving, transfer_id=transfer.pk, to_status="accepted")
    case.refresh_from_db()
    assert case.owner_organisation_id == receiver.pk
    assert _actions(case) == ["opened", "transfer_requested", "transfer_accepted"]
    assert person_list_visible_to(actor=receiving).filter(pk=case.person_id).exists()
    # The former manager no longer manages it.
    with pytest.raises(Http404):
        services.case_request_closure(
            actor=manager, case_id=case.pk, closure_reason="goals_achieved"
        )


def test_a_childs_case_cannot_be_reopened_while_another_is_active():
    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation)
    closure_requested(case, manager=manager)
    services.case_approve_closure(actor=supervisor_of(case.owner_organisation), case_id=case.pk)
    second = open_case(is_child=True, person=case.person)
    assert second.pk != case.pk
    with pytest.raises(ServiceError) as refused:
        services.case_reopen(actor=manager, case_id=case.pk, reason="Again.")
    assert second.reference in refused.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_case_opens_from_an_identification_decision():
    from punte.identification.screening.services.decisions import decision_record

    dgaspc = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION)
    officer = manager_of(dgaspc, role_code="child_protection_officer")
    person = child(officer)
    prosecutor = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.PROSECUTION), role_code="prosecutor"
    )
    from punte.identification.persons.services import person_access_grant

    person_access_grant(
        actor=officer,
        person_id=person.pk,
        organisation_id=prosecutor.organisation_id,
        reason="referral",
    )
    decision = decision_record(
        actor=prosecutor,
        person=person,
        outcome="presumed_victim",
        decided_on=timezone.localdate(),
        grounds="Synthetic grounds.",
        exploitation_forms=["begging"],
    )
    case = services.case_open(actor=officer, decision_id=decision.pk)
    assert case.decision_id == decision.pk and case.referral_id is None
