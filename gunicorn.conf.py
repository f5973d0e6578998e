"""gunicorn's settings file, read from the working directory when gunicorn starts.

It only prepares prometheus-client's multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set
(punte.core.observability.metrics): each worker writes its request metrics to files in that
directory and /metrics sums them. The files of a previous run are removed before the workers
start (else old counts would be added in), and a worker that exits is marked dead (else its
gauges would linger). Bind, workers and threads stay on the command line.
"""

import os
from pathlib import Path


def on_starting(server):
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
