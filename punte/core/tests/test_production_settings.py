"""Production refuses to start half-configured, and passes Django's deployment checks when set up.

Every case runs outside the test process, with a controlled environment: the test process itself
runs on punte.settings.test, and settings are read once per process.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from punte.core.management.commands.generate_secrets import generate

BASE_DIR = settings.BASE_DIR

# Variables production reads that are not secrets, as an operator would set them.
SITE = {
    "DJANGO_ALLOWED_HOSTS": "punte.example.ro",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/punte",
    "PUNTE_WEBAUTHN_RP_ID": "punte.example.ro",
    "PUNTE_EMAIL_HOST": "smtp.example.ro",
    "PUNTE_DEFAULT_FROM_EMAIL": "punte@example.ro",
}
REQUIRED = [
    "DJANGO_SECRET_KEY",
    "PUNTE_ENCRYPTION_KEYS",
    "PUNTE_ENCRYPTION_PRIMARY_KEY_ID",
    "PUNTE_BLIND_INDEX_KEY",
    *SITE,
]


def _full_env() -> dict[str, str]:
    return {**generate(), **SITE}


def _run(code_or_args: str | list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "punte.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# Importing the settings once per case in a fresh process costs a second each; this runner
# imports them afresh (base included) for every case in one process and reports the outcome.
BATCH = """
import importlib, json, os, sys
outcomes = []
for env in json.load(sys.stdin):
    os.environ.clear()
    os.environ.update(env)
    for name in [m for m in sys.modules if m.startswith("punte.settings")]:
        del sys.modules[name]
    try:
        importlib.import_module("punte.settings.production")
        outcomes.append("started")
    except Exception as exc:
        outcomes.append(f"{type(exc).__name__}: {exc}")
print(json.dumps(outcomes))
"""

MALFORMED = [
    ("DJANGO_SECRET_KEY", "too-short", "DJANGO_SECRET_KEY must be at least 50"),
    ("DJANGO_SECRET_KEY", "django-insecure-" + "x1y2z3" * 10, "DJANGO_SECRET_KEY must be"),
    ("PUNTE_ENCRYPTION_KEYS", "k1:bm90LWEta2V5", "must decode to 32 bytes"),
    ("PUNTE_ENCRYPTION_KEYS", "no-colon-here", "PUNTE_ENCRYPTION_KEYS entries look like"),
    ("PUNTE_ENCRYPTION_KEYS", " , ", "PUNTE_ENCRYPTION_KEYS lists no key"),
    ("PUNTE_ENCRYPTION_PRIMARY_KEY_ID", "k19990101", "PUNTE_ENCRYPTION_PRIMARY_KEY_ID names"),
    ("PUNTE_BLIND_INDEX_KEY", "***", "PUNTE_BLIND_INDEX_KEY"),
    ("DATABASE_URL", "sqlite:///tmp/punte.sqlite3", "DATABASE_URL must point to PostgreSQL"),
    ("DJANGO_ALLOWED_HOSTS", "*", "'*' is refused"),
    ("PUNTE_WEBAUTHN_ALLOWED_ORIGINS", "http://punte.example.ro", "https://"),
    ("PUNTE_SECURE_SSL_REDIRECT", "yes please", "PUNTE_SECURE_SSL_REDIRECT must be"),
    ("PUNTE_EMAIL_PORT", "smtp", "PUNTE_EMAIL_PORT must be a whole number"),
    ("PUNTE_LOG_LEVEL", "LOUD", "PUNTE_LOG_LEVEL must be"),
]


def _missing_env(missing: str, how: str) -> dict[str, str]:
    env = _full_env()
    if how == "absent":
        del env[missing]
    else:
        env[missing] = "   "
    return env


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple, str]:
    cases: dict[tuple, dict[str, str]] = {("complete",): _full_env()}
    for missing in REQUIRED:
        for how in ("absent", "blank"):
            cases[("missing", missing, how)] = _missing_env(missing, how)
    for variable, value, _message in MALFORMED:
        cases[("malformed", variable, value)] = {**_full_env(), variable: value}
    shared = _full_env()
    shared["PUNTE_BLIND_INDEX_KEY"] = shared["PUNTE_ENCRYPTION_KEYS"].split(":", 1)[1]
    cases[("shared-key",)] = shared

    base = {"PATH": os.environ.get("PATH", "")}
    result = subprocess.run(
        [sys.executable, "-c", BATCH],
        cwd=BASE_DIR,
        input=json.dumps([{**base, **env} for env in cases.values()]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(zip(cases, json.loads(result.stdout.splitlines()[-1]), strict=True))


def test_starts_with_every_variable_set(outcomes):
    assert outcomes[("complete",)] == "started"


@pytest.mark.parametrize("missing", REQUIRED)
@pytest.mark.parametrize("how", ["absent", "blank"])
def test_refuses_to_start_without_each_required_variable(outcomes, missing, how):
    assert outcomes[("missing", missing, how)] == (
        f"ImproperlyConfigured: {missing} must be set in the environment (see .env.example)."
    )


@pytest.mark.parametrize(("variable", "value", "message"), MALFORMED)
def test_refuses_malformed_values_naming_the_variable(outcomes, variable, value, message):
    outcome = outcomes[("malformed", variable, value)]
    assert outcome.startswith("ImproperlyConfigured: ")
    assert message in outcome


def test_refuses_a_blind_index_key_that_is_also_an_encryption_key(outcomes):
    assert "PUNTE_BLIND_INDEX_KEY must differ" in outcomes[("shared-key",)]


def test_the_wsgi_entry_point_defaults_to_production():
    # No DJANGO_SETTINGS_MODULE at all: wsgi.py must pick production, which then refuses.
    result = subprocess.run(
        [sys.executable, "-c", "import punte.wsgi"],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _env_example() -> dict[str, str]:
    text = (BASE_DIR / ".env.example").read_text()
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


RECORD_READS = """
import json, os
seen = set()
real_get = os.environ.get
def get(name, default=None):
    seen.add(name)
    return real_get(name, default)
os.environ.get = get
import punte.settings.production
print(json.dumps(sorted(seen)))
"""


def test_env_example_lists_every_variable_production_reads():
    result = _run(RECORD_READS, _full_env())
    assert result.returncode == 0, result.stderr
    read = set(json.loads(result.stdout.splitlines()[-1]))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "PUNTE_EMAIL_HOST_PASSWORD"} <= read
    assert read - set(_env_example()) == set()


def test_env_example_holds_no_secret_values():
    example = _env_example()
    for name in ("DJANGO_SECRET_KEY", "PUNTE_ENCRYPTION_KEYS", "PUNTE_ENCRYPTION_PRIMARY_KEY_ID",
                 "PUNTE_BLIND_INDEX_KEY", "PUNTE_EMAIL_HOST_PASSWORD"):  # fmt: skip
        assert example[name] == "", f"{name} has a value in .env.example"


def test_check_deploy_passes_with_env_example_and_generated_secrets():
    """The operator's path: .env.example filled in with generate_secrets output."""
    env = {k: v for k, v in _env_example().items() if v}
    env.update(generate())
    # A real database is not needed: `check` does not connect unless asked to.
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_passes_with_only_the_required_variables():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _full_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_a_trusted_proxy_that_is_not_an_address():
    env = {**_full_env(), "PUNTE_TRUSTED_PROXIES": "10.0.0.1,proxy.example"}
    result = _run("import punte.settings.production", env)
    assert result.returncode != 0
    assert "PUNTE_TRUSTED_PROXIES: 'proxy.example' is not an IP address or network" in result.stderr


def test_production_trusts_the_same_host_s_proxy_by_default():
    script = "import punte.settings.production as s; print(s.PUNTE_TRUSTED_PROXIES)"
    result = _run(script, _full_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['127.0.0.1', '::1']"
