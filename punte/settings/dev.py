"""Settings for a developer's machine and the demo.

Secrets come from the environment; when they are missing, the demo makes its own and keeps
them in var/dev-secrets.env (outside version control) so the database stays readable across
restarts.
"""

import os

from punte.settings.base import *  # noqa: F403
from punte.settings.base import BASE_DIR
from punte.settings.keys import decode_key, new_key, parse_keyring

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def _dev_secrets() -> dict[str, str]:
    path = BASE_DIR / "var" / "dev-secrets.env"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key_id = "dev1"
        path.write_text(
            f"DJANGO_SECRET_KEY={new_key()}{new_key()}\n"
            f"PUNTE_ENCRYPTION_KEYS={key_id}:{new_key()}\n"
            f"PUNTE_ENCRYPTION_PRIMARY_KEY_ID={key_id}\n"
            f"PUNTE_BLIND_INDEX_KEY={new_key()}\n"
        )
        path.chmod(0o600)
    values = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {name: os.environ.get(name, value) for name, value in values.items()}


_secrets = _dev_secrets()
SECRET_KEY = _secrets["DJANGO_SECRET_KEY"]
PUNTE_ENCRYPTION_KEYS = parse_keyring(_secrets["PUNTE_ENCRYPTION_KEYS"])
PUNTE_ENCRYPTION_PRIMARY_KEY_ID = _secrets["PUNTE_ENCRYPTION_PRIMARY_KEY_ID"]
PUNTE_BLIND_INDEX_KEY = decode_key("PUNTE_BLIND_INDEX_KEY", _secrets["PUNTE_BLIND_INDEX_KEY"])

OTP_WEBAUTHN_RP_ID = "localhost"
# Browsers offer passkeys only in a secure context: open the demo as http://localhost:8000.
OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://localhost:8000"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PUNTE_DEMO = True

# /metrics from this machine only (a local Prometheus, or curl).
PUNTE_METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]
