"""Periodic jobs, run by the task worker: no cron entries anywhere.

Each app declares its jobs in its own `jobs.py` as `JOBS = [PeriodicJob(...)]`
(punte.core.contract). `manage.py run_worker` calls `tick()` every minute beside its task loop.
A tick claims the jobs that are due, each row of `ScheduledJob` moving its `next_run_at` one
period on from now, and enqueues `run_periodic_job` for each; any worker then runs it.

Once across workers: the claim locks the due rows with SKIP LOCKED (PostgreSQL), so a second
tick at the same moment passes over them, and it moves `next_run_at` only if nobody moved it
since it was read, so even a database without row locks enqueues a due job once. A job late
by several periods (workers stopped over a weekend) runs once, not once per period missed.
The claim and the enqueued task commit together: a claimed run is never lost.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from punte.core import contract
from punte.core.models import ScheduledJob

logger = logging.getLogger("punte.scheduler")


def declared() -> dict[str, contract.PeriodicJob]:
    """Every app's periodic jobs, by name."""
    jobs: dict[str, contract.PeriodicJob] = {}
    for job in contract.collect("jobs", "JOBS"):
        if job.name in jobs:
            raise ImproperlyConfigured(f"Two periodic jobs are named {job.name!r}.")
        if job.every.total_seconds() <= 0:
            raise ImproperlyConfigured(f"Periodic job {job.name!r}: `every` must be positive.")
        jobs[job.name] = job
    return jobs


def tick() -> list[str]:
    """Enqueue every periodic job that is due; the names of those this call claimed."""
    jobs = declared()
    now = timezone.now()
    known = set(ScheduledJob.objects.filter(name__in=jobs).values_list("name", flat=True))
    # A job seen for the first time is due at once (jobs are idempotent).
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(name=name, next_run_at=now) for name in jobs.keys() - known],
        ignore_conflicts=True,
    )
    skip_locked = connection.features.has_select_for_update_skip_locked
    claimed = []
    with transaction.atomic():
        due = (
            ScheduledJob.objects.select_for_update(skip_locked=skip_locked)
            .filter(name__in=jobs, next_run_at__lte=now)
            .order_by("name")
        )
        for row in due:
            moved = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
                next_run_at=now + jobs[row.name].every
            )
            if moved:
                run_periodic_job.enqueue(row.name)
                claimed.append(row.name)
    return claimed


def _describe(exc: BaseException) -> str:
    # The message only: some exceptions carry the objects involved (ProtectedError), whose text
    # may name a person, and this column is read by operators.
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
    return f"{type(exc).__name__}: {message}"[:2000]


@task()
def run_periodic_job(name: str) -> Any:
    job = declared().get(name)
    if job is None:  # no app declares it any more
        return None
    ScheduledJob.objects.filter(pk=name).update(last_started_at=timezone.now())
    try:
        result = job.run()
    except Exception as exc:
        ScheduledJob.objects.filter(pk=name).update(
            last_finished_at=timezone.now(), last_error=_describe(exc)
        )
        logger.exception("periodic job %s failed; it runs again at its next time", name)
        raise
    ScheduledJob.objects.filter(pk=name).update(last_finished_at=timezone.now(), last_error="")
    # Kept with the task's result, where operators look: JSON, whatever the job returned.
    return json.loads(json.dumps(result, default=str))
