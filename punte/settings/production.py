"""Production settings: every secret comes from the environment, or Punte refuses to start.

Every variable read here is listed, with what it means, in `.env.example`;
`python manage.py generate_secrets` prints fresh values for the secret ones.
A missing or malformed value stops the process with ImproperlyConfigured naming the variable:
a half-configured system holding victims' data must not start.
"""

import ipaddress
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from punte.settings.base import *  # noqa: F403
from punte.settings.base import BASE_DIR, DATABASES, LOGGING, STORAGES
from punte.settings.keys import decode_key, parse_keyring


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment (see .env.example).")
    return value


def _optional(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _flag(name: str, default: bool) -> bool:
    value = _optional(name, "true" if default else "false").lower()
    if value not in {"true", "false"}:
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}.")
    return value == "true"


def _integer(name: str, default: int) -> int:
    value = _optional(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = False

# --- Secrets -------------------------------------------------------------------------------
SECRET_KEY = _required("DJANGO_SECRET_KEY")
# The same bar as Django's security.W009, but refused outright instead of warned about.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be at least 50 random characters "
        "(python manage.py generate_secrets makes one)."
    )

PUNTE_ENCRYPTION_KEYS = parse_keyring(_required("PUNTE_ENCRYPTION_KEYS"))
if not PUNTE_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("PUNTE_ENCRYPTION_KEYS lists no key.")
PUNTE_ENCRYPTION_PRIMARY_KEY_ID = _required("PUNTE_ENCRYPTION_PRIMARY_KEY_ID")
if PUNTE_ENCRYPTION_PRIMARY_KEY_ID not in PUNTE_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "PUNTE_ENCRYPTION_PRIMARY_KEY_ID names a key id that PUNTE_ENCRYPTION_KEYS does not list."
    )
PUNTE_BLIND_INDEX_KEY = decode_key("PUNTE_BLIND_INDEX_KEY", _required("PUNTE_BLIND_INDEX_KEY"))
# One key for two purposes would let a leak of either undo both protections.
if PUNTE_BLIND_INDEX_KEY in PUNTE_ENCRYPTION_KEYS.values():
    raise ImproperlyConfigured(
        "PUNTE_BLIND_INDEX_KEY must differ from every key in PUNTE_ENCRYPTION_KEYS."
    )

# --- Hosts and HTTPS -----------------------------------------------------------------------
ALLOWED_HOSTS = _list(_required("DJANGO_ALLOWED_HOSTS"))
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the site's hosts; '*' is refused.")
# ".example.ro" in ALLOWED_HOSTS means the domain and its subdomains; CSRF wants "*.example.ro".
CSRF_TRUSTED_ORIGINS = [
    f"https://*{host}" if host.startswith(".") else f"https://{host}" for host in ALLOWED_HOSTS
]

# TLS ends at the reverse proxy in front of gunicorn, which must set X-Forwarded-Proto and drop
# any value a client sent. Without such a proxy, set PUNTE_BEHIND_TLS_PROXY=false.
if _flag("PUNTE_BEHIND_TLS_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _flag("PUNTE_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 63072000  # two years
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# The __Host- prefix binds the cookies to this exact host, over HTTPS, for the whole path.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-punte_session"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-punte_csrf"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Database ------------------------------------------------------------------------------
# The production database is PostgreSQL; SQLite is for development only. TLS to the database is
# asked for in the URL itself (…?sslmode=verify-full).
_database_url = _required("DATABASE_URL")
if not _database_url.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")
DATABASES = {
    **DATABASES,
    "default": {
        **dj_database_url.parse(
            _database_url,
            conn_max_age=_integer("PUNTE_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        ),
        # Django's backend, checking a reused connection only after it has been idle (ADR 0026).
        "ENGINE": "punte.core.db.postgresql",
        "HEALTH_CHECK_AFTER_IDLE": _integer("PUNTE_DB_HEALTH_CHECK_AFTER_IDLE", 5),
    },
}
# Server-side parameter binding with prepared statements: PostgreSQL plans a statement the
# connection has run 5 times once, and then reuses the plan (about half the database CPU of an
# audited API read, docs/PERFORMANCE.md "API overhead"). Set false behind a pooler in
# transaction mode that cannot carry prepared statements (PgBouncer before 1.21).
if _flag("PUNTE_DB_PREPARED_STATEMENTS", True):
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": 5,
    }

# --- Passkeys (WebAuthn) -------------------------------------------------------------------
OTP_WEBAUTHN_RP_ID = _required("PUNTE_WEBAUTHN_RP_ID")
OTP_WEBAUTHN_ALLOWED_ORIGINS = _list(
    _optional("PUNTE_WEBAUTHN_ALLOWED_ORIGINS", f"https://{OTP_WEBAUTHN_RP_ID}")
)
if not all(origin.startswith("https://") for origin in OTP_WEBAUTHN_ALLOWED_ORIGINS):
    raise ImproperlyConfigured("PUNTE_WEBAUTHN_ALLOWED_ORIGINS must all be https:// origins.")
# Links in notification e-mails (sent by the task worker, which has no request).
PUNTE_BASE_URL = _optional("PUNTE_BASE_URL", f"https://{OTP_WEBAUTHN_RP_ID}")

# --- E-mail --------------------------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = _required("PUNTE_EMAIL_HOST")
EMAIL_PORT = _integer("PUNTE_EMAIL_PORT", 587)
EMAIL_HOST_USER = _optional("PUNTE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PUNTE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("PUNTE_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = _required("PUNTE_DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Files and logs ------------------------------------------------------------------------
PUNTE_TRUSTED_PROXIES = [
    entry.strip() for entry in _optional("PUNTE_TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
]
for _proxy in PUNTE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"PUNTE_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from _exc
STATIC_ROOT = _optional("PUNTE_STATIC_ROOT", str(BASE_DIR / "var" / "static"))
# Case documents, sealed; outside the web root (never under STATIC_ROOT).
PUNTE_DOCUMENTS_ROOT = _optional("PUNTE_DOCUMENTS_ROOT", str(BASE_DIR / "var" / "documents"))
STORAGES = {
    **STORAGES,
    "documents": {
        **STORAGES["documents"],
        "OPTIONS": {**STORAGES["documents"]["OPTIONS"], "location": PUNTE_DOCUMENTS_ROOT},
    },
}
_log_level = _optional("PUNTE_LOG_LEVEL", "INFO").upper()
if _log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured("PUNTE_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": _log_level}}
# "json": one JSON object a line for a log collector; the same redaction and request id.
_log_format = _optional("PUNTE_LOG_FORMAT", "plain").lower()
if _log_format not in {"plain", "json"}:
    raise ImproperlyConfigured("PUNTE_LOG_FORMAT must be 'plain' or 'json'.")
LOGGING["handlers"] = {
    **LOGGING["handlers"],
    "console": {**LOGGING["handlers"]["console"], "formatter": _log_format},
}

# --- Operations (README, "Running it in production") ----------------------------------------
# /readyz: 503 when the oldest ready task waited longer, or a periodic job is later, than these.
PUNTE_READINESS_TASK_AGE_SECONDS = _integer("PUNTE_READINESS_TASK_AGE_SECONDS", 300)
PUNTE_READINESS_SCHEDULER_LATE_SECONDS = _integer("PUNTE_READINESS_SCHEDULER_LATE_SECONDS", 600)
# /metrics: only to the monitoring network (addresses as the trusted proxies report them) or
# to a scraper sending `Authorization: Bearer <PUNTE_METRICS_TOKEN>`; 404 to anyone else.
PUNTE_METRICS_ALLOWED_NETWORKS = _list(_optional("PUNTE_METRICS_ALLOWED_NETWORKS", ""))
for _network in PUNTE_METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"PUNTE_METRICS_ALLOWED_NETWORKS: {_network!r} is not a network (e.g. 10.20.0.0/24)."
        ) from exc
PUNTE_METRICS_TOKEN = _optional("PUNTE_METRICS_TOKEN", "") or None
if PUNTE_METRICS_TOKEN is not None and len(PUNTE_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("PUNTE_METRICS_TOKEN must be at least 32 random characters.")
# Error reports to Sentry (or a compatible service) when a DSN is set; personal data is
# scrubbed before sending (punte.core.observability.error_reporting).
PUNTE_SENTRY_DSN = _optional("PUNTE_SENTRY_DSN", "")
if PUNTE_SENTRY_DSN:
    from punte.core.observability import error_reporting

    error_reporting.init(
        dsn=PUNTE_SENTRY_DSN,
        environment=_optional("PUNTE_SENTRY_ENVIRONMENT", "production"),
        release=_optional("PUNTE_SENTRY_RELEASE", "") or None,
    )

# The demo loader and any demo shortcut check this flag and refuse to run.
PUNTE_DEMO = False
