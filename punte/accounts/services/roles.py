"""Roles: the permissions each holds, who may give which role, and the last role manager.

Every change that could leave nobody able to manage roles locks the roles holding role.manage
first (`lock_role_managers`) and checks afterwards, inside its transaction, that an active role
manager remains (`ensure_role_manager_remains`): organisations, users and memberships call both.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from punte.accounts.models import Membership, Role, RolePermission
from punte.accounts.permissions import catalogue
from punte.accounts.services.common import require_permission
from punte.core import audit
from punte.core.errors import ServiceError

ADMIN_PERMISSIONS = ("organisation.manage", "user.manage", "role.manage")


def role_managers() -> QuerySet[Membership]:
    """Memberships through which an active user can manage roles right now."""
    return Membership.objects.filter(
        is_active=True,
        user__is_active=True,
        organisation__is_active=True,
        role__grants__permission="role.manage",
    )


def lock_role_managers() -> None:
    """Serialise every change that could remove the last role manager (see ensure_...)."""
    list(
        Role.objects.select_for_update(of=("self",))
        .filter(grants__permission="role.manage")
        .values_list("pk", flat=True)
    )


def ensure_role_manager_remains(field: str | None) -> None:
    """Refuse, and so roll back, a change that leaves nobody able to manage roles.

    Without an active role manager nobody could grant the permission back: the administration
    would be locked out for good. Called after the change, inside its transaction.
    """
    if not role_managers().exists():
        raise ServiceError(
            field,
            _(
                "This would leave no active user who can manage roles, and nobody could undo "
                "it. Give another active user a role that holds role.manage first."
            ),
            status=409,
        )


def check_may_give(actor: Membership, role: Role) -> None:
    """Giving a role that administers (organisation/user/role.manage) needs those powers oneself:
    otherwise a user manager could make anyone, themselves included, a role manager."""
    granted = set(RolePermission.objects.filter(role=role).values_list("permission", flat=True))
    lacking = sorted((granted & set(ADMIN_PERMISSIONS)) - actor.permission_codes)
    if lacking:
        raise ServiceError(
            "role",
            _("You cannot give a role that holds %(permissions)s: your own role does not.")
            % {"permissions": ", ".join(lacking)},
        )


@transaction.atomic
def role_permissions_set(
    *,
    actor: Membership,
    role: Role,
    permissions: Iterable[str],
    based_on: Iterable[str] | None = None,
) -> Role:
    """Set the permissions a role holds. Takes effect at the next request of every holder.

    With `based_on` (the permissions the submitter's form showed), only what the submitter
    ticked or unticked is applied, so two administrators editing one role do not undo each other.
    """
    require_permission(actor, "role.manage")
    wanted = set(permissions)
    unknown = sorted(wanted - set(catalogue()))
    if unknown:
        raise ServiceError(
            "permissions", _("Unknown permissions: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    lock_role_managers()
    role = Role.objects.select_for_update().get(pk=role.pk)
    current = set(RolePermission.objects.filter(role=role).values_list("permission", flat=True))
    if based_on is not None:
        seen = set(based_on)
        wanted = (current | (wanted - seen)) - (seen - wanted)
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if not added and not removed:
        return role
    RolePermission.objects.filter(role=role, permission__in=removed).delete()
    RolePermission.objects.bulk_create(
        [RolePermission(role=role, permission=code) for code in added]
    )
    if "role.manage" in removed:
        ensure_role_manager_remains("permissions")
    audit.record(
        action="role.permissions_changed",
        actor=actor,
        subject=role,
        changes={
            "permissions": {"old": sorted(current), "new": sorted(wanted)},
            "added": added,
            "removed": removed,
        },
    )
    return role
