"""Getting a person back in, and cutting off what they lost.

- An administrator resets the second factors of a person who lost their phone or security key:
  every authenticator app, passkey and recovery code goes, the password is voided, every session
  ends, and a one-time link to choose a new password goes to the person's e-mail address. At the
  next sign-in they enrol a factor again (ADR 0007). See ADR 0008, addendum, for why the
  password goes too.
- An administrator ends every session of a person (a stolen laptop, a departure in anger).
- A person removes one of their own authenticator apps or passkeys, never the last one.

Each is one transaction with its audit event. Counts and kinds are recorded, never a secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import device_classes
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from punte.accounts import mail, selectors_auth
from punte.accounts.models import Membership, User
from punte.accounts.services.common import checked_reason, require_permission
from punte.accounts.services.sessions import end_sessions, user_sessions_end_all
from punte.core import audit
from punte.core.errors import ServiceError

# The factors a person can remove themselves, by the name used in URLs and the audit trail.
OWN_FACTORS: dict[str, type] = {"app": TOTPDevice, "passkey": WebAuthnCredential}
# How the audit trail names what a reset removed.
_KIND_NAMES = {
    TOTPDevice: "authenticator_apps",
    WebAuthnCredential: "passkeys",
    StaticDevice: "recovery_codes",
}
# Re-exported: the rule is shared with services.users.user_setup_link_issue.
EMAIL_CHANGE_HOLD = selectors_auth.EMAIL_CHANGE_HOLD


@dataclass(frozen=True)
class FactorsReset:
    removed: dict[str, int]
    sessions_ended: int


@transaction.atomic
def user_second_factors_reset(
    *, actor: Membership, user: User, reason: str, build_url: Callable[[str, str], str]
) -> FactorsReset:
    """Remove every second factor of `user`, void the password, end every session, and e-mail
    the person a one-time link to choose a new password. Their next sign-in enrols a factor.

    `build_url(uidb64, token)` makes the absolute set-password URL (as user_setup_link_issue).
    The link is never returned: the administrator must not be able to sign in as the person.
    """
    require_permission(actor, "user.manage")
    reason = checked_reason(reason)
    if user.pk == actor.user_id:
        raise ServiceError(
            None,
            _(
                "You cannot reset your own second factors: add or remove them on your "
                "Security page."
            ),
            status=409,
        )
    # The user row serialises every change of this person's factors (see mfa_factor_remove).
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ServiceError(None, _("Reactivate the account first."), status=409)
    if not user.email:
        raise ServiceError("email", _("The account has no e-mail address to send the link to."))
    if selectors_auth.email_changed_recently_by(actor=actor.user, user=user):
        raise ServiceError(
            None,
            ngettext(
                "You changed this account's e-mail address in the last %(days)d day, and the "
                "link to choose a new password goes to that address. Ask another administrator "
                "to reset the second factors.",
                "You changed this account's e-mail address in the last %(days)d days, and the "
                "link to choose a new password goes to that address. Ask another administrator "
                "to reset the second factors.",
                EMAIL_CHANGE_HOLD.days,
            )
            % {"days": EMAIL_CHANGE_HOLD.days},
            status=409,
        )
    # Every kind of device django-otp knows goes, confirmed or half-enrolled: an authenticator
    # app the person never finished enrolling must not be confirmable later by whoever holds its
    # secret. The trail counts what was in use; kinds other than the three known are named by
    # their model.
    removed = selectors_auth.second_factor_counts(user=user)
    others = [model for model in device_classes() if model not in _KIND_NAMES]
    for model in others:
        count = model.objects.filter(user=user, confirmed=True).count()
        if count:
            removed[model._meta.label_lower] = count
    if not any(removed.values()):
        raise ServiceError(
            None,
            _(
                "This account has no second factor to remove: the person sets one up at their "
                "next sign-in. If they lost their password, send a link to choose a password."
            ),
            status=409,
        )
    for model in [*_KIND_NAMES, *others]:
        model.objects.filter(user=user).delete()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    ended = user_sessions_end_all(actor=actor.user, user=user)
    mail.password_link_send(user=user, build_url=build_url, letter=mail.FACTORS_RESET)
    audit.record(
        action="mfa.factors_reset",
        actor=actor,
        subject=user,
        changes={
            "removed": removed,
            "password_voided": True,
            "sessions_ended": ended,
            "reason": reason,
        },
    )
    return FactorsReset(removed=removed, sessions_ended=ended)


@transaction.atomic
def user_sessions_end_for_admin(*, actor: Membership, user: User, reason: str) -> int:
    """Sign a person out everywhere, for a reason kept in the audit trail. Returns the count."""
    require_permission(actor, "user.manage")
    reason = checked_reason(reason)
    if user.pk == actor.user_id:
        raise ServiceError(
            None,
            _("To sign yourself out elsewhere, use the page “Where you are signed in”."),
            status=409,
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    ended = end_sessions(user)
    audit.record(
        action="user.sessions_ended",
        actor=actor,
        subject=user,
        changes={"sessions": ended, "reason": reason},
    )
    return ended


@transaction.atomic
def mfa_factor_remove(*, user: User, kind: str, device_id: int) -> int:
    """A person removes one of their authenticator apps or passkeys. Returns how many remain.

    The last one is never removed: recovery codes alone would run out, and a person without a
    factor could be enrolled by whoever next holds their password.
    """
    model = OWN_FACTORS.get(kind)
    if model is None:
        raise ServiceError("kind", _("Unknown kind of second factor."), status=404)
    # Two removals at once (two tabs) must not both see the other factor as still there.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
    device = model.objects.filter(pk=device_id, user=user, confirmed=True).first()
    if device is None:
        raise ServiceError(None, _("This second factor does not exist."), status=404)
    held = sum(
        factor.objects.filter(user=user, confirmed=True).count() for factor in OWN_FACTORS.values()
    )
    remaining = held - 1
    if remaining < 1:
        raise ServiceError(
            None,
            _(
                "This is your last authenticator app or passkey, so it cannot be removed. "
                "Add another one first."
            ),
            status=409,
        )
    device.delete()
    audit.record(
        action="mfa.factor_removed",
        actor=user,
        subject=user,
        changes={"kind": kind, "device": str(device_id), "remaining": remaining},
    )
    return remaining
