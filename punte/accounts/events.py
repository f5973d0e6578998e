"""Audit event names of the accounts app, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "auth.login": _("A user signed in"),
    "auth.logout": _("A user signed out, or their session was ended"),
    "auth.login_failed": _("A sign-in failed"),
    "auth.locked_out": _("A user was locked out after too many failed sign-ins"),
    "auth.sign_in_slowed": _(
        "Sign-ins to an account, or from an address, must now wait after many failures"
    ),
    "mfa.totp_enrolment_started": _("A user began enrolling an authenticator app"),
    "mfa.totp_enrolled": _("A user enrolled an authenticator app"),
    "mfa.passkey_enrolled": _("A user enrolled a passkey"),
    "mfa.recovery_codes_generated": _("A user generated new recovery codes"),
    "mfa.recovery_code_used": _("A user signed in with a recovery code"),
    "mfa.verified": _("A user passed the second factor"),
    "mfa.failed": _("A second-factor check failed"),
    "mfa.factors_reset": _("An administrator reset a user's second factors"),
    "mfa.factor_removed": _("A second factor was removed from a user"),
    "apitoken.created": _("An API token was issued"),
    "apitoken.revoked": _("An API token was revoked"),
    "organisation.created": _("An organisation was created"),
    "organisation.changed": _("An organisation's details were changed"),
    "organisation.deactivated": _("An organisation was deactivated"),
    "organisation.reactivated": _("An organisation was reactivated"),
    "user.created": _("A user account was created"),
    "user.changed": _("A user account's details were changed"),
    "user.deactivated": _("A user account was deactivated"),
    "user.reactivated": _("A user account was reactivated"),
    "user.setup_link_issued": _("A link to set a password was issued to a user"),
    "user.password_set": _("A user set their password"),
    "user.sessions_ended": _("A user's sessions were ended"),
    "membership.created": _("A user was given a membership in an organisation"),
    "membership.role_changed": _("A membership's role was changed"),
    "membership.deactivated": _("A membership was deactivated"),
    "membership.reactivated": _("A membership was reactivated"),
    "membership.switched": _("A user switched the organisation they act for"),
    "role.permissions_changed": _("A role's permissions were changed"),
    "role.default_permissions_granted": _(
        "An upgrade gave an existing role the permissions a new version grants it by default"
    ),
}
