"""Reads for the sign-in pages: a user's own sessions and second factors."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from punte.accounts.models import User, UserSession


def user_session_list(*, user: User) -> QuerySet[UserSession]:
    """The user's live sessions, most recently active first (rows of ended sessions are hidden)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen_at")


def passkey_list(*, user: User) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def totp_device_list(*, user: User) -> QuerySet[TOTPDevice]:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at")


def second_factor_counts(*, user: User) -> dict[str, int]:
    """How many authenticator apps, passkeys and unused recovery codes the user holds."""
    return {
        "authenticator_apps": totp_device_list(user=user).count(),
        "passkeys": passkey_list(user=user).count(),
        "recovery_codes": StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
    }
