"""Production settings: every secret must come from the environment, or Punte refuses to start."""

import os

from django.core.exceptions import ImproperlyConfigured

from punte.settings.base import *  # noqa: F403
from punte.settings.keys import decode_key, parse_keyring


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment (see .env.example).")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters.")
ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]

PUNTE_ENCRYPTION_KEYS = parse_keyring(_required("PUNTE_ENCRYPTION_KEYS"))
PUNTE_ENCRYPTION_PRIMARY_KEY_ID = _required("PUNTE_ENCRYPTION_PRIMARY_KEY_ID")
if PUNTE_ENCRYPTION_PRIMARY_KEY_ID not in PUNTE_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("PUNTE_ENCRYPTION_PRIMARY_KEY_ID is not in PUNTE_ENCRYPTION_KEYS.")
PUNTE_BLIND_INDEX_KEY = decode_key("PUNTE_BLIND_INDEX_KEY", _required("PUNTE_BLIND_INDEX_KEY"))

# The production database is PostgreSQL; SQLite is for development only.
_database_url = _required("DATABASE_URL")
if not _database_url.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")
DATABASES["default"] = dj_database_url.parse(  # noqa: F405
    _database_url, conn_max_age=60, conn_health_checks=True
)

SECURE_SSL_REDIRECT = os.environ.get("PUNTE_SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

OTP_WEBAUTHN_RP_ID = _required("PUNTE_WEBAUTHN_RP_ID")
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{OTP_WEBAUTHN_RP_ID}"]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = _required("PUNTE_EMAIL_HOST")
EMAIL_PORT = int(os.environ.get("PUNTE_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("PUNTE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PUNTE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = True
DEFAULT_FROM_EMAIL = _required("PUNTE_DEFAULT_FROM_EMAIL")

# The demo loader and any demo shortcut check this flag and refuse to run.
PUNTE_DEMO = False
