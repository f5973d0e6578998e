"""API authentication: bearer tokens for other systems, MFA-verified sessions for the browser.

A bearer token is `pnt_<prefix>_<secret>`; only its SHA-256 is stored. A request that presents
a token is judged by that token alone: if it is unknown, expired or revoked, or its user,
membership or organisation is inactive, the answer is 401 and the session cookie (if any) is not
consulted. A browser session is used only when no Authorization header is sent, and then its
POSTs need the CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from punte.accounts import selectors
from punte.accounts.models import ApiToken, Membership

TOKEN_PREFIX = "pnt"
MAX_TOKEN_LENGTH = 128
# Touch last_used_at at most this often: a write on every request would cost more than it tells.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token_secret() -> tuple[str, str]:
    """Returns (shown-once token, its lookup prefix)."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_expiry(days: int | None) -> datetime:
    return timezone.now() + timedelta(days=days or settings.PUNTE_API_TOKEN_DEFAULT_DAYS)


@dataclass(frozen=True)
class TokenCheck:
    token: ApiToken | None
    refusal: str | None  # why the token is refused, None if it is good

    @property
    def membership(self) -> Membership | None:
        return self.token.membership if self.token is not None and not self.refusal else None


_CACHE_ATTR = "_punte_token_check"


def check_token(request, raw: str) -> TokenCheck:
    """Judge a presented bearer token; the answer is cached on the request (the idempotency
    middleware asks before the API does)."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None and cached[0] == raw:
        return cached[1]
    result = _check_token(raw)
    setattr(request, _CACHE_ATTR, (raw, result))
    return result


def _check_token(raw: str) -> TokenCheck:
    if not raw.startswith(f"{TOKEN_PREFIX}_") or len(raw) > MAX_TOKEN_LENGTH:
        return TokenCheck(None, "This is not a Punte API token.")
    # get(), not first(): token_hash is unique, and the ORDER BY that first() adds costs more to
    # build than the lookup itself on every API request (bench/api_overhead).
    try:
        found = ApiToken.objects.select_related(
            "membership__user", "membership__organisation", "membership__role"
        ).get(token_hash=hash_token(raw))
    except ApiToken.DoesNotExist:
        return TokenCheck(None, "Unknown token.")
    if found.revoked_at is not None:
        return TokenCheck(found, "This token has been revoked.")
    if found.expires_at <= timezone.now():
        return TokenCheck(found, "This token has expired; ask for a new one.")
    membership = found.membership
    if not (
        membership.is_active and membership.user.is_active and membership.organisation.is_active
    ):
        return TokenCheck(found, "The account or organisation this token acts for is inactive.")
    return TokenCheck(found, None)


def bearer_from_header(request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def request_principal(request) -> str | None:
    """Who is asking, as the idempotency middleware scopes keys: the token, or the membership a
    verified browser session acts in. None when the request would not authenticate."""
    if "Authorization" in request.headers:
        raw = bearer_from_header(request)
        if not raw:
            return None
        result = check_token(request, raw)
        return f"token:{result.token.pk}" if result.membership is not None else None
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    if user is None or not user.is_authenticated or membership is None:
        return None
    if not user.is_verified():
        return None
    return f"session:{membership.pk}"


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        result = check_token(request, token.strip())
        if result.refusal:
            # Raising (rather than returning None) answers 401 at once with the reason, instead
            # of falling through to the session check. The caller holds the secret, so telling
            # it "expired" or "revoked" reveals nothing it does not know.
            raise AuthenticationError(401, result.refusal)
        found = result.token
        membership = found.membership
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = membership.user
        request.membership = membership
        request.api_token = found
        return membership


class SessionAuth(APIKeyCookie):
    """The web UI's own session, only once the second factor is verified; CSRF is enforced on
    unsafe methods (ninja's APIKeyCookie checks it before reading the cookie)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # A request that sent credentials of its own is judged by them alone; one without a
        # session cookie has no session to check, so it gets 401, not a CSRF 403.
        if "Authorization" in request.headers or self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key is None:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_verified():
            return None
        membership = getattr(request, "membership", None) or selectors.membership_acting_for(
            user=user, membership_id=None
        )
        request.membership = membership
        return membership
