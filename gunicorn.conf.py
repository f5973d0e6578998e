"""gunicorn's settings for Punte (read from the working directory, or with `-c gunicorn.conf.py`).

By default gunicorn listens on 127.0.0.1:8000, for a reverse proxy on the same host; any other
binding must be one that clients cannot reach except through the proxy, or gunicorn refuses to
start (punte/core/listening.py; README, "Running it in production").
"""

import os

from punte.core.listening import check_bindings

bind = [os.environ.get("PUNTE_GUNICORN_BIND", "127.0.0.1:8000")]


def on_starting(server):
    # Here, not at import: a `--bind` on the command line replaces `bind` after this file is read.
    check_bindings(server.cfg.bind, os.environ.get("PUNTE_GUNICORN_PRIVATE_BINDS", ""))
