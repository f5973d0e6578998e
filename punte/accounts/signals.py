"""Bookkeeping around Django's login and logout: session clocks, the session list, the audit trail.

Kept here because logins happen in several places (the login form, passkey sign-in, the test
client) and every one of them must start the session clocks and appear in "my sessions".
"""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from punte.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from punte.accounts.models import UserSession
from punte.core import audit
from punte.core.middleware import client_ip

_PASSKEY_BACKEND = "django_otp_webauthn.backends.WebAuthnBackend"


def _client(request) -> dict:
    meta = getattr(request, "META", {}) or {}
    return {
        "ip_address": client_ip(request) if meta else None,
        "user_agent": (meta.get("HTTP_USER_AGENT") or "")[:300],
    }


@receiver(user_logged_in, dispatch_uid="punte_session_started")
def session_started(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user, **_client(request)}
    )
    method = "passkey" if getattr(user, "backend", "") == _PASSKEY_BACKEND else "password"
    audit.record(action="auth.login", actor=user, subject=user, changes={"method": method})


@receiver(user_logged_out, dispatch_uid="punte_session_ended")
def session_ended(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()
    if user is not None:
        reason = getattr(request, "punte_logout_reason", "user")
        audit.record(action="auth.logout", actor=user, subject=user, changes={"reason": reason})


@receiver(user_login_failed, dispatch_uid="punte_login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    # One query and one audit entry whether or not the account exists, so that the time taken
    # does not tell an attacker which usernames are real. The typed username is not written
    # (people type passwords into it); a known account is named as the actor.
    username = (credentials or {}).get("username") or ""
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit.record(action="auth.login_failed", actor=user, subject=user)


@receiver(user_locked_out, dispatch_uid="punte_locked_out")
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    user = get_user_model().objects.filter(username=username or "").first()
    audit.record(action="auth.locked_out", actor=user, subject=user)
