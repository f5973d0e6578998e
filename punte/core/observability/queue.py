"""The task queue and the periodic jobs as the worker leaves them: cheap aggregate reads shared by
the readiness check and the metrics."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, Min, When
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from punte.core.models import ScheduledJob


@dataclass(frozen=True)
class QueueState:
    queue: str
    ready: int
    oldest_ready_seconds: float


def ready_tasks(now: datetime.datetime | None = None) -> list[QueueState]:
    """Per queue: how many tasks are ready to run and how long the oldest has waited.

    A task enqueued to run later becomes ready at its `run_after`; it has waited since then,
    not since it was enqueued. One grouped query on the queue's partial index of ready rows.
    """
    now = now or timezone.now()
    ready_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
    )
    rows = (
        DBTaskResult.objects.ready()
        .order_by()
        .values("queue_name")
        .annotate(ready=Count("id"), since=Min(ready_since))
    )
    return [
        QueueState(
            queue=row["queue_name"],
            ready=row["ready"],
            oldest_ready_seconds=max(0.0, (now - row["since"]).total_seconds()),
        )
        for row in rows
    ]


def tasks_running() -> int:
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()


@dataclass(frozen=True)
class JobState:
    name: str
    late_seconds: float
    failing: bool


def periodic_jobs(now: datetime.datetime | None = None) -> list[JobState]:
    """Every periodic job the worker has seen: how long past its next run it is (0 if not yet
    due) and whether its last run failed. The worker claims a due job within a minute (its
    tick), so a job late by several minutes means no worker is ticking."""
    now = now or timezone.now()
    return [
        JobState(
            name=name,
            late_seconds=max(0.0, (now - next_run_at).total_seconds()),
            failing=bool(last_error),
        )
        for name, next_run_at, last_error in ScheduledJob.objects.order_by("name").values_list(
            "name", "next_run_at", "last_error"
        )
    ]
