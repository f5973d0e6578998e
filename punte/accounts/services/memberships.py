"""Memberships: a user in an organisation with a role; added, given another role, ended."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import ApiToken, Membership, Organisation, Role, User
from punte.accounts.services.common import checked_reason, require_permission
from punte.accounts.services.roles import (
    check_may_give,
    ensure_role_manager_remains,
    lock_role_managers,
)
from punte.core import audit
from punte.core.errors import ServiceError


def validate_assignment(actor: Membership, organisation: Organisation, role: Role) -> None:
    if not organisation.is_active:
        raise ServiceError("organisation", _("This organisation is deactivated."))
    if not Role.objects.filter(pk=role.pk).exists():
        raise ServiceError("role", _("Unknown role."))
    check_may_give(actor, role)


def record_membership_created(*, actor: Membership, membership: Membership) -> None:
    audit.record(
        action="membership.created",
        actor=actor,
        subject=membership,
        changes={
            "user": str(membership.user_id),
            "organisation": str(membership.organisation_id),
            "role": {"old": None, "new": membership.role_id},
        },
    )


@transaction.atomic
def membership_add(
    *, actor: Membership, user: User, organisation: Organisation, role: Role
) -> Membership:
    """Make the user a member of one more organisation (or bring back an ended membership)."""
    require_permission(actor, "user.manage")
    validate_assignment(actor, organisation, role)
    existing = (
        Membership.objects.select_for_update().filter(user=user, organisation=organisation).first()
    )
    if existing is not None and existing.is_active:
        raise ServiceError(
            "organisation",
            _("The user is already a member of this organisation; change the role instead."),
        )
    if existing is not None:
        old_role = existing.role_id
        existing.is_active, existing.role = True, role
        existing.modified_by = actor.user
        existing.save(update_fields=["is_active", "role", "modified_by", "modified_at"])
        audit.record(
            action="membership.reactivated",
            actor=actor,
            subject=existing,
            changes={
                "is_active": {"old": False, "new": True},
                "role": {"old": old_role, "new": role.pk},
            },
        )
        return existing
    membership = Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        created_by=actor.user,
        modified_by=actor.user,
    )
    record_membership_created(actor=actor, membership=membership)
    return membership


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: Role) -> Membership:
    require_permission(actor, "user.manage")
    lock_role_managers()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role_id == role.pk:
        return membership
    if not Role.objects.filter(pk=role.pk).exists():
        raise ServiceError("role", _("Unknown role."))
    check_may_give(actor, role)
    old_role = membership.role_id
    membership.role = role
    membership.modified_by = actor.user
    membership.save(update_fields=["role", "modified_by", "modified_at"])
    ensure_role_manager_remains("role")
    audit.record(
        action="membership.role_changed",
        actor=actor,
        subject=membership,
        changes={"role": {"old": old_role, "new": role.pk}},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Membership, membership: Membership, reason: str) -> Membership:
    """End a membership: at once for the web (it is re-read every request) and for its tokens."""
    require_permission(actor, "user.manage")
    reason = checked_reason(reason)
    lock_role_managers()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        return membership
    if membership.pk == actor.pk:
        raise ServiceError(None, _("You cannot end the membership you are acting in."), status=409)
    membership.is_active = False
    membership.modified_by = actor.user
    membership.save(update_fields=["is_active", "modified_by", "modified_at"])
    revoked = ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    ensure_role_manager_remains(None)
    audit.record(
        action="membership.deactivated",
        actor=actor,
        subject=membership,
        changes={
            "is_active": {"old": True, "new": False},
            "reason": reason,
            "tokens_revoked": revoked,
        },
    )
    return membership
