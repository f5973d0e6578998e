"""gunicorn's settings for Punte (read from the working directory, or with `-c gunicorn.conf.py`).

Where it listens: by default 127.0.0.1:8000, for a reverse proxy on the same host; any other
binding must be one that clients cannot reach except through the proxy, or gunicorn refuses to
start (punte/core/listening.py; README, "Running it in production").

Metrics: when PROMETHEUS_MULTIPROC_DIR is set, prometheus-client's multiprocess mode
(punte.core.observability.metrics): each worker writes its request metrics to files in that
directory and /metrics sums them. The files of a previous run are removed before the workers
start (else old counts would be added in), and a worker that exits is marked dead (else its
gauges would linger). Workers and threads stay on the command line.
"""

import os
from pathlib import Path

from punte.core.listening import check_bindings

bind = [os.environ.get("PUNTE_GUNICORN_BIND", "127.0.0.1:8000")]


def on_starting(server):
    # Here, not at import: a `--bind` on the command line replaces `bind` after this file is read.
    check_bindings(server.cfg.bind, os.environ.get("PUNTE_GUNICORN_PRIVATE_BINDS", ""))
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
