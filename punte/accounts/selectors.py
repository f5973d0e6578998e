from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from punte.accounts import selectors_auth
from punte.accounts.models import ApiToken, Membership, Organisation, Role, User, UserSession
from punte.core.errors import uuid_or_404
from punte.core.models import AuditEvent


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


# --- Administration --------------------------------------------------------------------------
# organisation.manage and user.manage act nationally (see permissions.py): an administrator sees
# every organisation and every account, active or not. Without the permission: nothing, and a
# single object is "not found" (Http404), never "forbidden", so that existence does not leak.


def _require_or_404(actor: Membership | None, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise Http404


def organisation_list_for_admin(
    *,
    actor: Membership,
    q: str = "",
    type: str = "",
    county: str = "",
    active: bool | None = None,
) -> QuerySet[Organisation]:
    if actor is None or not actor.has_perm("organisation.manage"):
        return Organisation.objects.none()
    qs = Organisation.objects.select_related("county", "parent").annotate(
        active_members=Count("memberships", filter=Q(memberships__is_active=True))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if type:
        qs = qs.filter(type=type)
    if county:
        qs = qs.filter(county_id=county)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("name")


def organisation_get_for_admin(*, actor: Membership, organisation_id) -> Organisation:
    _require_or_404(actor, "organisation.manage")
    organisation = (
        Organisation.objects.select_related("county", "parent")
        .filter(pk=uuid_or_404(organisation_id))
        .first()
    )
    if organisation is None:
        raise Http404
    return organisation


def organisation_choices_for_admin(
    *, actor: Membership, include_inactive: bool = False
) -> QuerySet[Organisation]:
    """Organisations to choose from in a membership form (active ones) or a filter (all)."""
    if actor is None or not (
        actor.has_perm("user.manage") or actor.has_perm("organisation.manage")
    ):
        return Organisation.objects.none()
    qs = (
        Organisation.objects.all()
        if include_inactive
        else Organisation.objects.filter(is_active=True)
    )
    return qs.order_by("name")


def user_list_for_admin(
    *, actor: Membership, q: str = "", organisation_id=None, active: bool | None = None
) -> QuerySet[User]:
    if actor is None or not actor.has_perm("user.manage"):
        return User.objects.none()
    qs = User.objects.all()
    for word in q.split()[:5]:
        qs = qs.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    if organisation_id:
        qs = qs.filter(
            memberships__organisation_id=organisation_id, memberships__is_active=True
        ).distinct()
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organisation", "role").order_by(
                "-is_active", "organisation__name"
            ),
        )
    ).order_by("last_name", "first_name", "username")


def user_get_for_admin(*, actor: Membership, user_id) -> User:
    _require_or_404(actor, "user.manage")
    user = User.objects.filter(pk=uuid_or_404(user_id)).first()
    if user is None:
        raise Http404
    return user


def memberships_of_user_for_admin(*, actor: Membership, user: User) -> QuerySet[Membership]:
    """Every membership of the user, ended ones too (they can be brought back)."""
    _require_or_404(actor, "user.manage")
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation", "role")
        .order_by("-is_active", "organisation__name")
    )


def membership_get_for_admin(*, actor: Membership, membership_id) -> Membership:
    _require_or_404(actor, "user.manage")
    membership = (
        Membership.objects.select_related("user", "organisation", "role")
        .filter(pk=uuid_or_404(membership_id))
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def role_list_for_admin(*, actor: Membership) -> list[Role]:
    """Every role with `permission_set`: the codes it holds now (read from RolePermission)."""
    _require_or_404(actor, "role.manage")
    roles = list(Role.objects.prefetch_related("grants").order_by("name"))
    for role in roles:
        role.permission_set = frozenset(grant.permission for grant in role.grants.all())
    return roles


def role_get_for_admin(*, actor: Membership, code: str) -> Role:
    _require_or_404(actor, "role.manage")
    role = Role.objects.prefetch_related("grants").filter(pk=code).first()
    if role is None:
        raise Http404
    role.permission_set = frozenset(grant.permission for grant in role.grants.all())
    return role


def role_choices_for_admin(*, actor: Membership) -> QuerySet[Role]:
    if actor is None or not actor.has_perm("user.manage"):
        return Role.objects.none()
    return Role.objects.order_by("name")


def apitoken_list_for_admin(*, actor: Membership, user: User) -> QuerySet[ApiToken]:
    _require_or_404(actor, "user.manage")
    return (
        ApiToken.objects.filter(membership__user=user)
        .select_related("membership__organisation", "membership__role")
        .order_by("-created_at")
    )


def apitoken_get_for_admin(*, actor: Membership, token_id) -> ApiToken:
    _require_or_404(actor, "user.manage")
    token = (
        ApiToken.objects.select_related("membership__user", "membership__organisation")
        .filter(pk=uuid_or_404(token_id))
        .first()
    )
    if token is None:
        raise Http404
    return token


def user_session_list_for_admin(*, actor: Membership, user: User) -> QuerySet[UserSession]:
    """The person's live sessions (address, browser, last activity), most recent first."""
    _require_or_404(actor, "user.manage")
    return selectors_auth.user_session_list(user=user)


def second_factor_counts_for_admin(*, actor: Membership, user: User) -> dict[str, int]:
    """How many authenticator apps, passkeys and unused recovery codes the person holds."""
    _require_or_404(actor, "user.manage")
    return selectors_auth.second_factor_counts(user=user)


def admin_history(*, actor: Membership, subjects, permission: str, limit: int = 30):
    """The latest audit events about administered objects (a user and their memberships, ...)."""
    _require_or_404(actor, permission)
    query = Q(pk__in=[])
    for subject in subjects:
        query |= Q(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
    # Sign-ins and sign-outs are the person's own doings, not administration: left out here.
    events = AuditEvent.objects.filter(query).exclude(action__startswith="auth.")
    return list(events.order_by("-occurred_at", "-id")[:limit])
