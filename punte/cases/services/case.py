"""Opening, closing, reopening and transferring a case. Each service is one transaction."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.accounts.models import Membership, Organisation
from punte.cases import lifecycle
from punte.cases.models import (
    ACTIVE_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    CaseTransfer,
    ClosureReason,
    FollowUpStatus,
    TransferStatus,
)
from punte.cases.notify import notify_managers, notify_receiver, notify_supervisors
from punte.cases.services.common import (
    CASE_MANAGER_TYPES,
    CHILD_CASE_MANAGER_TYPES,
    as_uuid,
    history,
    locked_case,
    optional_text,
    required_text,
)
from punte.core import audit
from punte.core import lifecycle as core_lifecycle
from punte.core.errors import ServiceError
from punte.core.models import County
from punte.identification.persons.models import Person, PersonAccessReason
from punte.identification.persons.selectors import person_list_visible_to
from punte.identification.persons.services import person_access_grant, person_access_revoke
from punte.identification.screening.models import DecisionOutcome, IdentificationDecision
from punte.referrals.models import Referral, ReferralStatus


def _check_manager(actor: Membership, person: Person, field: str) -> bool:
    """The actor's organisation may manage this person's case; the child presumption."""
    if not actor.has_perm("case.manage"):
        raise ServiceError(None, _("Your role may not open assistance cases."), status=403)
    organisation = actor.organisation
    is_child = person.is_treated_as_child(timezone.localdate())
    allowed = CHILD_CASE_MANAGER_TYPES if is_child else CASE_MANAGER_TYPES
    if organisation.type not in allowed:
        if is_child:
            message = _(
                "A child's case is managed by the county's child-protection directorate; "
                "%(organisation)s is not one."
            )
        else:
            message = _(
                "Cases are managed by the agency's regional centres, child-protection "
                "directorates and NGOs; %(organisation)s is none of them."
            )
        raise ServiceError(field, message % {"organisation": organisation.name})
    return is_child


def _source(
    actor: Membership, referral_id, decision_id
) -> tuple[Person, Referral | None, IdentificationDecision | None]:
    if bool(referral_id) == bool(decision_id):
        raise ServiceError(
            "referral_id", _("Open the case from an accepted referral or from a decision.")
        )
    if referral_id:
        pk = as_uuid(referral_id)
        referral = (
            Referral.objects.select_related("person", "county").filter(pk=pk).first()
            if pk
            else None
        )
        if referral is None or referral.receiver_organisation_id != actor.organisation_id:
            raise ServiceError("referral_id", _("No referral received by your organisation."))
        if referral.status not in (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED):
            raise ServiceError(
                "referral_id",
                _("The referral is %(status)s: accept it before opening a case.")
                % {"status": referral.get_status_display().lower()},
            )
        return referral.person, referral, None
    pk = as_uuid(decision_id)
    decision = (
        IdentificationDecision.objects.select_related("person").filter(pk=pk).first()
        if pk
        else None
    )
    if (
        decision is None
        or decision.archived_at is not None
        or not person_list_visible_to(actor=actor).filter(pk=decision.person_id).exists()
    ):
        raise ServiceError("decision_id", _("No decision about a person you may see."))
    if decision.outcome == DecisionOutcome.NOT_A_VICTIM:
        raise ServiceError(
            "decision_id", _("The decision found the person not a victim: no case opens from it.")
        )
    return decision.person, None, decision


@transaction.atomic
def case_open(
    *,
    actor: Membership,
    referral_id: uuid.UUID | str | None = None,
    decision_id: uuid.UUID | str | None = None,
    county_code: str | None = None,
) -> Case:
    """Open the assistance case of the person of an accepted referral to the actor's
    organisation, or of an identification decision about a person it may see. One case at a
    time for a person: a closed one is reopened instead (its history stays)."""
    person, referral, decision = _source(actor, referral_id, decision_id)
    field = "referral_id" if referral else "decision_id"
    is_child = _check_manager(actor, person, field)
    county_code = county_code or (referral.county_id if referral else actor.organisation.county_id)
    county = County.objects.filter(code=county_code).first() if county_code else None
    if county is None:
        raise ServiceError("county", _("Not an ISO 3166-2:RO county code."))
    existing = Case.objects.filter(person=person, status__in=ACTIVE_STATUSES).first()
    if existing is not None:
        raise _already_open(existing, field)
    case = Case(
        person=person,
        owner_organisation=actor.organisation,
        county=county,
        referral=referral,
        decision=decision,
        is_child=is_child,
        created_by=actor.user,
        modified_by=actor.user,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        existing = Case.objects.filter(person=person, status__in=ACTIVE_STATUSES).first()
        if existing is not None:
            raise _already_open(existing, field) from None
        raise
    history(
        case,
        CaseEvent.Action.OPENED,
        actor=actor,
        at=case.created_at,
        from_status="",
        details={
            "referral": str(referral.pk) if referral else None,
            "decision": str(decision.pk) if decision else None,
        },
    )
    audit.record(
        action="case.opened",
        actor=actor,
        subject=case,
        person_id=person.pk,
        changes={
            "referral": str(referral.pk) if referral else None,
            "decision": str(decision.pk) if decision else None,
            "county": county.code,
            "is_child": is_child,
        },
    )
    # The case manager keeps the record open for the case's sake, whatever becomes of the
    # referral that brought the person.
    person_access_grant(
        actor=actor,
        person_id=person.pk,
        organisation_id=actor.organisation_id,
        reason=PersonAccessReason.CASE,
        source=case,
    )
    return case


def _already_open(existing: Case, field: str) -> ServiceError:
    return ServiceError(
        field,
        _("This person already has an open case (%(reference)s), managed by %(organisation)s.")
        % {"reference": existing.reference, "organisation": existing.owner_organisation.name},
    )


# --- Closure and reopening ------------------------------------------------------------------


def _case_step(
    actor: Membership, case_id, to: str, *, reason: str | None = None, update=None, effects=None
) -> Case:
    from punte.cases.selectors import case_list_visible_to

    pk = as_uuid(case_id)
    if pk is None:
        raise Http404
    step = core_lifecycle.apply(
        lifecycle.CASE_MACHINE,
        actor=actor,
        to=to,
        queryset=Case.objects,
        pk=pk,
        visible=case_list_visible_to(actor=actor),
        reason=reason,
        update=update,
        event=_case_event,
        audit_entry=_case_audit,
        effects=effects,
    )
    return step.row


def _case_event(step: core_lifecycle.Step) -> CaseEvent:
    action, _name = lifecycle.CASE_ACTIONS[step.new]
    details = {}
    if step.new == CaseStatus.CLOSURE_REQUESTED:
        details["closure_reason"] = step.row.closure_reason
    return history(
        step.row,
        action,
        actor=step.actor,
        at=step.at,
        reason=step.reason or step.extra.get("note"),
        from_status=step.old,
        to_status=step.new,
        details=details,
    )


def _case_audit(step: core_lifecycle.Step) -> core_lifecycle.AuditEntry:
    _action, name = lifecycle.CASE_ACTIONS[step.new]
    changes = {"status": {"old": step.old, "new": step.new}}
    if step.new == CaseStatus.CLOSURE_REQUESTED:
        changes["closure_reason"] = step.row.closure_reason
    if step.reason or step.extra.get("note"):
        changes["reason"] = audit.REDACTED
    return core_lifecycle.AuditEntry(action=name, person_id=step.row.person_id, changes=changes)


@transaction.atomic
def case_request_closure(
    *, actor: Membership, case_id, closure_reason: str, note: str | None = None
) -> Case:
    """Ask a supervisor to close the case, with a reason from the list. Refused while services
    are still open or a transfer is pending: they must be settled first."""
    if closure_reason not in ClosureReason.values:
        raise ServiceError(
            "closure_reason",
            _("Choose the reason for closing the case from the list.")
            if not closure_reason
            else _("Unknown closure reason; expected one of %(values)s.")
            % {"values": ", ".join(ClosureReason.values)},
        )
    note = optional_text(note, "note")

    def update(step):
        case = step.row
        from punte.cases.selectors import open_services_of

        if open_services_of(case).exists():
            raise ServiceError(
                "services",
                _("Services of this case are still open: record them delivered or cancel them."),
            )
        if case.transfers.filter(status=TransferStatus.REQUESTED).exists():
            raise ServiceError(
                "transfer", _("A transfer of this case is pending: settle it first.")
            )
        case.closure_reason = closure_reason
        case.closure_note = note or None
        step.extra["note"] = note
        return ["closure_reason", "closure_note"]

    def effects(step):
        notify_supervisors(
            step.row,
            kind="case.closure_requested",
            message=gettext_lazy(
                "Closure of case %(reference)s awaits your approval (%(reason)s)."
            ),
            params={
                "reference": step.row.reference,
                "reason": ClosureReason(closure_reason).label,
            },
        )

    return _case_step(actor, case_id, CaseStatus.CLOSURE_REQUESTED, update=update, effects=effects)


@transaction.atomic
def case_approve_closure(*, actor: Membership, case_id) -> Case:
    """A supervisor of the managing organisation closes the case. Of two supervisors at once,
    one closes it and the other is told it is closed (409). The team's memberships end and
    scheduled follow-ups are cancelled: a closed case is read-only."""

    def update(step):
        step.row.closed_at = step.at
        return ["closed_at"]

    def effects(step):
        from punte.cases.services.team import end_all_members

        case = step.row
        end_all_members(actor=actor, case=case, at=step.at)
        case.follow_ups.filter(status=FollowUpStatus.SCHEDULED).update(
            status=FollowUpStatus.CANCELLED, modified_at=step.at
        )
        notify_managers(
            case,
            kind="case.closed",
            message=gettext_lazy("Case %(reference)s was closed by %(organisation)s."),
            params={"reference": case.reference, "organisation": actor.organisation.name},
        )

    return _case_step(actor, case_id, CaseStatus.CLOSED, update=update, effects=effects)


@transaction.atomic
def case_refuse_closure(*, actor: Membership, case_id, reason: str) -> Case:
    def effects(step):
        notify_managers(
            step.row,
            kind="case.closure_refused",
            message=gettext_lazy("The closure of case %(reference)s was refused: see the case."),
            params={"reference": step.row.reference},
        )

    return _case_step(actor, case_id, CaseStatus.OPEN, reason=reason, effects=effects)


@transaction.atomic
def case_reopen(*, actor: Membership, case_id, reason: str) -> Case:
    """Reopen a closed case (the person is at risk again): its history stays, and it is the
    person's one active case again, unless another organisation opened one meanwhile."""

    def update(step):
        case = step.row
        other = (
            Case.objects.filter(person_id=case.person_id, status__in=ACTIVE_STATUSES)
            .exclude(pk=case.pk)
            .first()
        )
        if other is not None:
            raise _already_open(other, "status")
        case.times_reopened += 1
        case.closed_at = None
        return ["times_reopened", "closed_at"]

    def effects(step):
        person_access_grant(
            actor=actor,
            person_id=step.row.person_id,
            organisation_id=step.row.owner_organisation_id,
            reason=PersonAccessReason.CASE,
            source=step.row,
        )

    return _case_step(
        actor, case_id, CaseStatus.REOPENED, reason=reason, update=update, effects=effects
    )


# --- Transfers ------------------------------------------------------------------------------


@transaction.atomic
def case_transfer_request(
    *, actor: Membership, case_id, to_organisation_id, reason: str
) -> CaseTransfer:
    """Offer the case to another case-manager organisation; it changes hands when accepted."""
    case = locked_case(actor=actor, case_id=case_id)
    reason = required_text(reason, "reason")
    pk = as_uuid(to_organisation_id)
    receiver = Organisation.objects.filter(pk=pk).first() if pk else None
    if receiver is None or not receiver.is_active:
        raise ServiceError("to_organisation_id", _("No such active organisation."))
    if receiver.pk == case.owner_organisation_id:
        raise ServiceError(
            "to_organisation_id", _("The case is already managed by this organisation.")
        )
    allowed = CHILD_CASE_MANAGER_TYPES if case.is_child else CASE_MANAGER_TYPES
    if receiver.type not in allowed:
        raise ServiceError(
            "to_organisation_id",
            _("%(organisation)s cannot manage this case (a %(type)s).")
            % {"organisation": receiver.name, "type": receiver.get_type_display()},
        )
    if case.status == CaseStatus.CLOSURE_REQUESTED:
        raise ServiceError(
            "status",
            _("Closure of this case is requested: a supervisor decides first."),
            status=409,
        )
    if case.transfers.filter(status=TransferStatus.REQUESTED).exists():
        raise ServiceError("to_organisation_id", _("A transfer of this case is already pending."))
    now = timezone.now()
    transfer = CaseTransfer(
        case=case,
        from_organisation=case.owner_organisation,
        to_organisation=receiver,
        reason=reason,
        created_by=actor.user,
        modified_by=actor.user,
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:
        raise ServiceError(
            "to_organisation_id", _("A transfer of this case is already pending.")
        ) from None
    history(
        case,
        CaseEvent.Action.TRANSFER_REQUESTED,
        actor=actor,
        at=now,
        reason=reason,
        details={"transfer": str(transfer.pk), "to": str(receiver.pk)},
    )
    audit.record(
        action="case.transfer_requested",
        actor=actor,
        subject=case,
        person_id=case.person_id,
        changes={"to": str(receiver.pk), "reason": audit.REDACTED},
    )
    notify_receiver(
        transfer,
        kind="case.transfer_requested",
        message=gettext_lazy("%(organisation)s offers your organisation a case (%(county)s)."),
        params={"organisation": case.owner_organisation.name, "county": case.county.name},
    )
    return transfer


_TRANSFER_ACTIONS = {
    TransferStatus.ACCEPTED: CaseEvent.Action.TRANSFER_ACCEPTED,
    TransferStatus.DECLINED: CaseEvent.Action.TRANSFER_DECLINED,
    TransferStatus.WITHDRAWN: CaseEvent.Action.TRANSFER_WITHDRAWN,
}


@transaction.atomic
def case_transfer_decide(
    *, actor: Membership, transfer_id, to_status: str, reason: str | None = None
) -> CaseTransfer:
    """The receiver accepts or declines; the sender may withdraw. Accepting moves the case
    (its history, plan, services and team stay with it) and opens the person's record to the
    new manager; the former manager keeps what other grants give it."""
    from punte.cases.selectors import case_list_visible_to

    pk = as_uuid(transfer_id)
    if pk is None:
        raise Http404
    visible = CaseTransfer.objects.filter(case__in=case_list_visible_to(actor=actor))

    def update(step):
        transfer = step.row
        transfer.decided_at = step.at
        if step.new == TransferStatus.ACCEPTED:
            case = Case.objects.select_for_update().get(pk=transfer.case_id)
            if not case.is_active:
                raise ServiceError("status", _("The case was closed meanwhile."), status=409)
            case.owner_organisation_id = transfer.to_organisation_id
            case.modified_by = actor.user
            case.save(update_fields=["owner_organisation", "modified_by", "modified_at"])
        return ["decided_at"]

    def event(step):
        transfer = step.row
        return history(
            transfer.case,
            _TRANSFER_ACTIONS[step.new],
            actor=actor,
            at=step.at,
            reason=step.reason,
            details={
                "transfer": str(transfer.pk),
                "from": str(transfer.from_organisation_id),
                "to": str(transfer.to_organisation_id),
            },
        )

    def audit_entry(step):
        return core_lifecycle.AuditEntry(
            action=f"case_transfer.{step.new}",
            person_id=step.row.case.person_id,
            changes={
                "status": {"old": step.old, "new": step.new},
                "case": str(step.row.case_id),
                "reason": audit.REDACTED if step.reason else None,
            },
        )

    def effects(step):
        transfer = step.row
        case = Case.objects.select_related("owner_organisation", "county").get(pk=transfer.case_id)
        if step.new == TransferStatus.ACCEPTED:
            person_access_grant(
                actor=actor,
                person_id=case.person_id,
                organisation_id=transfer.to_organisation_id,
                reason=PersonAccessReason.CASE,
                source=case,
            )
            person_access_revoke(
                actor=actor,
                person_id=case.person_id,
                organisation_id=transfer.from_organisation_id,
                reason=PersonAccessReason.CASE,
                source=transfer,
            )
        params = {"reference": case.reference, "organisation": actor.organisation.name}
        messages = {
            TransferStatus.ACCEPTED: gettext_lazy("%(organisation)s took over case %(reference)s."),
            TransferStatus.DECLINED: gettext_lazy("%(organisation)s declined case %(reference)s."),
            TransferStatus.WITHDRAWN: gettext_lazy(
                "%(organisation)s withdrew its offer of case %(reference)s."
            ),
        }
        from punte.notifications.services import notify

        target = (
            transfer.to_organisation
            if step.new == TransferStatus.WITHDRAWN
            else transfer.from_organisation
        )
        notify(
            kind=f"case_transfer.{step.new}",
            message=messages[step.new],
            params=params,
            url="",
            subject=transfer,
            organisation=target,
            permission="case.manage",
        )

    step = core_lifecycle.apply(
        lifecycle.TRANSFER_MACHINE,
        actor=actor,
        to=to_status,
        queryset=CaseTransfer.objects,
        pk=pk,
        visible=visible,
        reason=reason,
        update=update,
        event=event,
        audit_entry=audit_entry,
        effects=effects,
    )
    return step.row
