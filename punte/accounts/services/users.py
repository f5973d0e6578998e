"""User accounts: opened with their first membership, edited, (de)activated, and the one-time
link by which the person chooses their password.

user_deactivate takes the acting User, not a Membership: it was written before the
administration pages, which pass `actor=membership.user`, and keeps its signature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punte.accounts import mail, selectors_auth
from punte.accounts.models import ApiToken, Membership, Organisation, Role, User
from punte.accounts.services.common import checked_reason, merge_changes, require_permission
from punte.accounts.services.memberships import record_membership_created, validate_assignment
from punte.accounts.services.roles import ensure_role_manager_remains, lock_role_managers
from punte.accounts.services.sessions import end_sessions
from punte.core import audit
from punte.core.errors import ServiceError

_PERSONAL_USER_FIELDS = {"first_name", "last_name", "email"}


@dataclass(frozen=True)
class UserInput:
    first_name: str
    last_name: str
    email: str
    preferred_language: str = ""

    def values(self) -> dict[str, Any]:
        return {
            "first_name": self.first_name.strip(),
            "last_name": self.last_name.strip(),
            "email": self.email.strip().lower(),
            "preferred_language": self.preferred_language or "",
        }


def user_values(user: User) -> dict[str, Any]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "preferred_language": user.preferred_language,
    }


def _validate_user(values: dict[str, Any], *, instance: User | None) -> None:
    for name in ("first_name", "last_name"):
        if not values[name]:
            raise ServiceError(name, _("This field is required."))
        if len(values[name]) > 150:
            raise ServiceError(name, _("Use at most 150 characters."))
    if not values["email"]:
        raise ServiceError("email", _("Give the e-mail address: the set-password link goes there."))
    try:
        validate_email(values["email"])
    except ValidationError as exc:
        raise ServiceError("email", _("Enter a valid e-mail address.")) from exc
    same_email = User.objects.filter(email__iexact=values["email"])
    if instance is not None:
        same_email = same_email.exclude(pk=instance.pk)
    if same_email.exists():
        raise ServiceError("email", _("Another account already uses this e-mail address."))
    languages = {code for code, _name in settings.LANGUAGES}
    if values["preferred_language"] and values["preferred_language"] not in languages:
        raise ServiceError("preferred_language", _("Unknown language."))


def _audit_user_changes(changes: dict[str, Any]) -> dict[str, Any]:
    # Staff names and addresses are personal data too: the trail says they changed, not to what.
    return audit.redact(changes, _PERSONAL_USER_FIELDS)


@transaction.atomic
def user_create(
    *, actor: Membership, username: str, data: UserInput, organisation: Organisation, role: Role
) -> User:
    """A new account with its first membership. It has no password until the person sets one
    through the link `user_setup_link_issue` sends; MFA enrolment follows at the first login."""
    require_permission(actor, "user.manage")
    username = (username or "").strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise ServiceError(
            "username", _("Use letters, digits and the characters @ . + - _ only.")
        ) from exc
    if not 3 <= len(username) <= 150:
        raise ServiceError("username", _("Use between 3 and 150 characters."))
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError("username", _("This username is taken."))
    values = data.values()
    _validate_user(values, instance=None)
    validate_assignment(actor, organisation, role)
    user = User(username=username, **values)
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        created_by=actor.user,
        modified_by=actor.user,
    )
    audit.record(
        action="user.created",
        actor=actor,
        subject=user,
        changes=_audit_user_changes(
            {
                "username": {"old": None, "new": username},
                **{name: {"old": None, "new": value} for name, value in values.items()},
            }
        ),
    )
    record_membership_created(actor=actor, membership=membership)
    return user


@transaction.atomic
def user_update(
    *, actor: Membership, user: User, data: UserInput, based_on: dict[str, Any] | None = None
) -> User:
    require_permission(actor, "user.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    values = data.values()
    _validate_user(values, instance=user)
    changes = merge_changes(user_values(user), values, based_on)
    if not changes:
        return user
    for name, change in changes.items():
        setattr(user, name, change["new"])
    user.save(update_fields=list(changes))
    audit.record(
        action="user.changed",
        actor=actor,
        subject=user,
        changes=_audit_user_changes(changes),
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: Membership, user: User, reason: str) -> User:
    """Let a deactivated account sign in again. Its revoked tokens stay revoked."""
    require_permission(actor, "user.manage")
    reason = checked_reason(reason)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        action="user.reactivated",
        actor=actor,
        subject=user,
        changes={"is_active": {"old": False, "new": True}, "reason": reason},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str) -> User:
    """Deactivate an account: its sessions end at once and its API tokens stop working."""
    if not reason.strip():
        raise ServiceError("reason", _("Say why the account is deactivated."))
    if actor.pk == user.pk:
        raise ServiceError("user", _("You cannot deactivate your own account."))
    lock_role_managers()
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ensure_role_manager_remains("user")
    ended = end_sessions(user)
    revoked = ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit.record(
        action="user.deactivated",
        actor=actor,
        subject=user,
        changes={
            "is_active": {"old": True, "new": False},
            "reason": reason.strip(),
            "sessions_ended": ended,
            "tokens_revoked": revoked,
        },
    )
    return user


@transaction.atomic
def user_setup_link_issue(
    *, actor: Membership, user: User, build_url: Callable[[str, str], str]
) -> str:
    """E-mail the person a one-time link to choose their password, and return it.

    Any password the account had stops working, and so does any earlier link (the token is
    derived from the password hash), and every session ends: the same act serves a new account
    and an administrator's password reset. `build_url(uidb64, token)` makes the absolute URL.
    """
    require_permission(actor, "user.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ServiceError(None, _("Reactivate the account first."), status=409)
    if not user.email:
        raise ServiceError("email", _("The account has no e-mail address to send the link to."))
    if (
        user.last_login is not None
        and not selectors_auth.totp_device_list(user=user).exists()
        and not selectors_auth.passkey_list(user=user).exists()
        and selectors_auth.email_changed_recently_by(actor=actor.user, user=user)
    ):
        # The person has no second factor (their factors were reset): whoever holds this link
        # owns the account. Not the administrator who just pointed it at a new address (ADR 0008).
        raise ServiceError(
            None,
            ngettext(
                "You changed this account's e-mail address in the last %(days)d day and it has "
                "no second factor, so the link would give whoever reads that address the "
                "account. Ask another administrator to send it.",
                "You changed this account's e-mail address in the last %(days)d days and it has "
                "no second factor, so the link would give whoever reads that address the "
                "account. Ask another administrator to send it.",
                selectors_auth.EMAIL_CHANGE_HOLD.days,
            )
            % {"days": selectors_auth.EMAIL_CHANGE_HOLD.days},
            status=409,
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    ended = end_sessions(user)
    url = mail.password_link_send(user=user, build_url=build_url, letter=mail.SETUP_LINK)
    audit.record(
        action="user.setup_link_issued",
        actor=actor,
        subject=user,
        changes={"sessions_ended": ended},
    )
    return url


@transaction.atomic
def user_password_set_from_link(*, user: User, password: str) -> User:
    """The person chose their password through a set-password link (validated by the form)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ServiceError(None, _("This account is deactivated."), status=409)
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = end_sessions(user)
    audit.record(
        action="user.password_set", actor=user, subject=user, changes={"sessions_ended": ended}
    )
    return user
