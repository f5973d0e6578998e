"""Seeding the Role and RolePermission tables from the catalogue in permissions.py."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation

from punte.accounts.permissions import PERMISSIONS, ROLES


@transaction.atomic
def seed_roles(*, reset: bool = False, role_model=None, grant_model=None) -> int:
    """Create missing roles with their default permissions. With reset, restore every default.

    Returns the number of roles created or reset. Permissions an administrator granted or removed
    on an existing role are left alone unless `reset` is given.
    """
    from punte.accounts.models import Role, RolePermission

    role_model = role_model or Role
    grant_model = grant_model or RolePermission
    touched = 0
    for code, (label, scope, permissions) in ROLES.items():
        # Stored in English whatever language is active; pages show the translated label.
        with translation.override("en"):
            name = str(label)
        unknown = set(permissions) - set(PERMISSIONS)
        if unknown:
            raise ValueError(f"Role {code} names unknown permissions: {sorted(unknown)}")
        role, created = role_model.objects.get_or_create(
            code=code, defaults={"name": name, "scope": scope}
        )
        if created or reset:
            role.name, role.scope = name, scope
            role.save()
            grant_model.objects.filter(role=role).delete()
            grant_model.objects.bulk_create(
                [grant_model(role=role, permission=p) for p in permissions]
            )
            touched += 1
    return touched


def grant_missing(*, role_model, grant_model, grants: dict[str, list[str]]) -> None:
    """Give existing roles permissions introduced after they were seeded (for data migrations).

    Fresh databases get them from seed_roles; on older ones, every grant an administrator added
    or removed is left as it is, and only the named permissions a role lacks are added.
    """
    for role in role_model.objects.filter(code__in=list(grants)):
        held = set(grant_model.objects.filter(role=role).values_list("permission", flat=True))
        grant_model.objects.bulk_create(
            [grant_model(role=role, permission=p) for p in grants[role.code] if p not in held]
        )
