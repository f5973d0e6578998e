"""Settings shared by every environment.

Secrets (the Django secret key, the field-encryption keys and the blind-index key)
are read from the environment by the environment-specific modules, never from here.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "django_tasks_db",
    "punte.core",
    "punte.accounts",
    "punte.identification",
    "punte.linkage",
    "punte.auditing",
    "punte.journey",
    "punte.statistics",
    "punte.notifications",
    "punte.referrals",
    "punte.cases",
    "punte.hearings",
    "punte.proceedings",
    "punte.documents",
    "punte.demo",
]

MIDDLEWARE = [
    # Outermost but for security headers: times and counts every answer, errors included.
    "punte.core.observability.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the one site-wide policy built once per process.
    "punte.core.middleware.SitePolicyCSPMiddleware",
    "punte.core.middleware.RequestContextMiddleware",
    # Cache-Control: no-store on every answer that may carry personal data (outside the rest,
    # so that it sees every answer, whoever made it).
    "punte.core.middleware.NoStoreMiddleware",
    # Under /api/, any error answered outside the API's handlers becomes problem+json.
    "punte.core.api_support.ApiProblemMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API answers in English whatever the visitor's language (ADR 0006).
    "punte.core.middleware.ApiEnglishMiddleware",
    # Bodies over the limit get 413 here, ahead of CSRF, whose reading of them would be a 400.
    "punte.core.body_limit.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    # For the pages' forms; the API's views are exempt (its SessionAuth checks the CSRF token).
    "django.middleware.csrf.CsrfViewMiddleware",
    # PUNTE_BROWSER_SESSION_MIDDLEWARE, in its order; skipped by API requests that carry
    # Authorization, which are judged by it alone (ADR 0009, ADR 0013).
    "punte.core.middleware.BrowserSessionMiddleware",
    # A NUL character in the URL or a page's form, an API query parameter given twice: 422
    # (API) or 400 (pages) naming it.
    "punte.core.middleware.EdgeInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "punte.core.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

PUNTE_BROWSER_SESSION_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "punte.accounts.middleware.SessionLifetimeMiddleware",
    "punte.accounts.middleware.ActingMembershipMiddleware",
    "punte.accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "punte.urls"
WSGI_APPLICATION = "punte.wsgi.application"
# Django's error page (DEBUG, the development server) redacted as the logs are.
DEFAULT_EXCEPTION_REPORTER = "punte.core.logging.RedactingExceptionReporter"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "punte" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "punte.accounts.context_processors.acting_membership",
            ],
            # `|bdi` isolates what people typed from the page around it (core/templatetags/bidi.py).
            "builtins": ["punte.core.templatetags.bidi"],
        },
    },
]

# A blank DATABASE_URL means "not set" (production.py then refuses to start, naming it).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip()
        or f"sqlite:///{BASE_DIR / 'var' / 'punte.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the background worker and the web server share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with the health check after idle time (ADR 0026); the check itself is
    # only on where connections persist (production.py).
    DATABASES["default"]["ENGINE"] = "punte.core.db.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "django_otp_webauthn.backends.WebAuthnBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# NIST SP 800-63B: length over composition, and a check against common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "punte.accounts.validators.MaximumLengthValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions live in the database so that "log out everywhere" can delete them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PUNTE_SESSION_IDLE_SECONDS = 15 * 60
PUNTE_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_AGE = PUNTE_SESSION_ABSOLUTE_SECONDS
CSRF_COOKIE_HTTPONLY = True

# django-axes: lock the (username, IP) pair, so an attacker cannot lock a victim out
# from elsewhere, and answer unknown and known usernames alike.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["password"]
# One answer to "who is the client" for lockout and the audit trail alike.
AXES_CLIENT_IP_CALLABLE = "punte.core.middleware.client_ip"
# Beyond axes' pair: failed sign-ins per account across addresses, and per address across
# accounts (password spraying), each answered with a wait that doubles after the free failures
# (2, 4, 8 ... seconds, at most the cap), forgotten an hour after the last failure (ADR 0007).
PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES = 10
PUNTE_SIGN_IN_ADDRESS_FREE_FAILURES = 20
PUNTE_SIGN_IN_MAX_DELAY_SECONDS = 300
PUNTE_SIGN_IN_FORGET_AFTER_SECONDS = 3600
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed; a request from
# anywhere else is judged by its own address whatever it sends (empty: trust none).
PUNTE_TRUSTED_PROXIES: list[str] = []

OTP_TOTP_ISSUER = "Punte"
OTP_WEBAUTHN_RP_NAME = "Punte"

LANGUAGE_CODE = "ro"
LANGUAGES = [
    ("ro", _("Romanian")),
    ("en", _("English")),
    ("uk", _("Ukrainian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One form for dates and one for moments per language, on every page and in every e-mail.
FORMAT_MODULE_PATH = ["punte.formats"]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "punte" / "static"]

# Case documents (ADR 0041): sealed bytes outside the web root, served only through the
# access-checked view. Production may point "documents" at an object store's backend.
PUNTE_DOCUMENTS_ROOT = BASE_DIR / "var" / "documents"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": PUNTE_DOCUMENTS_ROOT,
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    },
}
PUNTE_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# ClamAV's clamd, by its socket or host (empty: no scanner); required: refuse uploads without it.
PUNTE_CLAMAV_SOCKET = os.environ.get("PUNTE_CLAMAV_SOCKET", "")
PUNTE_CLAMAV_HOST = os.environ.get("PUNTE_CLAMAV_HOST", "")
PUNTE_CLAMAV_PORT = int(os.environ.get("PUNTE_CLAMAV_PORT", "3310"))
PUNTE_CLAMAV_REQUIRED = os.environ.get("PUNTE_CLAMAV_REQUIRED", "") == "1"

# Bodies larger than this are refused before parsing (HTTP 413, punte.core.body_limit), or than
# the limit of the longest matching path prefix in PUNTE_REQUEST_BODY_LIMITS.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# Content Security Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

PUNTE_AUDIT_SHARDS = 16
PUNTE_API_TOKEN_DEFAULT_DAYS = 90
PUNTE_IDEMPOTENCY_TTL_HOURS = 24
# Who is asking, as the idempotency middleware (core) scopes its keys: request -> "token:<id>",
# "session:<id>" or None. Named here because core knows no app above it.
PUNTE_REQUEST_PRINCIPAL = "punte.accounts.auth.request_principal"
# The anonymous public report form (ADR 0021): reports per client per window (seconds, count),
# the shortest and longest time between showing the form and sending it.
# Per client address: a burst of 5 in 10 minutes, 30 an hour, 100 a day, so that a school or an
# office behind one address can still report while one sender cannot flood (ADR 0021).
PUNTE_PUBLIC_REPORT_LIMITS = [(600, 5), (3600, 30), (86400, 100)]
# (seconds, count): when the country's public reports in one window reach the count, the national
# agency's administrators are notified, once per window (a few a day is the usual volume).
PUNTE_PUBLIC_REPORT_ALARM = (3600, 50)
PUNTE_PUBLIC_REPORT_MIN_SECONDS = 3
PUNTE_PUBLIC_REPORT_MAX_AGE_SECONDS = 2 * 60 * 60
# The public form's fields are limited in characters by its form; this ceiling on the request
# is only a safety net, far above the largest valid report (6,900 characters, up to 12 bytes each
# once a 4-byte character is percent-encoded: about 83 KB).
PUNTE_REQUEST_BODY_LIMITS = {
    "/report/": 256 * 1024,
    # A case document and its form (ADR 0041): the file's own limit is checked before reading.
    "/documents/": PUNTE_DOCUMENT_MAX_BYTES + 64 * 1024,
    "/api/v1/cases/": PUNTE_DOCUMENT_MAX_BYTES + 64 * 1024,
}
# Where Punte is served: links in e-mails sent by background tasks, which have no request.
PUNTE_BASE_URL = os.environ.get("PUNTE_BASE_URL", "http://localhost:8000")

# Operations (punte.core.observability; README "Running it in production").
# /readyz answers 503 when the oldest task ready to run has waited longer than this, or a
# periodic job is this late (the worker is stopped or behind).
PUNTE_READINESS_TASK_AGE_SECONDS = 5 * 60
PUNTE_READINESS_SCHEDULER_LATE_SECONDS = 10 * 60
# /metrics answers only clients in these networks (CIDR) or bearing this token; 404 otherwise.
PUNTE_METRICS_ALLOWED_NETWORKS: list[str] = []
PUNTE_METRICS_TOKEN: str | None = None

# Retention (punte.core.retention; rules in <app>/retention.py; `manage.py apply_retention`).
# Periods proposed by the engineers. The data protection officer must confirm each one and its
# legal basis in the DPIA before go-live; until then they are proposals, not decisions.
# - Persons are anonymised this many days after their record was archived. Proposed: 10 years,
#   longer than the limitation period for trafficking offences (Criminal Code art. 154, to be
#   checked, including the rule that for offences against minors the period runs from the
#   victim's majority: records of child victims may need longer). Basis: GDPR art. 5(1)(e)
#   storage limitation, Law 678/2001, Law 363/2018.
PUNTE_RETENTION_PERSON_ANONYMISE_DAYS = 3653
# - Staff login sessions (IP address, browser) are erased this long after the session ended or
#   expired. Basis: GDPR art. 5(1)(e); the logins themselves stay in the audit trail.
PUNTE_RETENTION_ENDED_SESSION_DAYS = 1
# Rate-limit counters of the public report form (keyed hashes of IP addresses).
PUNTE_RETENTION_PUBLIC_REPORT_COUNTER_HOURS = 48
# Nonces of public report forms already sent: useless once a form's token has expired
# (PUNTE_PUBLIC_REPORT_MAX_AGE_SECONDS, 2 hours), so kept one hour longer.
PUNTE_RETENTION_PUBLIC_REPORT_FORM_USE_HOURS = 3
# - Idempotency records (stored API responses) are erased after PUNTE_IDEMPOTENCY_TTL_HOURS.
# - Closed signals: their free text (what was seen, where, the reporter's contact, step notes)
#   is cleared this long after closing; as a person's record, since a suspicion may become
#   evidence. Basis: GDPR art. 5(1)(e); Law 363/2018.
PUNTE_RETENTION_CLOSED_SIGNAL_DAYS = 3653
# - Notifications (a notice, not a record: what happened stays where it happened) are erased
#   this long after they were made, read or not.
PUNTE_RETENTION_NOTIFICATION_DAYS = 180
# - Sign-in attempts (username, IP address, browser; django-axes) are erased after this long:
#   enough to look into an attack; lockouts need minutes; sign-ins stay in the audit trail.
PUNTE_RETENTION_LOGIN_ATTEMPT_DAYS = 90
# - Sign-in throttle counters (keyed hashes of usernames and addresses) are erased this long
#   after their last failure; they are forgotten anyway an hour after it.
PUNTE_RETENTION_SIGN_IN_THROTTLE_HOURS = 24
# - Finished background tasks (arguments, result, traceback) are erased after this long.
PUNTE_RETENTION_TASK_RESULT_DAYS = 30
# - Referrals, identification decisions and the audit trail have no period: they are kept
#   (each app's retention.py says why in KEPT; `apply_retention --dry-run` lists them all).

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personal_data": {"()": "punte.core.logging.RedactPersonalDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # PUNTE_LOG_FORMAT=json in production: the same redacted fields, one JSON object a line.
        "json": {
            "()": "punte.core.logging.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_personal_data"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's own handlers on these (console, mail_admins, django.server) would write a
        # record before the redacting filter sees it: every record goes through the root.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING", "propagate": True},
    },
}
