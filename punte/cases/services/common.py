"""What every case service shares: locking a case the actor manages, the history row."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership, OrganisationType
from punte.cases.models import Case, CaseEvent
from punte.core.errors import ServiceError, uuid_or_404

# The organisations that manage assistance cases (DOMAIN.md §2.6): the agency's regional
# centres, the child-protection directorates and NGOs. A child's case is the directorate's.
CASE_MANAGER_TYPES = frozenset(
    {
        OrganisationType.REGIONAL_CENTRE,
        OrganisationType.CHILD_PROTECTION,
        OrganisationType.NGO,
    }
)
CHILD_CASE_MANAGER_TYPES = frozenset({OrganisationType.CHILD_PROTECTION})


def as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def locked_case(
    *, actor: Membership, case_id: uuid.UUID | str, active: bool = True, permission="case.manage"
) -> Case:
    """The case, locked, if the actor's organisation manages it and the actor holds
    `permission` (else not found); if `active`, refused when the case is closed."""
    from punte.cases.selectors import case_managed_by

    pk = uuid_or_404(case_id)
    if not actor.has_perm(permission):
        raise Http404
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner_organisation", "county")
        .filter(pk=pk)
        .first()
    )
    if case is None or not case_managed_by(actor=actor).filter(pk=pk).exists():
        raise Http404
    if active and not case.is_active:
        raise ServiceError("status", _("This case is closed: it can only be reopened."), status=409)
    return case


def history(
    case: Case,
    action: str,
    *,
    actor: Membership | None,
    at: datetime.datetime | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
    organisation=None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status or case.status,
        to_status=to_status or case.status,
        occurred_at=at or timezone.now(),
        actor=actor.user if actor is not None else None,
        organisation=organisation or (actor.organisation if actor is not None else None),
        reason=reason or None,
        details=details or {},
    )


def required_text(value: str | None, field: str, *, limit: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(field, _("This field is required."))
    if len(value) > limit:
        raise ServiceError(field, _("At most %(limit)d characters.") % {"limit": limit})
    return value


def optional_text(value: str | None, field: str, *, limit: int = 4000) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ServiceError(field, _("At most %(limit)d characters.") % {"limit": limit})
    return value
