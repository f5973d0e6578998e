"""Is this instance ready to serve: the database answers, every migration the code knows is
applied, and the task worker keeps up (the queue's oldest ready task and the periodic jobs).

`/healthz` says only that the process answers (liveness); `/readyz` runs these checks. Each
check answers with codes and numbers only: no personal data, no error text (a database error
can name the host, the user or a value).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from punte.core.observability import queue

logger = logging.getLogger("punte.readiness")


@functools.cache
def _known_migrations() -> tuple[frozenset[tuple[str, str]], tuple[tuple[tuple[str, str], ...]]]:
    """The migrations on disk (read once per process: they change only with a deploy), and the
    sets that a squashed migration replaces."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    replacing = tuple(
        tuple([key, *migration.replaces]) for key, migration in loader.replacements.items()
    )
    return frozenset(loader.graph.nodes), replacing


def unapplied_migrations() -> int:
    nodes, replacing = _known_migrations()
    applied = set(MigrationRecorder(connection).applied_migrations())
    # A squashed migration counts as applied when every migration it replaces is.
    for key, *replaced in replacing:
        if all(r in applied for r in replaced):
            applied.add(key)
    return len(nodes - applied)


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _migrations() -> dict[str, Any]:
    missing = unapplied_migrations()
    return {"ok": missing == 0, "unapplied": missing}


def _tasks() -> dict[str, Any]:
    limit = settings.PUNTE_READINESS_TASK_AGE_SECONDS
    states = queue.ready_tasks()
    oldest = max((s.oldest_ready_seconds for s in states), default=0.0)
    return {
        "ok": oldest <= limit,
        "ready": sum(s.ready for s in states),
        "oldest_ready_seconds": round(oldest, 1),
        "limit_seconds": limit,
    }


def _scheduler() -> dict[str, Any]:
    limit = settings.PUNTE_READINESS_SCHEDULER_LATE_SECONDS
    jobs = queue.periodic_jobs()
    late = [job.name for job in jobs if job.late_seconds > limit]
    return {
        "ok": not late,
        "late_jobs": late,
        "most_late_seconds": round(max((j.late_seconds for j in jobs), default=0.0), 1),
        "limit_seconds": limit,
    }


CHECKS = {
    "database": _database,
    "migrations": _migrations,
    "tasks": _tasks,
    "scheduler": _scheduler,
}


def check() -> dict[str, Any]:
    """{"ready": bool, "not_ready": [names], "checks": {name: {"ok": bool, ...}}}."""
    results: dict[str, dict[str, Any]] = {}
    for name, run in CHECKS.items():
        if name != "database" and not results["database"]["ok"]:
            results[name] = {"ok": False, "skipped": "database"}
            continue
        try:
            results[name] = run()
        except DatabaseError as exc:
            # The type only: its message may quote the server's text.
            logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
            results[name] = {"ok": False, "error": type(exc).__name__}
    not_ready = [name for name, result in results.items() if not result["ok"]]
    return {"ready": not not_ready, "not_ready": not_ready, "checks": results}
