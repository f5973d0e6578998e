"""Every write on organisations, users, memberships, roles and tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from punte.accounts import auth
from punte.accounts.models import ApiToken, Membership, User, UserSession
from punte.core import audit
from punte.core.errors import ServiceError


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@transaction.atomic
def apitoken_create(
    *, actor: User | None, membership: Membership, name: str, days: int | None = None
) -> IssuedToken:
    """Issue a bearer token bound to one membership. The secret is returned once, never stored."""
    if days is not None and not 1 <= days <= 366:
        raise ServiceError("days", "A token lives between 1 and 366 days.")
    if not name.strip():
        raise ServiceError("name", "Name the token after the system that will use it.")
    if not (membership.is_active and membership.user.is_active):
        raise ServiceError("membership", "Tokens can only be issued to an active membership.")
    secret, prefix = auth.new_token_secret()
    token = ApiToken.objects.create(
        membership=membership, name=name.strip(), prefix=prefix,
        token_hash=auth.hash_token(secret), expires_at=auth.token_expiry(days),
    )
    audit.record(
        action="apitoken.created", actor=actor, organisation=membership.organisation,
        subject=token, changes={"name": token.name, "prefix": prefix,
                                "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def apitoken_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        action="apitoken.revoked", actor=actor, organisation=token.membership.organisation,
        subject=token, changes={"prefix": token.prefix},
    )
    return token


def _end_sessions(user: User, *, keep: str | None = None) -> int:
    keys = list(
        UserSession.objects.filter(user=user).exclude(session_key=keep or "")
        .values_list("session_key", flat=True)
    )
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_sessions_end_all(*, actor: User, user: User, keep: str | None = None) -> int:
    """Log a user out everywhere (but, if given, the session they are using to ask)."""
    ended = _end_sessions(user, keep=keep)
    audit.record(action="user.sessions_ended", actor=actor, subject=user,
                 changes={"sessions": ended})
    return ended


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str) -> User:
    """Deactivate an account: its sessions end at once and its API tokens stop working."""
    if not reason.strip():
        raise ServiceError("reason", "Say why the account is deactivated.")
    if actor.pk == user.pk:
        raise ServiceError("user", "You cannot deactivate your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    revoked = ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit.record(
        action="user.deactivated", actor=actor, subject=user,
        changes={"is_active": {"old": True, "new": False}, "reason": reason.strip(),
                 "sessions_ended": ended, "tokens_revoked": revoked},
    )
    return user
