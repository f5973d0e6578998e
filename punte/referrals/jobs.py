"""Periodic jobs of the referrals app (run by the task worker: punte.core.scheduler)."""

import datetime

from punte.core.contract import PeriodicJob


def _escalate_overdue() -> dict:
    from punte.referrals.escalation import referrals_escalate_overdue

    result = referrals_escalate_overdue()
    return {"escalated": result.escalated, "by_level": dict(result.by_level)}


JOBS = [
    # The shortest deadline is 24 hours: a quarter of an hour late is the most a step waits.
    PeriodicJob(
        name="referrals.escalate_overdue",
        every=datetime.timedelta(minutes=15),
        run=_escalate_overdue,
    ),
]
