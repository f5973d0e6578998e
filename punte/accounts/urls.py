from django.urls import include, path

from punte.accounts.urls_admin import urlpatterns as admin_patterns
from punte.accounts.urls_auth import urlpatterns as auth_patterns

URL_PREFIX = "accounts/"
app_name = "accounts"

urlpatterns = auth_patterns + admin_patterns

# django-otp-webauthn's endpoints keep the address and the namespace its scripts expect.
ROOT_URLPATTERNS = [
    path("webauthn/", include("punte.accounts.urls_webauthn", namespace="otp_webauthn")),
]
