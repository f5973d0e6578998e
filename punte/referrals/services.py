"""Every write of referrals and of the service registry.

Each service runs in one transaction: a refused request (ServiceError) changes nothing.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.accounts.models import Membership, Organisation, OrganisationType
from punte.core import audit
from punte.core import lifecycle as core_lifecycle
from punte.core.errors import ServiceError
from punte.core.models import County
from punte.identification.persons.models import Person, PersonAccessReason
from punte.identification.persons.services import person_access_grant, person_access_revoke
from punte.notifications.services import notify
from punte.referrals import lifecycle, routing
from punte.referrals.models import (
    OPEN_STATUSES,
    Referral,
    ReferralEvent,
    ReferralStatus,
    RoutingRule,
    RoutingRuleSet,
    ServiceOffering,
    ServiceType,
)
from punte.referrals.notify import (
    national_monitors,
    notify_receiver,
    notify_sender,
)
from punte.referrals.rules import current_ruleset

CONSENT_OK = ("child", "consented")


def _consent_state(person: Person, on: datetime.date) -> str:
    from punte.identification.screening.services.consent import referral_consent_state

    return referral_consent_state(person, on)


@dataclass(frozen=True)
class ReferralRequest:
    """One referral to send: by a rule (its code) or for a service, to an organisation."""

    receiver_organisation_id: uuid.UUID | str
    rule_code: str | None = None
    service: str | None = None


@dataclass
class SendResult:
    referrals: list[Referral]
    # Mandatory referrals no organisation could be found for (the national agency was told).
    unresolved: list[RoutingRule]


def _check_receiver(
    request: ReferralRequest,
    *,
    index: int,
    sender: Organisation,
    person: Person,
    county: County,
    rules: dict[str, RoutingRule],
    on: datetime.date,
) -> tuple[Organisation, RoutingRule | None, str]:
    field = f"referrals.{index}"
    receiver = Organisation.objects.filter(pk=_uuid(request.receiver_organisation_id)).first()
    if receiver is None:
        raise ServiceError(f"{field}.receiver_organisation_id", _("No such organisation."))
    if not receiver.is_active:
        raise ServiceError(
            f"{field}.receiver_organisation_id",
            _("%(organisation)s is inactive and cannot receive referrals.")
            % {"organisation": receiver.name},
        )
    if receiver.pk == sender.pk:
        raise ServiceError(
            f"{field}.receiver_organisation_id", _("An organisation cannot refer to itself.")
        )
    if bool(request.rule_code) == bool(request.service):
        raise ServiceError(field, _("Give either a routing rule or a service, not both."))
    if request.rule_code:
        rule = rules.get(request.rule_code)
        if rule is None:
            raise ServiceError(
                f"{field}.rule_code",
                _("%(code)s is not a rule of the routing rules in force.")
                % {"code": request.rule_code},
            )
        if not routing.rule_applies(rule, person=person, on=on):
            raise ServiceError(
                f"{field}.rule_code",
                _("The rule %(code)s does not apply to this person.") % {"code": rule.code},
            )
        if receiver.type != rule.target_type:
            raise ServiceError(
                f"{field}.receiver_organisation_id",
                _("The rule %(code)s refers to a %(type)s; %(organisation)s is not one.")
                % {"code": rule.code, "type": rule.target_label, "organisation": receiver.name},
            )
        return receiver, rule, ""
    if request.service not in ServiceType.values:
        raise ServiceError(
            f"{field}.service",
            _("Unknown service; expected one of %(values)s.")
            % {"values": ", ".join(ServiceType.values)},
        )
    offers = ServiceOffering.objects.filter(
        organisation=receiver, service=request.service, county=county, archived_at__isnull=True
    ).exists()
    if not offers:
        raise ServiceError(
            f"{field}.receiver_organisation_id",
            _("%(organisation)s does not offer %(service)s in %(county)s (service registry).")
            % {
                "organisation": receiver.name,
                "service": ServiceType(request.service).label,
                "county": county.name,
            },
        )
    return receiver, None, request.service


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@transaction.atomic
def referrals_send(
    *,
    actor: Membership,
    person: Person,
    county_code: str,
    requests: list[ReferralRequest],
    note: str | None = None,
    report_unresolved: bool = True,
) -> SendResult:
    """Send referrals for a person the actor may see (the caller opened the record).

    All or nothing: one refused request refuses them all. Mandatory referrals no organisation
    could be found for are reported back and told to the national agency.
    """
    county, ruleset = _check_sending(actor=actor, county_code=county_code, requests=requests)
    today = timezone.localdate()
    is_child = person.is_treated_as_child(today)
    consent = _check_consent(person=person, is_child=is_child, on=today)
    checked = _checked_requests(
        actor=actor, person=person, county=county, ruleset=ruleset, requests=requests, on=today
    )
    now = timezone.now()
    sent = [
        _send_one(
            actor=actor,
            person=person,
            county=county,
            ruleset=ruleset,
            choice=choice,
            is_child=is_child,
            consent=consent,
            note=note,
            at=now,
        )
        for choice in checked
    ]
    unresolved = []
    if report_unresolved:
        unresolved = _report_unresolved(
            actor=actor, person=person, county=county, ruleset=ruleset, on=today
        )
    return SendResult(referrals=sent, unresolved=unresolved)


@dataclass(frozen=True)
class _Choice:
    """A checked request: where it goes, and by which rule or for which service."""

    index: int
    receiver: Organisation
    rule: RoutingRule | None
    service: str


def _check_sending(
    *, actor: Membership, county_code: str, requests: list[ReferralRequest]
) -> tuple[County, RoutingRuleSet]:
    if not actor.has_perm("referral.send"):
        raise ServiceError(None, _("Your role may not send referrals."), status=403)
    if not requests:
        raise ServiceError("referrals", _("Choose at least one referral to send."))
    county = County.objects.filter(code=county_code).first()
    if county is None:
        raise ServiceError("county", _("Not an ISO 3166-2:RO county code."))
    ruleset = current_ruleset()
    if ruleset is None:
        raise ServiceError(
            None, _("No routing rules are loaded: run manage.py load_routing_rules."), status=503
        )
    return county, ruleset


def _check_consent(*, person: Person, is_child: bool, on: datetime.date) -> str:
    consent = _consent_state(person, on)
    if not is_child and consent not in CONSENT_OK:
        labels = {
            "refused": _("refused"),
            "withdrawn": _("withdrawn"),
            "not_asked": _("not asked yet"),
        }
        raise ServiceError(
            "person",
            _(
                "This adult's consent to referral is %(state)s: a referral cannot be sent "
                "without it. Inform them of their rights and record their decision; without "
                "consent, record an anonymous notification instead."
            )
            % {"state": labels.get(consent, consent)},
        )
    return consent


def _checked_requests(
    *,
    actor: Membership,
    person: Person,
    county: County,
    ruleset: RoutingRuleSet,
    requests: list[ReferralRequest],
    on: datetime.date,
) -> list[_Choice]:
    """Each request's receiver and rule or service, refused if asked twice or already open."""
    rules = {rule.code: rule for rule in ruleset.rules.all()}
    checked: list[_Choice] = []
    seen = set()
    for index, request in enumerate(requests):
        receiver, rule, service = _check_receiver(
            request,
            index=index,
            sender=actor.organisation,
            person=person,
            county=county,
            rules=rules,
            on=on,
        )
        key = (receiver.pk, rule.pk if rule else None, service)
        if key in seen:
            raise ServiceError(f"referrals.{index}", _("This referral is asked for twice."))
        seen.add(key)
        choice = _Choice(index=index, receiver=receiver, rule=rule, service=service)
        # Refused early with the request's place named; the database's constraint refuses what
        # a concurrent send commits between this read and the insert (_send_one).
        if _open_duplicates(person, choice).exists():
            raise _duplicate_error(choice)
        checked.append(choice)
    return checked


def _open_duplicates(person: Person, choice: _Choice):
    """Open referrals of the person to the same organisation by the same rule (of the same
    rules version) or for the same service: what the constraints referral_open_unique_* hold."""
    duplicates = Referral.objects.filter(
        person=person, receiver_organisation=choice.receiver, status__in=OPEN_STATUSES
    )
    if choice.rule is not None:
        return duplicates.filter(rule=choice.rule)
    return duplicates.filter(service=choice.service)


def _duplicate_error(choice: _Choice) -> ServiceError:
    return ServiceError(
        f"referrals.{choice.index}",
        _("An open referral of this person to %(organisation)s for this already exists.")
        % {"organisation": choice.receiver.name},
    )


def _send_one(
    *,
    actor: Membership,
    person: Person,
    county: County,
    ruleset: RoutingRuleSet,
    choice: _Choice,
    is_child: bool,
    consent: str,
    note: str | None,
    at: datetime.datetime,
) -> Referral:
    sender = actor.organisation
    referral = Referral(
        person=person,
        sender_organisation=sender,
        receiver_organisation=choice.receiver,
        county=county,
        ruleset=ruleset,
        rule=choice.rule,
        service=choice.service,
        status=ReferralStatus.SENT,
        is_child=is_child,
        consent_state=consent,
        note=note or None,
        created_by=actor.user,
        modified_by=actor.user,
    )
    referral.due_at = lifecycle.deadline_after(
        ReferralStatus.SENT, at, lifecycle.deadlines_of(referral)
    )
    try:
        # A savepoint, so that a refused insert leaves the transaction usable for the answer.
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        if _open_duplicates(person, choice).exists():
            raise _duplicate_error(choice) from None
        raise
    ReferralEvent.objects.create(
        referral=referral,
        action=ReferralEvent.Action.SENT,
        from_status="",
        to_status=ReferralStatus.SENT,
        occurred_at=at,
        actor=actor.user,
        organisation=sender,
        due_at=referral.due_at,
    )
    audit.record(
        action="referral.sent",
        actor=actor,
        subject=referral,
        person_id=person.pk,
        changes={
            "receiver": str(choice.receiver.pk),
            "rule": choice.rule.code if choice.rule else None,
            "service": choice.service or None,
            "due_at": referral.due_at.isoformat(),
            "consent": consent,
        },
    )
    notify_receiver(
        referral,
        kind="referral.received",
        message=gettext_lazy(
            "New referral (%(purpose)s) from %(organisation)s: answer by %(due)s."
        ),
        params={
            "purpose": referral.purpose,
            "organisation": sender.name,
            "due": referral.due_at,
        },
    )
    return referral


def _report_unresolved(
    *,
    actor: Membership,
    person: Person,
    county: County,
    ruleset: RoutingRuleSet,
    on: datetime.date,
) -> list[RoutingRule]:
    """Mandatory referrals no organisation could be found for: audited, and the national
    agency is told."""
    proposals = routing.route(
        person=person, county=county, sender=actor.organisation, ruleset=ruleset, on=on
    ).unresolved
    unresolved = [p.rule for p in proposals]
    for rule in unresolved:
        audit.record(
            action="referral.unresolved",
            actor=actor,
            subject=rule,
            person_id=person.pk,
            changes={"rule": rule.code, "county": county.code},
        )
        notify(
            kind="referral.unresolved",
            message=gettext_lazy(
                "A mandatory referral (%(type)s, %(county)s) found no registered "
                "organisation: register one in the service registry or the organisations."
            ),
            params={"type": OrganisationType(rule.target_type).label, "county": county.name},
            url=reverse("referrals:overdue"),
            subject=rule,
            recipients=national_monitors(),
        )
    return unresolved


# --- The lifecycle ----------------------------------------------------------------------------

_RESULT_MESSAGES = {
    ReferralStatus.ACCEPTED: gettext_lazy("%(organisation)s accepted your referral (%(purpose)s)."),
    ReferralStatus.REJECTED: gettext_lazy("%(organisation)s rejected your referral (%(purpose)s)."),
    ReferralStatus.COMPLETED: gettext_lazy(
        "%(organisation)s completed your referral (%(purpose)s)."
    ),
    ReferralStatus.WITHDRAWN: gettext_lazy(
        "%(organisation)s withdrew a referral (%(purpose)s) sent to you."
    ),
}


@transaction.atomic
def referral_transition(
    *, actor: Membership, referral_id: uuid.UUID | str, to_status: str, reason: str | None = None
) -> Referral:
    """Apply one transition of the table in lifecycle.TRANSITIONS. The referral row is locked,
    so of two people accepting at once one succeeds and the other is told it is accepted."""
    from punte.referrals.selectors import referral_list_visible_to

    pk = _uuid(referral_id)
    if pk is None:
        raise Http404
    step = core_lifecycle.apply(
        lifecycle.MACHINE,
        actor=actor,
        to=to_status,
        queryset=Referral.objects,
        pk=pk,
        visible=referral_list_visible_to(actor=actor),
        reason=reason,
        update=_open_step,
        event=_referral_event,
        audit_entry=_transition_audit,
        effects=_after_transition,
    )
    return step.row


def _open_step(step: core_lifecycle.Step) -> list[str]:
    """The new status opens its step's deadline (none once the referral ends), not escalated."""
    referral = step.row
    referral.due_at = lifecycle.deadline_after(step.new, step.at, lifecycle.deadlines_of(referral))
    referral.escalated_at = None
    return ["due_at", "escalated_at"]


def _referral_event(step: core_lifecycle.Step) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=step.row,
        action=step.new,
        from_status=step.old,
        to_status=step.new,
        occurred_at=step.at,
        actor=step.actor.user,
        organisation=step.actor.organisation,
        reason=step.reason or None,
        due_at=step.row.due_at,
    )


def _transition_audit(step: core_lifecycle.Step) -> core_lifecycle.AuditEntry:
    referral = step.row
    return core_lifecycle.AuditEntry(
        action=f"referral.{step.new}",
        person_id=referral.person_id,
        changes={
            "status": {"old": step.old, "new": step.new},
            "reason": audit.REDACTED if step.reason else None,
            "due_at": referral.due_at.isoformat() if referral.due_at else None,
        },
    )


def _after_transition(step: core_lifecycle.Step) -> None:
    referral, actor, to_status = step.row, step.actor, step.new
    if to_status == ReferralStatus.ACCEPTED:
        _grant_access(actor=actor, referral=referral)
    elif to_status == ReferralStatus.WITHDRAWN and step.old == ReferralStatus.ACCEPTED:
        _revoke_access(actor=actor, referral=referral)

    params = {"organisation": actor.organisation.name, "purpose": referral.purpose}
    if to_status == ReferralStatus.WITHDRAWN:
        notify_receiver(
            referral,
            kind="referral.withdrawn",
            message=_RESULT_MESSAGES[to_status],
            params=params,
        )
    else:
        notify_sender(
            referral,
            kind=f"referral.{to_status}",
            message=_RESULT_MESSAGES[to_status],
            params=params,
        )


def referral_accept(*, actor: Membership, referral_id) -> Referral:
    return referral_transition(actor=actor, referral_id=referral_id, to_status="accepted")


def referral_reject(*, actor: Membership, referral_id, reason: str) -> Referral:
    return referral_transition(
        actor=actor, referral_id=referral_id, to_status="rejected", reason=reason
    )


def referral_complete(*, actor: Membership, referral_id) -> Referral:
    return referral_transition(actor=actor, referral_id=referral_id, to_status="completed")


def referral_withdraw(*, actor: Membership, referral_id, reason: str) -> Referral:
    return referral_transition(
        actor=actor, referral_id=referral_id, to_status="withdrawn", reason=reason
    )


def _grant_access(*, actor: Membership, referral: Referral) -> None:
    """The receiving organisation may now open this person's record, and no other."""
    person_access_grant(
        actor=actor,
        person_id=referral.person_id,
        organisation_id=referral.receiver_organisation_id,
        reason=PersonAccessReason.REFERRAL,
        source=referral,
    )


def _revoke_access(*, actor: Membership, referral: Referral) -> None:
    """A withdrawn referral ends the access it gave, unless another referral of the person to
    the same organisation still stands (accepted or completed)."""
    still = Referral.objects.filter(
        person_id=referral.person_id,
        receiver_organisation_id=referral.receiver_organisation_id,
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED],
    ).exclude(pk=referral.pk)
    if still.exists():
        return
    person_access_revoke(
        actor=actor,
        person_id=referral.person_id,
        organisation_id=referral.receiver_organisation_id,
        reason=PersonAccessReason.REFERRAL,
        source=referral,
    )
