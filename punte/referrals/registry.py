"""Writes of the service registry (which organisation offers which service where)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership, Organisation
from punte.core import audit
from punte.core.errors import ServiceError
from punte.core.models import County
from punte.referrals.models import ServiceOffering, ServiceType
from punte.referrals.services import _uuid


def _require_manage(actor: Membership) -> None:
    if not actor.has_perm("service.manage"):
        raise ServiceError(None, _("Your role may not change the service registry."), status=403)


@transaction.atomic
def service_offering_create(
    *, actor: Membership, organisation_id, service: str, county_code: str, notes: str = ""
) -> ServiceOffering:
    _require_manage(actor)
    organisation = Organisation.objects.filter(pk=_uuid(organisation_id)).first()
    if organisation is None:
        raise ServiceError("organisation_id", _("No such organisation."))
    if not organisation.is_active:
        raise ServiceError("organisation_id", _("The organisation is inactive."))
    if service not in ServiceType.values:
        raise ServiceError(
            "service",
            _("Unknown service; expected one of %(values)s.")
            % {"values": ", ".join(ServiceType.values)},
        )
    county = County.objects.filter(code=county_code).first()
    if county is None:
        raise ServiceError("county", _("Not an ISO 3166-2:RO county code."))
    if ServiceOffering.objects.filter(
        organisation=organisation, service=service, county=county, archived_at__isnull=True
    ).exists():
        raise ServiceError(
            "service", _("The registry already lists this service of this organisation here.")
        )
    offering = ServiceOffering.objects.create(
        organisation=organisation,
        service=service,
        county=county,
        notes=notes,
        created_by=actor.user,
        modified_by=actor.user,
    )
    audit.record(
        action="service_offering.created",
        actor=actor,
        subject=offering,
        changes={"organisation": str(organisation.pk), "service": service, "county": county.code},
    )
    return offering


@transaction.atomic
def service_offering_archive(*, actor: Membership, offering_id, reason: str) -> ServiceOffering:
    _require_manage(actor)
    offering = (
        ServiceOffering.objects.select_for_update()
        .filter(pk=_uuid(offering_id), archived_at__isnull=True)
        .first()
    )
    if offering is None:
        raise Http404
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason", _("Give the reason."))
    offering.archived_at = timezone.now()
    offering.archive_reason = reason[:500]
    offering.modified_by = actor.user
    offering.save(update_fields=["archived_at", "archive_reason", "modified_by", "modified_at"])
    audit.record(
        action="service_offering.archived",
        actor=actor,
        subject=offering,
        changes={"reason": offering.archive_reason},
    )
    return offering
