"""Reads for the sign-in pages: a user's own sessions and second factors."""

from __future__ import annotations

import datetime

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from punte.accounts.models import User, UserSession
from punte.core.models import AuditEvent

# An administrator who changed an account's e-mail address may not, for this long, also send that
# account the means to sign in without a second factor (a factor reset, or a set-password link
# once its factors are gone): the link goes to that address, so doing both alone would hand them
# the account. Another administrator can. See ADR 0008, addendum.
EMAIL_CHANGE_HOLD = datetime.timedelta(days=7)


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


def email_changed_recently_by(*, actor: User, user: User) -> bool:
    """Did `actor` change `user`'s e-mail address within EMAIL_CHANGE_HOLD?

    Read from the audit trail, which records that the address changed (not its value).
    """
    return AuditEvent.objects.filter(
        action="user.changed",
        subject_type=User._meta.label_lower,
        subject_id=str(user.pk),
        actor=actor,
        occurred_at__gte=timezone.now() - EMAIL_CHANGE_HOLD,
        changes__has_key="email",
    ).exists()
