"""Settings for the test suite: fresh keys every run, fast hashing, no real e-mail."""

from punte.settings.base import *  # noqa: F403
from punte.settings.keys import decode_key, new_key, parse_keyring

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECRET_KEY = new_key() + new_key()
PUNTE_ENCRYPTION_KEYS = parse_keyring(f"test1:{new_key()}")
PUNTE_ENCRYPTION_PRIMARY_KEY_ID = "test1"
PUNTE_BLIND_INDEX_KEY = decode_key("PUNTE_BLIND_INDEX_KEY", new_key())

# Argon2 is exercised by its own test; everywhere else a fast hasher keeps the suite quick.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
OTP_WEBAUTHN_RP_ID = "localhost"
OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://localhost:8000"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
PUNTE_DEMO = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Not Django's in-memory default: that is one connection which the live server's request
    # threads all share, so two overlapping htmx requests in a browser test interleave on it and
    # fail at random. A file gives each thread its own connection, as in production.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}  # noqa: F405
