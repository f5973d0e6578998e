"""The accounts' pages in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def _admin(scene):
    return scene.member("system_admin")


def _with_totp(scene):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    member = scene.member("ngo_caseworker")
    TOTPDevice.objects.get_or_create(user=member.user, name="Phone", defaults={"confirmed": True})
    return member


def _token(scene):
    from punte.accounts.services import tokens

    issued = tokens.apitoken_create(actor=None, membership=scene.physician, name="Hospital system")
    return reverse("accounts:admin_token_revoke", args=[issued.token.pk])


def _new_account(scene):
    from punte.accounts.tests.factories import MembershipFactory

    return MembershipFactory(role_code="first_responder", organisation=scene.cast.hospital)


PAGES = [
    Page("sign-in", lambda s: reverse("accounts:login")),
    Page(
        "second factor: choose",
        lambda s: reverse("accounts:mfa_enrol"),
        login=_new_account,
        verified=False,
    ),
    Page(
        "second factor: authenticator app",
        lambda s: reverse("accounts:mfa_enrol_totp"),
        login=_new_account,
        verified=False,
    ),
    Page(
        "second factor: one-time code",
        lambda s: reverse("accounts:mfa"),
        login=_with_totp,
        verified=False,
    ),
    Page("security", lambda s: reverse("accounts:security"), login=lambda s: s.physician),
    Page("my sessions", lambda s: reverse("accounts:sessions"), login=lambda s: s.physician),
    Page(
        "recovery codes",
        lambda s: reverse("accounts:recovery_codes"),
        login=lambda s: s.physician,
    ),
    Page("administration", lambda s: reverse("accounts:admin_home"), login=_admin),
    Page(
        "administration: organisations",
        lambda s: reverse("accounts:admin_organisation_list"),
        login=_admin,
    ),
    Page(
        "administration: organisation",
        lambda s: reverse("accounts:admin_organisation_detail", args=[s.cast.hospital.pk]),
        login=_admin,
    ),
    Page(
        "administration: new organisation",
        lambda s: reverse("accounts:admin_organisation_create"),
        login=_admin,
    ),
    Page(
        "administration: change organisation",
        lambda s: reverse("accounts:admin_organisation_edit", args=[s.cast.hospital.pk]),
        login=_admin,
    ),
    Page("administration: users", lambda s: reverse("accounts:admin_user_list"), login=_admin),
    Page(
        "administration: user",
        lambda s: reverse("accounts:admin_user_detail", args=[s.physician.user_id]),
        login=_admin,
    ),
    Page("administration: new user", lambda s: reverse("accounts:admin_user_create"), login=_admin),
    Page(
        "administration: change user",
        lambda s: reverse("accounts:admin_user_edit", args=[s.physician.user_id]),
        login=_admin,
    ),
    Page(
        "administration: membership role",
        lambda s: reverse("accounts:admin_membership_role", args=[s.physician.pk]),
        login=_admin,
    ),
    Page(
        "administration: add membership",
        lambda s: reverse("accounts:admin_membership_add", args=[s.physician.user_id]),
        login=_admin,
    ),
    Page(
        "administration: new API token",
        lambda s: reverse("accounts:admin_token_create", args=[s.physician.user_id]),
        login=_admin,
    ),
    Page(
        "administration: deactivate organisation",
        lambda s: reverse("accounts:admin_organisation_deactivate", args=[s.cast.hospital.pk]),
        login=_admin,
    ),
    Page(
        "administration: deactivate user",
        lambda s: reverse("accounts:admin_user_deactivate", args=[s.physician.user_id]),
        login=_admin,
    ),
    Page(
        "administration: reset second factors",
        lambda s: reverse("accounts:admin_user_factors_reset", args=[s.physician.user_id]),
        login=_admin,
    ),
    Page(
        "administration: end sessions",
        lambda s: reverse("accounts:admin_user_sessions_end", args=[s.physician.user_id]),
        login=_admin,
    ),
    Page(
        "administration: password link",
        lambda s: reverse("accounts:admin_user_setup_link", args=[s.physician.user_id]),
        login=_admin,
    ),
    Page(
        "administration: end membership",
        lambda s: reverse("accounts:admin_membership_deactivate", args=[s.physician.pk]),
        login=_admin,
    ),
    Page("administration: revoke API token", _token, login=_admin),
    Page("administration: roles", lambda s: reverse("accounts:admin_role_matrix"), login=_admin),
    Page(
        "administration: role",
        lambda s: reverse("accounts:admin_role_edit", args=["clinician"]),
        login=_admin,
    ),
]
