from django.contrib.auth import views as auth_views
from django.urls import path

from punte.accounts import views_auth, views_membership

urlpatterns = [
    path("login/", views_auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Open before the second factor is verified (see RequireMFAMiddleware); each view checks.
    path("mfa/", views_auth.mfa_verify, name="mfa"),
    path("mfa/enrol/", views_auth.mfa_enrol, name="mfa_enrol"),
    path("mfa/enrol/app/", views_auth.mfa_enrol_totp, name="mfa_enrol_totp"),
    path("mfa/enrol/passkey/", views_auth.mfa_enrol_passkey, name="mfa_enrol_passkey"),
    # Only with a verified second factor.
    path("security/", views_auth.security, name="security"),
    path("security/recovery-codes/", views_auth.recovery_codes, name="recovery_codes"),
    path(
        "security/<str:kind>/<int:device_id>/remove/",
        views_auth.security_factor_remove,
        name="security_factor_remove",
    ),
    path("sessions/", views_auth.sessions, name="sessions"),
    path("sessions/end/", views_auth.sessions_end, name="sessions_end"),
    path("membership/", views_membership.membership_switch, name="membership_switch"),
]
