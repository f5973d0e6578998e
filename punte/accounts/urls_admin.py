"""Administration of organisations, users, memberships, roles and API tokens (national agency),
and the one-time link by which a new account chooses its password."""

from django.urls import path

from punte.accounts.views_admin import (
    home,
    memberships,
    organisations,
    roles,
    tokens,
    users,
    welcome,
)

urlpatterns = [
    path("admin/", home.admin_home, name="admin_home"),
    # Organisations
    path("admin/organisations/", organisations.organisation_list, name="admin_organisation_list"),
    path(
        "admin/organisations/new/",
        organisations.organisation_create,
        name="admin_organisation_create",
    ),
    path(
        "admin/organisations/<uuid:organisation_id>/",
        organisations.organisation_detail,
        name="admin_organisation_detail",
    ),
    path(
        "admin/organisations/<uuid:organisation_id>/edit/",
        organisations.organisation_edit,
        name="admin_organisation_edit",
    ),
    path(
        "admin/organisations/<uuid:organisation_id>/deactivate/",
        organisations.organisation_set_active,
        {"active": False},
        name="admin_organisation_deactivate",
    ),
    path(
        "admin/organisations/<uuid:organisation_id>/reactivate/",
        organisations.organisation_set_active,
        {"active": True},
        name="admin_organisation_reactivate",
    ),
    # Users
    path("admin/users/", users.user_list, name="admin_user_list"),
    path("admin/users/new/", users.user_create, name="admin_user_create"),
    path("admin/users/<uuid:user_id>/", users.user_detail, name="admin_user_detail"),
    path("admin/users/<uuid:user_id>/edit/", users.user_edit, name="admin_user_edit"),
    path(
        "admin/users/<uuid:user_id>/deactivate/",
        users.user_set_active,
        {"active": False},
        name="admin_user_deactivate",
    ),
    path(
        "admin/users/<uuid:user_id>/reactivate/",
        users.user_set_active,
        {"active": True},
        name="admin_user_reactivate",
    ),
    path(
        "admin/users/<uuid:user_id>/setup-link/",
        users.user_setup_link,
        name="admin_user_setup_link",
    ),
    path(
        "admin/users/<uuid:user_id>/second-factors/reset/",
        users.user_factors_reset,
        name="admin_user_factors_reset",
    ),
    path(
        "admin/users/<uuid:user_id>/sessions/end/",
        users.user_sessions_end,
        name="admin_user_sessions_end",
    ),
    # Memberships
    path(
        "admin/users/<uuid:user_id>/memberships/new/",
        memberships.membership_add,
        name="admin_membership_add",
    ),
    path(
        "admin/memberships/<uuid:membership_id>/role/",
        memberships.membership_role,
        name="admin_membership_role",
    ),
    path(
        "admin/memberships/<uuid:membership_id>/deactivate/",
        memberships.membership_deactivate,
        name="admin_membership_deactivate",
    ),
    # API tokens
    path("admin/users/<uuid:user_id>/tokens/new/", tokens.token_create, name="admin_token_create"),
    path("admin/tokens/<uuid:token_id>/revoke/", tokens.token_revoke, name="admin_token_revoke"),
    # Roles
    path("admin/roles/", roles.role_matrix, name="admin_role_matrix"),
    path("admin/roles/<slug:code>/", roles.role_edit, name="admin_role_edit"),
    # The new account's own link (no session needed; the token is checked)
    path("welcome/<uidb64>/<token>/", welcome.welcome_set_password, name="welcome"),
]
