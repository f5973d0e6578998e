"""The Role and RolePermission tables, kept in step with the roles and every app's defaults.

`seed_roles` is the one step that gives roles their defaults: it runs after every `migrate`
(post_migrate) and from `load_demo` and `manage.py seed_roles`. Each (role, permission) default
is offered once, recorded in DefaultGrantOffered: a permission an app adds to its DEFAULT_GRANTS
reaches existing roles on the next migrate, and a grant an administrator removed is never given
back. Grants an administrator added are never touched.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import translation

from punte.accounts.permissions import roles
from punte.core import audit


def seed_roles(*, reset: bool = False, using: str = DEFAULT_DB_ALIAS) -> int:
    """Create missing roles and give every role the defaults not yet offered to it. With reset,
    every role gets exactly its defaults again (names, scopes and grants).

    Returns the number of roles created or reset.
    """
    from punte.accounts.models import DefaultGrantOffered, Role, RolePermission

    touched = 0
    with transaction.atomic(using=using):
        for code, (label, scope, permissions) in roles().items():
            # Stored in English whatever language is active; pages show the translated label.
            with translation.override("en"):
                name = str(label)
            role, created = Role.objects.using(using).get_or_create(
                code=code, defaults={"name": name, "scope": scope}
            )
            if reset and not created:
                role.name, role.scope = name, scope
                role.save(using=using)
                RolePermission.objects.using(using).filter(role=role).delete()
                DefaultGrantOffered.objects.using(using).filter(role=role).delete()
            touched += created or reset
            offered = set(
                DefaultGrantOffered.objects.using(using)
                .filter(role=role)
                .values_list("permission", flat=True)
            )
            new = [p for p in permissions if p not in offered]
            if not new:
                continue
            held = set(
                RolePermission.objects.using(using)
                .filter(role=role)
                .values_list("permission", flat=True)
            )
            granted = [p for p in new if p not in held]
            RolePermission.objects.using(using).bulk_create(
                [RolePermission(role=role, permission=p) for p in granted]
            )
            DefaultGrantOffered.objects.using(using).bulk_create(
                [DefaultGrantOffered(role=role, permission=p) for p in new]
            )
            if granted and not created and not reset:
                # Who may do what changed without anyone acting in the administration pages:
                # the trail says so (a new role's first grants are its creation).
                audit.record(
                    action="role.default_permissions_granted",
                    subject=role,
                    changes={"added": sorted(granted)},
                )
    return touched


def offer_default_grants(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate, which is sent once per app after every app's migrations ran: act once."""
    if sender.name == "punte.accounts":
        seed_roles(using=using)
