"""Session lifetime, the acting membership, and the rule that every page needs a second factor."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from punte.accounts import selectors

SESSION_LOGIN_AT = "punte_login_at"
SESSION_LAST_SEEN = "punte_last_seen"
SESSION_MEMBERSHIP = "punte_membership_id"

# Paths usable before the second factor is verified (login, enrolment, static assets, the API,
# which authenticates by bearer token on its own).
_OPEN_PREFIXES = ("/accounts/", "/static/", "/api/", "/i18n/", "/webauthn/", "/healthz")


class SessionLifetimeMiddleware:
    """15 minutes idle and 12 hours absolute, whatever the cookie says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            login_at = request.session.get(SESSION_LOGIN_AT, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.PUNTE_SESSION_IDLE_SECONDS
            too_old = now - login_at > settings.PUNTE_SESSION_ABSOLUTE_SECONDS
            if idle or too_old:
                logout(request)
                request.session_expired = True
            else:
                request.session.setdefault(SESSION_LOGIN_AT, login_at)
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


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
        return self.get_response(request)


class RequireMFAMiddleware:
    """Every page but login and enrolment requires a verified second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(_OPEN_PREFIXES):
            if not request.user.is_authenticated:
                return redirect(f"{reverse('accounts:login')}?next={path}")
            if not request.user.is_verified():
                return redirect("accounts:mfa")
        return self.get_response(request)
