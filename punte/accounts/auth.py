"""API authentication: bearer tokens for other systems, MFA-verified sessions for the browser."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from punte.accounts import selectors
from punte.accounts.models import ApiToken

TOKEN_PREFIX = "pnt"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token_secret() -> tuple[str, str]:
    """Returns (shown-once token, its lookup prefix)."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_expiry(days: int | None) -> timezone.datetime:
    return timezone.now() + timedelta(days=days or settings.PUNTE_API_TOKEN_DEFAULT_DAYS)


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token.startswith(f"{TOKEN_PREFIX}_") or len(token) > 128:
            return None
        found = (
            ApiToken.objects.select_related(
                "membership__user", "membership__organisation", "membership__role"
            )
            .filter(token_hash=hash_token(token))
            .first()
        )
        if found is None or not found.is_usable:
            return None
        membership = found.membership
        if not (membership.is_active and membership.user.is_active
                and membership.organisation.is_active):
            return None
        now = timezone.now()
        # Touch at most once a minute: a write on every request would cost more than it tells.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = membership.user
        request.membership = membership
        return membership


class SessionAuth(APIKeyCookie):
    """The web UI's own session, only once the second factor is verified; CSRF is enforced."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_verified():
            return None
        membership = getattr(request, "membership", None) or selectors.membership_acting_for(
            user=user, membership_id=None
        )
        request.membership = membership
        return membership
