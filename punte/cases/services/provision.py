"""Services of the catalogue requested from the registry's providers, answered and delivered."""

from __future__ import annotations

import datetime
import decimal

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.accounts.models import Membership, Organisation
from punte.cases import lifecycle
from punte.cases.models import CaseEvent, CaseService, CaseServiceStatus, Unit
from punte.cases.notify import notify_managers, notify_provider
from punte.cases.services.common import as_uuid, history, locked_case, optional_text
from punte.core import audit
from punte.core import lifecycle as core_lifecycle
from punte.core.errors import ServiceError
from punte.identification.persons.models import PersonAccessReason
from punte.identification.persons.services import person_access_grant
from punte.referrals.models import ServiceOffering, ServiceType


@transaction.atomic
def case_service_request(
    *, actor: Membership, case_id, service: str, provider_id, note: str | None = None
) -> CaseService:
    """Ask a provider for a service of the catalogue; the provider must offer it in the case's
    county in the service registry."""
    case = locked_case(actor=actor, case_id=case_id)
    if service not in ServiceType.values:
        raise ServiceError(
            "service",
            _("Unknown service; expected one of %(values)s.")
            % {"values": ", ".join(ServiceType.values)},
        )
    pk = as_uuid(provider_id)
    provider = Organisation.objects.filter(pk=pk, is_active=True).first() if pk else None
    if provider is None:
        raise ServiceError("provider_id", _("No such active organisation."))
    offering = ServiceOffering.objects.filter(
        organisation=provider, service=service, county=case.county, archived_at__isnull=True
    ).first()
    if offering is None:
        raise ServiceError(
            "provider_id",
            _("%(organisation)s does not offer %(service)s in %(county)s (service registry).")
            % {
                "organisation": provider.name,
                "service": ServiceType(service).label,
                "county": case.county.name,
            },
        )
    note = optional_text(note, "note", limit=2000)
    requested = CaseService.objects.create(
        case=case,
        service=service,
        provider=provider,
        offering=offering,
        requested_by_organisation=actor.organisation,
        request_note=note or None,
        created_by=actor.user,
        modified_by=actor.user,
    )
    history(
        case,
        CaseEvent.Action.SERVICE_REQUESTED,
        actor=actor,
        at=requested.created_at,
        details={"service": service, "provider": str(provider.pk), "id": str(requested.pk)},
    )
    audit.record(
        action="case_service.requested",
        actor=actor,
        subject=requested,
        person_id=case.person_id,
        changes={"case": str(case.pk), "service": service, "provider": str(provider.pk)},
    )
    notify_provider(
        requested,
        kind="case_service.requested",
        message=gettext_lazy("%(organisation)s asks your organisation for %(service)s."),
        params={"organisation": actor.organisation.name, "service": ServiceType(service).label},
    )
    return requested


_ACTIONS = {
    CaseServiceStatus.ACCEPTED: CaseEvent.Action.SERVICE_ACCEPTED,
    CaseServiceStatus.DECLINED: CaseEvent.Action.SERVICE_DECLINED,
    CaseServiceStatus.DELIVERED: CaseEvent.Action.SERVICE_DELIVERED,
    CaseServiceStatus.CANCELLED: CaseEvent.Action.SERVICE_CANCELLED,
}
_TOLD = {
    CaseServiceStatus.ACCEPTED: gettext_lazy("%(organisation)s accepted to provide %(service)s."),
    CaseServiceStatus.DECLINED: gettext_lazy("%(organisation)s declined to provide %(service)s."),
    CaseServiceStatus.DELIVERED: gettext_lazy("%(organisation)s delivered %(service)s."),
    CaseServiceStatus.CANCELLED: gettext_lazy("%(organisation)s cancelled %(service)s."),
}


@transaction.atomic
def case_service_transition(
    *,
    actor: Membership,
    service_id,
    to_status: str,
    reason: str | None = None,
    delivered_from: datetime.date | None = None,
    delivered_to: datetime.date | None = None,
    units: decimal.Decimal | None = None,
    unit: str | None = None,
) -> CaseService:
    """Apply one transition of lifecycle.SERVICE_MACHINE. Delivery needs its dates and units;
    a service never accepted cannot be delivered (409 naming what is allowed). Nothing changes
    on a closed case."""
    from punte.cases.selectors import case_list_visible_to, service_list_for_provider

    pk = as_uuid(service_id)
    if pk is None:
        raise Http404
    visible = CaseService.objects.filter(
        pk__in=service_list_for_provider(actor=actor).values("pk")
    ) | CaseService.objects.filter(case__in=case_list_visible_to(actor=actor))

    def update(step):
        service = step.row
        if not service.case.is_active:
            raise ServiceError("status", _("This case is closed: it can only be reopened."), 409)
        if step.new == CaseServiceStatus.DELIVERED:
            _check_delivery(delivered_from, delivered_to, units, unit)
            service.delivered_from = delivered_from
            service.delivered_to = delivered_to
            service.units = units
            service.unit = unit
            return ["delivered_from", "delivered_to", "units", "unit"]
        if step.reason:
            service.reason = step.reason
            return ["reason"]
        return []

    def event(step):
        service = step.row
        details = {"service": service.service, "id": str(service.pk)}
        if step.new == CaseServiceStatus.DELIVERED:
            details |= {
                "from": delivered_from.isoformat(),
                "to": delivered_to.isoformat() if delivered_to else None,
                "units": str(units),
                "unit": unit,
            }
        return history(
            service.case,
            _ACTIONS[step.new],
            actor=step.actor,
            at=step.at,
            reason=step.reason,
            details=details,
        )

    def audit_entry(step):
        changes = {"status": {"old": step.old, "new": step.new}, "case": str(step.row.case_id)}
        if step.reason:
            changes["reason"] = audit.REDACTED
        if step.new == CaseServiceStatus.DELIVERED:
            changes["units"] = str(units)
        return core_lifecycle.AuditEntry(
            action=f"case_service.{step.new}",
            person_id=step.row.case.person_id,
            changes=changes,
        )

    def effects(step):
        service = step.row
        if step.new == CaseServiceStatus.ACCEPTED:
            # The provider now needs to know whom it serves: that person's record, no other.
            person_access_grant(
                actor=step.actor,
                person_id=service.case.person_id,
                organisation_id=service.provider_id,
                reason=PersonAccessReason.SERVICE,
                source=service,
            )
        params = {
            "organisation": step.actor.organisation.name,
            "service": ServiceType(service.service).label,
        }
        if step.new == CaseServiceStatus.CANCELLED:
            notify_provider(
                service, kind="case_service.cancelled", message=_TOLD[step.new], params=params
            )
        else:
            notify_managers(
                service.case,
                kind=f"case_service.{step.new}",
                message=_TOLD[step.new],
                params=params,
            )

    step = core_lifecycle.apply(
        lifecycle.SERVICE_MACHINE,
        actor=actor,
        to=to_status,
        queryset=CaseService.objects,
        pk=pk,
        visible=visible,
        reason=reason,
        update=update,
        event=event,
        audit_entry=audit_entry,
        effects=effects,
    )
    return step.row


def _check_delivery(delivered_from, delivered_to, units, unit) -> None:
    today = timezone.localdate()
    if delivered_from is None:
        raise ServiceError("delivered_from", _("Give the date the service started."))
    if delivered_from > today:
        raise ServiceError("delivered_from", _("A delivery cannot be recorded in the future."))
    if delivered_to is not None:
        if delivered_to < delivered_from:
            raise ServiceError("delivered_to", _("The end cannot be before the start."))
        if delivered_to > today:
            raise ServiceError("delivered_to", _("A delivery cannot be recorded in the future."))
    if units is None or units <= 0:
        raise ServiceError("units", _("Give how much was delivered (more than zero)."))
    if unit not in Unit.values:
        raise ServiceError("unit", _("Choose the unit of what was delivered."))
