"""Second factors: authenticator apps (TOTP), passkeys (WebAuthn) and recovery codes.

Every event is written to the audit trail; a code never is. A failed attempt must outlive the
refusal: django-otp's throttling counts failures on the device row, so the attempt is committed
before the refusal is raised (raising inside the transaction would roll the count back and turn
the throttle off).
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from punte.accounts.models import User
from punte.core import audit
from punte.core.errors import ServiceError

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

_TOTP_SHAPE = re.compile(r"^\d{6}$")
_RECOVERY_SHAPE = re.compile(r"^[a-z2-7]{8}$")


def user_has_confirmed_device(user: User) -> bool:
    """True once the user has any second factor (an app, a passkey or recovery codes)."""
    return any(True for _device in devices_for_user(user, confirmed=True))


def user_may_enrol(user) -> bool:
    """A first factor may be added after the password alone; any further one needs the second."""
    if not user.is_authenticated:
        return False
    return user.is_verified() or not user_has_confirmed_device(user)


def normalise_code(raw: str) -> str:
    """Codes are typed by hand: ignore spaces, dashes and case."""
    return re.sub(r"[\s-]", "", raw or "").lower()


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it when typed instead of scanned, in groups of 4."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_current_code(device: TOTPDevice) -> str:
    """The code the device would accept now (used by the demo helper only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _throttled_message(device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return _("Too many wrong codes. Wait a moment and try again.")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


@transaction.atomic
def totp_enrol(*, user: User) -> TOTPDevice:
    """Start adding an authenticator app: an unconfirmed device holding a fresh secret.

    Reloading the page keeps the same secret, so a code scanned a minute ago still works.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is not None:
        return device
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    audit.record(action="mfa.totp_enrolment_started", actor=user, subject=device)
    return device


def totp_pending(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def totp_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm an authenticator app with a code it shows. Throttled like any other code."""
    token = normalise_code(token)
    refusal: str | None = None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user).first()
        if device is None or device.confirmed:
            raise ServiceError("code", _("This enrolment is no longer open. Start again."))
        refusal = _throttled_message(device)
        if refusal is None:
            if _TOTP_SHAPE.match(token) and device.verify_token(token):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                # Any other half-finished enrolment is now moot.
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                audit.record(action="mfa.totp_enrolled", actor=user, subject=device)
            else:
                if not _TOTP_SHAPE.match(token):
                    device.throttle_increment()
                refusal = _("That code is not right. Enter the 6 digits your app shows now.")
                audit.record(
                    action="mfa.failed",
                    actor=user,
                    subject=device,
                    changes={"method": "totp", "stage": "enrolment"},
                )
        else:
            audit.record(
                action="mfa.failed",
                actor=user,
                subject=device,
                changes={"method": "totp", "stage": "enrolment", "throttled": True},
            )
    if refusal is not None:
        raise ServiceError("code", refusal, status=422)
    return device


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Issue a new set of recovery codes, replacing any earlier set. Returned once, to be shown."""
    device = StaticDevice.objects.select_for_update().filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    replaced = device.token_set.count()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record(
        action="mfa.recovery_codes_generated",
        actor=user,
        subject=device,
        changes={"count": len(codes), "replaced": replaced},
    )
    return codes


def recovery_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class Verification:
    device: object
    method: str  # "totp" or "recovery_code"
    recovery_codes_left: int | None = None


def mfa_verify(*, user: User, code: str) -> Verification:
    """Check a code from an authenticator app (6 digits) or a recovery code (8 characters).

    Raises ServiceError("code", ...) when the code is wrong or the devices are throttled.
    """
    token = normalise_code(code)
    if _TOTP_SHAPE.match(token):
        method, model = "totp", TOTPDevice
    elif _RECOVERY_SHAPE.match(token):
        method, model = "recovery_code", StaticDevice
    else:
        raise ServiceError(
            "code", _("Enter the 6 digits from your app, or one of your recovery codes.")
        )
    refusal: str | None = None
    verified = None
    with transaction.atomic():
        devices = list(
            model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        )
        throttled = [d for d in devices if _throttled_message(d) is not None]
        for device in devices:
            if device in throttled:
                continue
            if device.verify_token(token):
                verified = device
                break
        if verified is not None:
            left = None
            if method == "recovery_code":
                left = verified.token_set.count()
            audit.record(
                action="mfa.verified",
                actor=user,
                subject=verified,
                changes={"method": method}
                | ({"recovery_codes_left": left} if left is not None else {}),
            )
            if method == "recovery_code":
                audit.record(
                    action="mfa.recovery_code_used",
                    actor=user,
                    subject=verified,
                    changes={"recovery_codes_left": left},
                )
            result = Verification(device=verified, method=method, recovery_codes_left=left)
        else:
            all_throttled = bool(devices) and len(throttled) == len(devices)
            audit.record(
                action="mfa.failed",
                actor=user,
                subject=user,
                changes={"method": method, "stage": "login", "throttled": all_throttled},
            )
            if all_throttled:
                refusal = _throttled_message(throttled[0])
            elif method == "recovery_code":
                refusal = _("That recovery code is not right, or it was already used.")
            else:
                refusal = _("That code is not right. Enter the 6 digits your app shows now.")
    if refusal is not None:
        raise ServiceError("code", refusal)
    return result


def passkey_registered(
    *, user: User, credential: WebAuthnCredential, first_factor: bool
) -> list[str] | None:
    """Record a new passkey; when it is the user's first factor, issue recovery codes too."""
    with transaction.atomic():
        audit.record(
            action="mfa.passkey_enrolled",
            actor=user,
            subject=credential,
            changes={"first_factor": first_factor},
        )
        if first_factor and recovery_codes_remaining(user=user) == 0:
            return recovery_codes_generate(user=user)
    return None


def passkey_verified(*, user: User, credential: WebAuthnCredential, passwordless: bool) -> None:
    audit.record(
        action="mfa.verified",
        actor=user,
        subject=credential,
        changes={"method": "passkey", "passwordless": passwordless},
    )


def passkey_failed(*, user: User | None, reason: str) -> None:
    audit.record(
        action="mfa.failed",
        actor=user,
        subject=user,
        changes={"method": "passkey", "reason": reason[:64]},
    )
