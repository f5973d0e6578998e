"""Organisations: created, edited and (de)activated by the national agency's administrator."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from punte.accounts.models import Membership, Organisation, OrganisationType
from punte.accounts.services.common import checked_reason, merge_changes, require_permission
from punte.accounts.services.roles import ensure_role_manager_remains, lock_role_managers
from punte.core import audit
from punte.core.errors import ServiceError
from punte.core.models import County

_SLUG = re.compile(r"[a-z][a-z0-9-]{1,63}")


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    code: str
    type: str
    county_id: str | None = None
    parent_id: uuid.UUID | None = None
    email: str = ""

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.strip(),
            "code": self.code.strip().lower(),
            "type": self.type,
            "county_id": self.county_id or None,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "email": self.email.strip().lower(),
        }


def organisation_values(organisation: Organisation) -> dict[str, Any]:
    """The editable fields as plain values: what an edit form shows and `based_on` carries."""
    return {
        "name": organisation.name,
        "code": organisation.code,
        "type": organisation.type,
        "county_id": organisation.county_id,
        "parent_id": str(organisation.parent_id) if organisation.parent_id else None,
        "email": organisation.email,
    }


def _validate_organisation(values: dict[str, Any], *, instance: Organisation | None) -> None:
    if not values["name"]:
        raise ServiceError("name", _("Give the organisation's name."))
    if len(values["name"]) > 200:
        raise ServiceError("name", _("The name is longer than 200 characters."))
    if not _SLUG.fullmatch(values["code"]):
        raise ServiceError(
            "code",
            _("Use 2 to 64 lower-case letters, digits and hyphens, starting with a letter."),
        )
    same_code = Organisation.objects.filter(code=values["code"])
    if instance is not None:
        same_code = same_code.exclude(pk=instance.pk)
    if same_code.exists():
        raise ServiceError("code", _("Another organisation already uses this code."))
    if values["type"] not in OrganisationType.values:
        raise ServiceError("type", _("Unknown type of organisation."))
    if values["county_id"] and not County.objects.filter(pk=values["county_id"]).exists():
        raise ServiceError("county", _("Unknown county."))
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError as exc:
            raise ServiceError("email", _("Enter a valid e-mail address.")) from exc
    if values["parent_id"]:
        parent = Organisation.objects.filter(pk=values["parent_id"]).first()
        if parent is None:
            raise ServiceError("parent", _("Unknown parent organisation."))
        # Walk up from the parent: meeting the organisation itself would make a loop.
        seen: set[str] = set()
        node: Organisation | None = parent
        while node is not None and str(node.pk) not in seen:
            if instance is not None and node.pk == instance.pk:
                raise ServiceError(
                    "parent",
                    _("An organisation cannot sit under itself or one of its own units."),
                )
            seen.add(str(node.pk))
            node = node.parent


@transaction.atomic
def organisation_create(*, actor: Membership, data: OrganisationInput) -> Organisation:
    require_permission(actor, "organisation.manage")
    values = data.values()
    _validate_organisation(values, instance=None)
    organisation = Organisation.objects.create(
        **values, created_by=actor.user, modified_by=actor.user
    )
    audit.record(
        action="organisation.created",
        actor=actor,
        subject=organisation,
        changes={name: {"old": None, "new": value} for name, value in values.items()},
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: Membership,
    organisation: Organisation,
    data: OrganisationInput,
    based_on: dict[str, Any] | None = None,
) -> Organisation:
    require_permission(actor, "organisation.manage")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    values = data.values()
    _validate_organisation(values, instance=organisation)
    changes = merge_changes(organisation_values(organisation), values, based_on)
    if not changes:
        return organisation
    for name, change in changes.items():
        setattr(organisation, name, change["new"])
    organisation.modified_by = actor.user
    organisation.save(update_fields=[*changes, "modified_by", "modified_at"])
    audit.record(
        action="organisation.changed",
        actor=actor,
        subject=organisation,
        changes=changes,
    )
    return organisation


@transaction.atomic
def organisation_set_active(
    *, actor: Membership, organisation: Organisation, active: bool, reason: str
) -> Organisation:
    """Deactivate (its members lose access to it at their next request) or reactivate."""
    require_permission(actor, "organisation.manage")
    reason = checked_reason(reason)
    lock_role_managers()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_active == active:
        return organisation
    if not active and organisation.pk == actor.organisation_id:
        raise ServiceError(
            None, _("You cannot deactivate the organisation you are acting for."), status=409
        )
    organisation.is_active = active
    organisation.modified_by = actor.user
    organisation.save(update_fields=["is_active", "modified_by", "modified_at"])
    if not active:
        ensure_role_manager_remains(None)
    audit.record(
        action="organisation.reactivated" if active else "organisation.deactivated",
        actor=actor,
        subject=organisation,
        changes={"is_active": {"old": not active, "new": active}, "reason": reason},
    )
    return organisation
