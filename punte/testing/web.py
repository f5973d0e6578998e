"""Helpers for page tests: a browser-like client signed in with a verified second factor."""

from __future__ import annotations

from django.test import Client

DEVICE_NAME = "test authenticator"


def verify_session(client: Client, user) -> None:
    """Mark the client's session as having passed the second factor, as django_otp.login does:
    it stores the persistent id of a confirmed device under DEVICE_ID_SESSION_KEY, which
    OTPMiddleware reads back (it ignores devices that are unconfirmed or not the user's)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def track_session(client: Client, user) -> None:
    """Record the client's session as one of the user's logins (UserSession), as a real login
    does, so "log out everywhere" can find and end it. Idempotent if a signal already did."""
    from punte.accounts.models import UserSession

    UserSession.objects.get_or_create(
        session_key=client.session.session_key, defaults={"user": user}
    )


def verified_client(user, client: Client | None = None) -> Client:
    """A test client logged in as `user`, past the second factor, its session tracked."""
    client = client or Client()
    client.force_login(user)
    verify_session(client, user)
    track_session(client, user)
    return client
