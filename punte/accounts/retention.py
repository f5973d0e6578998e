"""Retention of account records (see punte.core.retention)."""

from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef

from punte.core.retention import ERASE, Period, RetentionRule


def _session_ended(now):
    """The Django session is gone (logged out, ended by an administrator) or has expired."""
    live = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
    return ~Exists(live)


RULES = [
    RetentionRule(
        name="accounts.user_session.erase_ended",
        record_type="accounts.UserSession",
        age_field="last_seen_at",
        period=Period("PUNTE_RETENTION_ENDED_SESSION_DAYS"),
        action=ERASE,
        condition=_session_ended,
        # The primary key is the session key, a secret: show and audit the user instead.
        shown_id="user_id",
        legal_basis=(
            "A staff member's IP address and browser are kept to show them where they are signed "
            "in; once the session has ended that purpose is gone (logins stay in the audit trail)."
        ),
    ),
]


def _login_attempt_rule(model: str, what: str) -> RetentionRule:
    return RetentionRule(
        name=f"axes.{what}.erase",
        record_type=f"axes.{model}",
        age_field="attempt_time",
        period=Period("PUNTE_RETENTION_LOGIN_ATTEMPT_DAYS"),
        action=ERASE,
        legal_basis=(
            "Sign-in attempts (username, IP address, browser) are kept to look into an attack "
            "on the accounts for a while; lockouts need them for minutes, and every sign-in "
            "stays in the audit trail."
        ),
    )


RULES += [
    _login_attempt_rule("AccessAttempt", "access_attempt"),
    _login_attempt_rule("AccessFailureLog", "access_failure_log"),
    _login_attempt_rule("AccessLog", "access_log"),
]

RULES.append(
    RetentionRule(
        name="accounts.sign_in_throttle.erase",
        record_type="accounts.SignInThrottle",
        age_field="last_failure_at",
        period=Period("PUNTE_RETENTION_SIGN_IN_THROTTLE_HOURS", unit="hours"),
        action=ERASE,
        legal_basis=(
            "Counts of failed sign-ins under a keyed hash of the username or the address, needed "
            "only while they slow guessing down (an hour after the last failure)."
        ),
    )
)

_ACCOUNT = "kept while the account exists"
_FACTOR = (
    f"A staff member's second factor (a secret, or a passkey's public key): {_ACCOUNT}; removed "
    "when the user or an administrator removes it (mfa.factor_removed, mfa.factors_reset)."
)

KEPT = {
    "accounts.DefaultGrantOffered": (
        "Configuration, no personal data: which default permissions each role was once given, so "
        "that a permission an administrator took away is never given back."
    ),
    "accounts.Organisation": (
        "Organisations are archived, never deleted: every record names the organisation that "
        "acted or holds it. No personal data."
    ),
    "accounts.User": (
        "Staff accounts are deactivated, never deleted: the audit trail and the records name "
        "who acted (accountability, GDPR art. 5(2)). To review with the DPO: staff data of "
        "accounts deactivated for years."
    ),
    "accounts.Membership": "Who acted for which organisation in which role: kept with the user.",
    "accounts.Role": "Configuration: roles and their permissions; no personal data.",
    "accounts.RolePermission": "Configuration: roles and their permissions; no personal data.",
    "accounts.ApiToken": (
        "Only a hash of the token; kept, expired or revoked, to show which system acted "
        "through which token (the audit trail names it)."
    ),
    "sessions.Session": (
        "Not kept: an expired session is erased daily by the accounts.clear_expired_sessions "
        "job (Django's clearsessions). No rule here because the session key is a secret that "
        "must not be listed or audited."
    ),
    "axes.AccessAttemptExpiration": "Erased with its access attempt (one to one).",
    "otp_totp.TOTPDevice": _FACTOR,
    "otp_static.StaticDevice": _FACTOR,
    "otp_static.StaticToken": _FACTOR,
    "django_otp_webauthn.WebAuthnCredential": _FACTOR,
    "django_otp_webauthn.WebAuthnAttestation": _FACTOR,
    "django_otp_webauthn.WebAuthnUserHandle": (
        f"The random handle a passkey knows its user by: {_ACCOUNT}."
    ),
}
