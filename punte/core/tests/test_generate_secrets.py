import datetime
import io
import os
import re
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command

from punte.settings.keys import decode_key, parse_keyring

NAMES = [
    "DJANGO_SECRET_KEY",
    "PUNTE_ENCRYPTION_KEYS",
    "PUNTE_ENCRYPTION_PRIMARY_KEY_ID",
    "PUNTE_BLIND_INDEX_KEY",
]


def _parse(output: str) -> dict[str, str]:
    lines = [line for line in output.splitlines() if line and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Z_]+=\S+", line) for line in lines), lines
    return dict(line.split("=", 1) for line in lines)


def _generate() -> dict[str, str]:
    out = io.StringIO()
    call_command("generate_secrets", stdout=out)
    return _parse(out.getvalue())


def test_prints_every_secret_as_name_value_lines():
    values = _generate()
    assert list(values) == NAMES


def test_keys_decode_to_32_bytes_and_the_primary_is_in_the_keyring():
    values = _generate()
    keyring = parse_keyring(values["PUNTE_ENCRYPTION_KEYS"])
    assert [len(key) for key in keyring.values()] == [32]
    primary = values["PUNTE_ENCRYPTION_PRIMARY_KEY_ID"]
    assert primary in keyring
    assert primary == f"k{datetime.date.today():%Y%m%d}"
    blind = decode_key("PUNTE_BLIND_INDEX_KEY", values["PUNTE_BLIND_INDEX_KEY"])
    assert len(blind) == 32
    assert blind not in keyring.values()


def test_secret_key_meets_djangos_bar():
    secret = _generate()["DJANGO_SECRET_KEY"]
    assert len(secret) >= 50
    assert len(set(secret)) >= 5
    assert not secret.startswith("django-insecure")


def test_every_run_gives_fresh_values():
    first, second = _generate(), _generate()
    for name in ("DJANGO_SECRET_KEY", "PUNTE_ENCRYPTION_KEYS", "PUNTE_BLIND_INDEX_KEY"):
        assert first[name] != second[name]


def test_runs_before_any_settings_exist():
    # On a new production host nothing is configured yet, so the module runs without Django.
    result = subprocess.run(
        [sys.executable, "-m", "punte.core.management.commands.generate_secrets"],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert list(_parse(result.stdout)) == NAMES
