"""Sign a Django test client in as a user whose second factor is verified.

`client.force_login(user)` alone leaves the session unverified, and RequireMFAMiddleware sends
every page but login and enrolment to /accounts/mfa/. Page tests that are not about signing in
use `login_verified(client, user)` instead: it goes through Django's login (so the session
clocks and "my sessions" row are set as for a real login) and marks the session verified with
a confirmed authenticator-app device, as /accounts/mfa/ would.
"""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    return device


def login_verified(client, user) -> TOTPDevice:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = verified_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
