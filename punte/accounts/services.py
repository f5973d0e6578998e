"""Every write on organisations, users, memberships, roles and tokens."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from punte.accounts import auth, selectors_auth
from punte.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    OrganisationType,
    Role,
    RolePermission,
    User,
    UserSession,
)
from punte.accounts.permissions import catalogue
from punte.core import audit
from punte.core.errors import ServiceError
from punte.core.models import County

logger = logging.getLogger(__name__)
_SLUG = re.compile(r"[a-z][a-z0-9-]{1,63}")


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@transaction.atomic
def apitoken_create(
    *, actor: User | None, membership: Membership, name: str, days: int | None = None
) -> IssuedToken:
    """Issue a bearer token bound to one membership. The secret is returned once, never stored."""
    if days is not None and not 1 <= days <= 366:
        raise ServiceError("days", _("A token lives between 1 and 366 days."))
    if not name.strip():
        raise ServiceError("name", _("Name the token after the system that will use it."))
    if len(name.strip()) > ApiToken._meta.get_field("name").max_length:
        raise ServiceError("name", _("A token's name is at most 100 characters."))
    if not (
        membership.is_active and membership.user.is_active and membership.organisation.is_active
    ):
        raise ServiceError("membership", _("Tokens can only be issued to an active membership."))
    secret, prefix = auth.new_token_secret()
    token = ApiToken.objects.create(
        membership=membership,
        name=name.strip(),
        prefix=prefix,
        token_hash=auth.hash_token(secret),
        expires_at=auth.token_expiry(days),
    )
    audit.record(
        action="apitoken.created",
        actor=actor,
        organisation=membership.organisation,
        subject=token,
        changes={"name": token.name, "prefix": prefix, "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def apitoken_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        action="apitoken.revoked",
        actor=actor,
        organisation=token.membership.organisation,
        subject=token,
        changes={"prefix": token.prefix},
    )
    return token


def _end_sessions(user: User, *, keep: str | None = None) -> int:
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep or "")
        .values_list("session_key", flat=True)
    )
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_sessions_end_all(*, actor: User, user: User, keep: str | None = None) -> int:
    """Log a user out everywhere (but, if given, the session they are using to ask)."""
    ended = _end_sessions(user, keep=keep)
    audit.record(
        action="user.sessions_ended", actor=actor, subject=user, changes={"sessions": ended}
    )
    return ended


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str) -> User:
    """Deactivate an account: its sessions end at once and its API tokens stop working."""
    if not reason.strip():
        raise ServiceError("reason", _("Say why the account is deactivated."))
    if actor.pk == user.pk:
        raise ServiceError("user", _("You cannot deactivate your own account."))
    _lock_role_managers()
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    _ensure_role_manager_remains("user")
    ended = _end_sessions(user)
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


# --- Administration (organisations, users, memberships, roles) -------------------------------
#
# These services take the acting Membership, not the bare User: the permission that allows the
# act is a property of the membership (its role), and the service checks it again whatever the
# view did. The older services above take a User because they are also called from the command
# line; the administration views call them with `actor=membership.user`.
#
# organisation.manage, user.manage and role.manage act nationally (see permissions.py): the
# national agency's administrator keeps the registry of every organisation and every account.

ADMIN_PERMISSIONS = ("organisation.manage", "user.manage", "role.manage")
_PERSONAL_USER_FIELDS = {"first_name", "last_name", "email"}


def _require(actor: Membership | None, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise ServiceError(None, _("Your role does not allow this action."), status=403)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason", _("Give a reason: it is kept in the audit trail."))
    if len(reason) > 500:
        raise ServiceError("reason", _("Keep the reason under 500 characters."))
    return reason


def _merge(
    current: dict[str, Any], submitted: dict[str, Any], based_on: dict[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """The fields to change, as {name: {"old", "new"}}, without losing a concurrent edit.

    `based_on` holds the values the submitter's form was showing. A field the submitter left as
    it was keeps whatever is stored now (another administrator may have changed it meanwhile); a
    field both changed, to different values, is refused rather than silently overwritten.
    Without `based_on` (an API call, a script) the submitted values simply win.
    """
    changes: dict[str, dict[str, Any]] = {}
    for name, new in submitted.items():
        now = current[name]
        if based_on is not None:
            seen = based_on.get(name, now)
            if new == seen:
                continue
            if now not in (seen, new):
                raise ServiceError(
                    name,
                    _(
                        "Someone else changed this field while you were editing. "
                        "Reload the page to see their change, then edit again."
                    ),
                    status=409,
                )
        if now != new:
            changes[name] = {"old": now, "new": new}
    return changes


def role_managers() -> QuerySet[Membership]:
    """Memberships through which an active user can manage roles right now."""
    return Membership.objects.filter(
        is_active=True,
        user__is_active=True,
        organisation__is_active=True,
        role__grants__permission="role.manage",
    )


def _lock_role_managers() -> None:
    """Serialise every change that could remove the last role manager (see _ensure_...)."""
    list(
        Role.objects.select_for_update(of=("self",))
        .filter(grants__permission="role.manage")
        .values_list("pk", flat=True)
    )


def _ensure_role_manager_remains(field: str | None) -> None:
    """Refuse, and so roll back, a change that leaves nobody able to manage roles.

    Without an active role manager nobody could grant the permission back: the administration
    would be locked out for good. Called after the change, inside its transaction.
    """
    if not role_managers().exists():
        raise ServiceError(
            field,
            _(
                "This would leave no active user who can manage roles, and nobody could undo "
                "it. Give another active user a role that holds role.manage first."
            ),
            status=409,
        )


# Organisations


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    code: str
    type: str
    county_id: str | None = None
    parent_id: uuid.UUID | None = None
    email: str = ""

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.strip(),
            "code": self.code.strip().lower(),
            "type": self.type,
            "county_id": self.county_id or None,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "email": self.email.strip().lower(),
        }


def organisation_values(organisation: Organisation) -> dict[str, Any]:
    """The editable fields as plain values: what an edit form shows and `based_on` carries."""
    return {
        "name": organisation.name,
        "code": organisation.code,
        "type": organisation.type,
        "county_id": organisation.county_id,
        "parent_id": str(organisation.parent_id) if organisation.parent_id else None,
        "email": organisation.email,
    }


def _validate_organisation(values: dict[str, Any], *, instance: Organisation | None) -> None:
    if not values["name"]:
        raise ServiceError("name", _("Give the organisation's name."))
    if len(values["name"]) > 200:
        raise ServiceError("name", _("The name is longer than 200 characters."))
    if not _SLUG.fullmatch(values["code"]):
        raise ServiceError(
            "code",
            _("Use 2 to 64 lower-case letters, digits and hyphens, starting with a letter."),
        )
    same_code = Organisation.objects.filter(code=values["code"])
    if instance is not None:
        same_code = same_code.exclude(pk=instance.pk)
    if same_code.exists():
        raise ServiceError("code", _("Another organisation already uses this code."))
    if values["type"] not in OrganisationType.values:
        raise ServiceError("type", _("Unknown type of organisation."))
    if values["county_id"] and not County.objects.filter(pk=values["county_id"]).exists():
        raise ServiceError("county", _("Unknown county."))
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError as exc:
            raise ServiceError("email", _("Enter a valid e-mail address.")) from exc
    if values["parent_id"]:
        parent = Organisation.objects.filter(pk=values["parent_id"]).first()
        if parent is None:
            raise ServiceError("parent", _("Unknown parent organisation."))
        # Walk up from the parent: meeting the organisation itself would make a loop.
        seen: set[str] = set()
        node: Organisation | None = parent
        while node is not None and str(node.pk) not in seen:
            if instance is not None and node.pk == instance.pk:
                raise ServiceError(
                    "parent",
                    _("An organisation cannot sit under itself or one of its own units."),
                )
            seen.add(str(node.pk))
            node = node.parent


@transaction.atomic
def organisation_create(*, actor: Membership, data: OrganisationInput) -> Organisation:
    _require(actor, "organisation.manage")
    values = data.values()
    _validate_organisation(values, instance=None)
    organisation = Organisation.objects.create(
        **values, created_by=actor.user, modified_by=actor.user
    )
    audit.record(
        action="organisation.created",
        actor=actor.user,
        organisation=actor.organisation,
        subject=organisation,
        changes={name: {"old": None, "new": value} for name, value in values.items()},
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: Membership,
    organisation: Organisation,
    data: OrganisationInput,
    based_on: dict[str, Any] | None = None,
) -> Organisation:
    _require(actor, "organisation.manage")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    values = data.values()
    _validate_organisation(values, instance=organisation)
    changes = _merge(organisation_values(organisation), values, based_on)
    if not changes:
        return organisation
    for name, change in changes.items():
        setattr(organisation, name, change["new"])
    organisation.modified_by = actor.user
    organisation.save(update_fields=[*changes, "modified_by", "modified_at"])
    audit.record(
        action="organisation.changed",
        actor=actor.user,
        organisation=actor.organisation,
        subject=organisation,
        changes=changes,
    )
    return organisation


@transaction.atomic
def organisation_set_active(
    *, actor: Membership, organisation: Organisation, active: bool, reason: str
) -> Organisation:
    """Deactivate (its members lose access to it at their next request) or reactivate."""
    _require(actor, "organisation.manage")
    reason = _reason(reason)
    _lock_role_managers()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_active == active:
        return organisation
    if not active and organisation.pk == actor.organisation_id:
        raise ServiceError(
            None, _("You cannot deactivate the organisation you are acting for."), status=409
        )
    organisation.is_active = active
    organisation.modified_by = actor.user
    organisation.save(update_fields=["is_active", "modified_by", "modified_at"])
    if not active:
        _ensure_role_manager_remains(None)
    audit.record(
        action="organisation.reactivated" if active else "organisation.deactivated",
        actor=actor.user,
        organisation=actor.organisation,
        subject=organisation,
        changes={"is_active": {"old": not active, "new": active}, "reason": reason},
    )
    return organisation


# Users


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


def _check_may_give(actor: Membership, role: Role) -> None:
    """Giving a role that administers (organisation/user/role.manage) needs those powers oneself:
    otherwise a user manager could make anyone, themselves included, a role manager."""
    granted = set(RolePermission.objects.filter(role=role).values_list("permission", flat=True))
    lacking = sorted((granted & set(ADMIN_PERMISSIONS)) - actor.permission_codes)
    if lacking:
        raise ServiceError(
            "role",
            _("You cannot give a role that holds %(permissions)s: your own role does not.")
            % {"permissions": ", ".join(lacking)},
        )


def _validate_assignment(actor: Membership, organisation: Organisation, role: Role) -> None:
    if not organisation.is_active:
        raise ServiceError("organisation", _("This organisation is deactivated."))
    if not Role.objects.filter(pk=role.pk).exists():
        raise ServiceError("role", _("Unknown role."))
    _check_may_give(actor, role)


@transaction.atomic
def user_create(
    *, actor: Membership, username: str, data: UserInput, organisation: Organisation, role: Role
) -> User:
    """A new account with its first membership. It has no password until the person sets one
    through the link `user_setup_link_issue` sends; MFA enrolment follows at the first login."""
    _require(actor, "user.manage")
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
    _validate_assignment(actor, organisation, role)
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
        actor=actor.user,
        organisation=actor.organisation,
        subject=user,
        changes=_audit_user_changes(
            {
                "username": {"old": None, "new": username},
                **{name: {"old": None, "new": value} for name, value in values.items()},
            }
        ),
    )
    _record_membership_created(actor=actor, membership=membership)
    return user


def _record_membership_created(*, actor: Membership, membership: Membership) -> None:
    audit.record(
        action="membership.created",
        actor=actor.user,
        organisation=actor.organisation,
        subject=membership,
        changes={
            "user": str(membership.user_id),
            "organisation": str(membership.organisation_id),
            "role": {"old": None, "new": membership.role_id},
        },
    )


@transaction.atomic
def user_update(
    *, actor: Membership, user: User, data: UserInput, based_on: dict[str, Any] | None = None
) -> User:
    _require(actor, "user.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    values = data.values()
    _validate_user(values, instance=user)
    changes = _merge(user_values(user), values, based_on)
    if not changes:
        return user
    for name, change in changes.items():
        setattr(user, name, change["new"])
    user.save(update_fields=list(changes))
    audit.record(
        action="user.changed",
        actor=actor.user,
        organisation=actor.organisation,
        subject=user,
        changes=_audit_user_changes(changes),
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: Membership, user: User, reason: str) -> User:
    """Let a deactivated account sign in again. Its revoked tokens stay revoked."""
    _require(actor, "user.manage")
    reason = _reason(reason)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        action="user.reactivated",
        actor=actor.user,
        organisation=actor.organisation,
        subject=user,
        changes={"is_active": {"old": False, "new": True}, "reason": reason},
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
    _require(actor, "user.manage")
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
            _(
                "You changed this account's e-mail address in the last %(days)d days and it has "
                "no second factor, so the link would give whoever reads that address the "
                "account. Ask another administrator to send it."
            )
            % {"days": selectors_auth.EMAIL_CHANGE_HOLD.days},
            status=409,
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    ended = _end_sessions(user)
    url = build_url(
        urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    )
    audit.record(
        action="user.setup_link_issued",
        actor=actor.user,
        organisation=actor.organisation,
        subject=user,
        changes={"sessions_ended": ended},
    )
    recipient, language, user_id = user.email, user.preferred_language, user.pk
    transaction.on_commit(lambda: _send_setup_link(recipient, language, url, user_id))
    return url


def _send_setup_link(recipient: str, language: str, url: str, user_id) -> None:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = gettext("Your Punte account: choose your password")
        body = ngettext(
            "An account was opened for you in Punte, or its password was reset.\n\n"
            "Open this link to choose your password. It works once, for %(hours)d hour:\n\n"
            "%(url)s\n\n"
            "At your first sign-in you will set up a second factor (an authenticator app or "
            "a passkey).\nIf you did not expect this message, tell your administrator.",
            "An account was opened for you in Punte, or its password was reset.\n\n"
            "Open this link to choose your password. It works once, for %(hours)d hours:\n\n"
            "%(url)s\n\n"
            "At your first sign-in you will set up a second factor (an authenticator app or "
            "a passkey).\nIf you did not expect this message, tell your administrator.",
            hours,
        ) % {"hours": hours, "url": url}
    try:
        send_mail(subject, body, None, [recipient])
    except OSError:
        # The account exists; the administrator can send a new link from the user's page.
        logger.warning("could not send the set-password link to user %s", user_id)


@transaction.atomic
def user_password_set_from_link(*, user: User, password: str) -> User:
    """The person chose their password through a set-password link (validated by the form)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ServiceError(None, _("This account is deactivated."), status=409)
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = _end_sessions(user)
    audit.record(
        action="user.password_set", actor=user, subject=user, changes={"sessions_ended": ended}
    )
    return user


# Memberships


@transaction.atomic
def membership_add(
    *, actor: Membership, user: User, organisation: Organisation, role: Role
) -> Membership:
    """Make the user a member of one more organisation (or bring back an ended membership)."""
    _require(actor, "user.manage")
    _validate_assignment(actor, organisation, role)
    existing = (
        Membership.objects.select_for_update().filter(user=user, organisation=organisation).first()
    )
    if existing is not None and existing.is_active:
        raise ServiceError(
            "organisation",
            _("The user is already a member of this organisation; change the role instead."),
        )
    if existing is not None:
        old_role = existing.role_id
        existing.is_active, existing.role = True, role
        existing.modified_by = actor.user
        existing.save(update_fields=["is_active", "role", "modified_by", "modified_at"])
        audit.record(
            action="membership.reactivated",
            actor=actor.user,
            organisation=actor.organisation,
            subject=existing,
            changes={
                "is_active": {"old": False, "new": True},
                "role": {"old": old_role, "new": role.pk},
            },
        )
        return existing
    membership = Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        created_by=actor.user,
        modified_by=actor.user,
    )
    _record_membership_created(actor=actor, membership=membership)
    return membership


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: Role) -> Membership:
    _require(actor, "user.manage")
    _lock_role_managers()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role_id == role.pk:
        return membership
    if not Role.objects.filter(pk=role.pk).exists():
        raise ServiceError("role", _("Unknown role."))
    _check_may_give(actor, role)
    old_role = membership.role_id
    membership.role = role
    membership.modified_by = actor.user
    membership.save(update_fields=["role", "modified_by", "modified_at"])
    _ensure_role_manager_remains("role")
    audit.record(
        action="membership.role_changed",
        actor=actor.user,
        organisation=actor.organisation,
        subject=membership,
        changes={"role": {"old": old_role, "new": role.pk}},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Membership, membership: Membership, reason: str) -> Membership:
    """End a membership: at once for the web (it is re-read every request) and for its tokens."""
    _require(actor, "user.manage")
    reason = _reason(reason)
    _lock_role_managers()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        return membership
    if membership.pk == actor.pk:
        raise ServiceError(None, _("You cannot end the membership you are acting in."), status=409)
    membership.is_active = False
    membership.modified_by = actor.user
    membership.save(update_fields=["is_active", "modified_by", "modified_at"])
    revoked = ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _ensure_role_manager_remains(None)
    audit.record(
        action="membership.deactivated",
        actor=actor.user,
        organisation=actor.organisation,
        subject=membership,
        changes={
            "is_active": {"old": True, "new": False},
            "reason": reason,
            "tokens_revoked": revoked,
        },
    )
    return membership


# Roles


@transaction.atomic
def role_permissions_set(
    *,
    actor: Membership,
    role: Role,
    permissions: Iterable[str],
    based_on: Iterable[str] | None = None,
) -> Role:
    """Set the permissions a role holds. Takes effect at the next request of every holder.

    With `based_on` (the permissions the submitter's form showed), only what the submitter
    ticked or unticked is applied, so two administrators editing one role do not undo each other.
    """
    _require(actor, "role.manage")
    wanted = set(permissions)
    unknown = sorted(wanted - set(catalogue()))
    if unknown:
        raise ServiceError(
            "permissions", _("Unknown permissions: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    _lock_role_managers()
    role = Role.objects.select_for_update().get(pk=role.pk)
    current = set(RolePermission.objects.filter(role=role).values_list("permission", flat=True))
    if based_on is not None:
        seen = set(based_on)
        wanted = (current | (wanted - seen)) - (seen - wanted)
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if not added and not removed:
        return role
    RolePermission.objects.filter(role=role, permission__in=removed).delete()
    RolePermission.objects.bulk_create(
        [RolePermission(role=role, permission=code) for code in added]
    )
    if "role.manage" in removed:
        _ensure_role_manager_remains("permissions")
    audit.record(
        action="role.permissions_changed",
        actor=actor.user,
        organisation=actor.organisation,
        subject=role,
        changes={
            "permissions": {"old": sorted(current), "new": sorted(wanted)},
            "added": added,
            "removed": removed,
        },
    )
    return role
