"""Session lifetime, the acting membership, and the rule that every page needs a second factor."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from punte.accounts import selectors
from punte.accounts.models import UserSession
from punte.core import rls

SESSION_LOGIN_AT = "punte_login_at"
SESSION_LAST_SEEN = "punte_last_seen"
SESSION_MEMBERSHIP = "punte_membership_id"
# Set on the fresh anonymous session after an expiry, so the login page can say why.
SESSION_ENDED_REASON = "punte_session_ended"

# Activity is written down at most once a minute: a write on every request would cost more than
# it tells. The idle limit therefore ends a session between 14 and 15 minutes after the last
# request, never later.
LAST_SEEN_RESOLUTION_SECONDS = 60

# Paths usable before the second factor is verified: signing in and out, adding a first second
# factor (the views check that the user has none yet), choosing a password from an invitation
# link (the link's token is the credential), static assets and the icon, the language switch, the
# passkey ceremonies (they check on their own), and the API, which authenticates every request
# itself (a bearer token, or a session only once it is verified).
_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/mfa/",
    "/accounts/welcome/",
    "/static/",
    "/api/",
    "/i18n/",
    "/webauthn/",
    "/healthz",
    # Operations: readiness is anonymous, metrics check their own networks and token.
    "/readyz",
    "/metrics",
    "/favicon.ico",
    # The anonymous public report form (punte.identification.signals.views.public_report).
    "/report/",
)


class SessionLifetimeMiddleware:
    """15 minutes idle and 12 hours absolute, whatever the cookie says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "session") and request.user.is_authenticated:
            self._enforce(request)
        return self.get_response(request)

    def _enforce(self, request) -> None:
        now = time.time()
        login_at = request.session.get(SESSION_LOGIN_AT)
        last_seen = request.session.get(SESSION_LAST_SEEN)
        reason = None
        if login_at is None or last_seen is None:
            # Every login sets both (signals.py); a session without them was not made by a
            # login we know of, so it is not trusted.
            reason = "unknown"
        elif now - login_at > settings.PUNTE_SESSION_ABSOLUTE_SECONDS:
            reason = "absolute"
        elif now - last_seen > settings.PUNTE_SESSION_IDLE_SECONDS:
            reason = "idle"
        if reason is not None:
            request.punte_logout_reason = reason
            logout(request)
            request.session[SESSION_ENDED_REASON] = reason
            request.session_expired = True
            return
        if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            request.session[SESSION_LAST_SEEN] = now
            key = request.session.session_key
            if key:
                UserSession.objects.filter(session_key=key).update(last_seen_at=timezone.now())


class ActingMembershipMiddleware:
    """Resolves the membership (organisation + role) the user acts in for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            request.membership = selectors.membership_acting_for(
                user=request.user, membership_id=request.session.get(SESSION_MEMBERSHIP)
            )
            rls.act_as(request.membership)
        return self.get_response(request)


def _back_to(request) -> str:
    """Where to return after signing in: for htmx, the page the fragment was asked from."""
    current = request.headers.get("HX-Current-URL")
    if request.headers.get("HX-Request") and current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def _htmx_redirect(url: str) -> HttpResponse:
    # htmx would swap the login page into a fragment; ask it to load the page instead.
    response = HttpResponse(status=200)
    response["HX-Redirect"] = url
    return response


class RequireMFAMiddleware:
    """Every page but login and enrolment needs a signed-in user with a verified second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(_OPEN_PREFIXES):
            if not request.user.is_authenticated:
                if request.headers.get("HX-Request"):
                    login = reverse("accounts:login")
                    return _htmx_redirect(f"{login}?{urlencode({'next': _back_to(request)})}")
                return redirect_to_login(request.get_full_path())
            if not request.user.is_verified():
                url = f"{reverse('accounts:mfa')}?{urlencode({'next': _back_to(request)})}"
                if request.headers.get("HX-Request"):
                    return _htmx_redirect(url)
                return redirect(url)
        return self.get_response(request)
