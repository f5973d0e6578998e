"""Where gunicorn may listen: only where clients cannot reach it except through the proxy.

Punte believes X-Forwarded-For only from the proxies in PUNTE_TRUSTED_PROXIES; a client that
could reach gunicorn directly would still be judged by its own address, but would bypass the
proxy's TLS, its request limits and its logs. `gunicorn.conf.py` calls this before gunicorn opens
a socket, and gunicorn stops with the message when a binding is refused.

Allowed: a Unix socket, a loopback address (the proxy on the same host), or an exact address
listed in PUNTE_GUNICORN_PRIVATE_BINDS for a proxy on another host, reachable only over a
private network that the operator has closed to everyone else. Never a wildcard (0.0.0.0, ::),
which listens on every interface, public ones included. Knows no Django: gunicorn's master
process reads it before the application is loaded.
"""

from __future__ import annotations

import ipaddress


def _host(bind: str) -> str:
    if bind.startswith("["):  # [::1]:8000
        return bind[1 : bind.index("]")]
    return bind.rsplit(":", 1)[0] if bind.count(":") == 1 else bind


def refused_bindings(binds: list[str], private: list[str]) -> list[str]:
    """The bindings among `binds` that clients could reach without the proxy."""
    refused = []
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            continue
        host = _host(bind)
        if host == "localhost":
            continue
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            refused.append(bind)  # a host name: where it resolves can change
            continue
        if address.is_loopback:
            continue
        if address.is_unspecified or bind not in private:
            refused.append(bind)
    return refused


def check_bindings(binds: list[str], private_setting: str) -> None:
    private = [entry.strip() for entry in private_setting.split(",") if entry.strip()]
    refused = refused_bindings(binds, private)
    if refused:
        raise RuntimeError(
            f"Punte refuses to listen on {', '.join(refused)}: clients could reach it without "
            "the reverse proxy. Listen on a Unix socket or a loopback address (127.0.0.1:8000), "
            "or, for a proxy on another host over a closed private network, list the exact "
            "address in PUNTE_GUNICORN_PRIVATE_BINDS (never 0.0.0.0 or ::)."
        )
