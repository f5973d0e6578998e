from __future__ import annotations

from django.db.models import QuerySet

from punte.accounts.models import Membership, Organisation, User


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation", "role")
        .order_by("organisation__name")
    )


def membership_acting_for(*, user: User, membership_id: str | None) -> Membership | None:
    """The membership chosen in this session, or the user's first active one."""
    memberships = memberships_of(user=user)
    if membership_id:
        chosen = memberships.filter(pk=membership_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def organisation_list_visible_to(*, actor: Membership) -> QuerySet[Organisation]:
    """The registry of organisations is visible to every member; managers also see inactive ones."""
    qs = Organisation.objects.select_related("county", "parent")
    if actor.has_perm("organisation.manage"):
        return qs
    if not actor.has_perm("organisation.view"):
        return qs.none()
    return qs.filter(is_active=True)
