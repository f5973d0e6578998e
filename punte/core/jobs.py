"""Periodic jobs of the core app (run by the task worker: punte.core.scheduler)."""

import datetime

from punte.core.contract import PeriodicJob


def _apply_retention() -> dict:
    from punte.core import retention

    return retention.apply_all()


JOBS = [
    PeriodicJob(
        name="core.apply_retention", every=datetime.timedelta(days=1), run=_apply_retention
    ),
]
