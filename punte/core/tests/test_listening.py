"""gunicorn refuses to listen where a client could reach Punte without the reverse proxy."""

import subprocess
import sys
from pathlib import Path

import pytest

from punte.core.listening import check_bindings, refused_bindings

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "bind", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "unix:/run/punte.sock", "fd://3"]
)
def test_the_same_host_s_proxy_may_reach_it(bind):
    assert refused_bindings([bind], private=[]) == []


@pytest.mark.parametrize(
    "bind", ["0.0.0.0:8000", "[::]:8000", "203.0.113.10:8000", "10.0.0.5:8000", "punte.example:80"]
)
def test_an_address_clients_may_reach_is_refused(bind):
    assert refused_bindings([bind], private=[]) == [bind]


def test_an_exact_private_address_may_be_allowed_but_never_a_wildcard():
    assert refused_bindings(["10.0.0.5:8000"], private=["10.0.0.5:8000"]) == []
    assert refused_bindings(["10.0.0.5:8001"], private=["10.0.0.5:8000"]) == ["10.0.0.5:8001"]
    assert refused_bindings(["0.0.0.0:8000"], private=["0.0.0.0:8000"]) == ["0.0.0.0:8000"]


def test_the_refusal_says_what_to_do():
    with pytest.raises(RuntimeError, match="PUNTE_GUNICORN_PRIVATE_BINDS"):
        check_bindings(["0.0.0.0:8000"], "")


def test_gunicorn_itself_stops_before_listening_on_every_interface():
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "-b", "0.0.0.0:18765", "punte.wsgi"],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "punte.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "refuses to listen on 0.0.0.0:18765" in result.stdout + result.stderr
