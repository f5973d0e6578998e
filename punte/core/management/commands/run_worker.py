"""The task worker of Punte: django-tasks-db's `db_worker`, which runs the enqueued tasks, and
beside it the scheduler of the periodic jobs (every app's `jobs.py`), so that no cron entry is
needed. Run as many as you like: each due job is run once across all of them.

The scheduler is a thread next to the worker's loop rather than a step inside it: the loop is
the library's, unchanged, and a long task (a retention run, a relink) does not hold back the
jobs, which another worker may then pick up. Its own database connection makes its claims
independent of the task being run.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from punte.core import rls, scheduler

logger = logging.getLogger("punte.scheduler")


def _tick_forever(interval: float) -> None:
    while True:
        try:
            claimed = scheduler.tick()
            if claimed:
                logger.info("periodic jobs enqueued: %s", ", ".join(claimed))
        except Exception:
            # A database that is briefly away must not end the scheduler: look again later.
            logger.exception("periodic jobs: could not look for due jobs")
        finally:
            close_old_connections()
        time.sleep(interval)


class Command(db_worker.Command):
    help = (
        "Run the task worker: the enqueued background tasks (as db_worker) and the periodic jobs "
        "each app declares in its jobs.py, each run once on its schedule whatever the number of "
        "workers. With --batch: enqueue the jobs due now, run every task ready, then exit."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--tick-interval",
            type=db_worker.valid_interval,
            default=60,
            help="Seconds between two looks for due periodic jobs (default: %(default)r)",
        )

    @rls.as_system("task worker: tasks and periodic jobs act for no membership")
    def handle(self, *args, tick_interval: float, **options):
        if options["batch"]:
            claimed = scheduler.tick()
            if claimed:
                logger.info("periodic jobs enqueued: %s", ", ".join(claimed))
        elif not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            # With --reload, only the child process that runs the worker schedules.
            threading.Thread(
                target=_tick_forever,
                args=(tick_interval,),
                name="punte-scheduler",
                daemon=True,
            ).start()
        super().handle(*args, **options)
