"""Periodic jobs of screening (run by the task worker: punte.core.scheduler)."""

import datetime

from punte.core.contract import PeriodicJob


def _send_reflection_reminders() -> dict:
    from punte.identification.screening.services.decisions import send_reflection_reminders

    return {"sent": send_reflection_reminders()}


JOBS = [
    # Reminders are counted in days before a period ends; each is sent once however often this
    # runs, so a worker stopped for a while catches up on its next run.
    PeriodicJob(
        name="identification.reflection_reminders",
        every=datetime.timedelta(days=1),
        run=_send_reflection_reminders,
    ),
]
