"""Periodic jobs of the accounts app (run by the task worker: punte.core.scheduler)."""

import datetime
from importlib import import_module

from django.conf import settings

from punte.core.contract import PeriodicJob


def _clear_expired_sessions() -> None:
    # What `manage.py clearsessions` does.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


JOBS = [
    PeriodicJob(
        name="accounts.clear_expired_sessions",
        every=datetime.timedelta(days=1),
        run=_clear_expired_sessions,
    ),
]
