"""Periodic jobs of the cases app (run by the task worker: punte.core.scheduler)."""

import datetime

from punte.core.contract import PeriodicJob


def _follow_ups() -> dict:
    from punte.cases.services import follow_ups_remind_and_escalate

    result = follow_ups_remind_and_escalate()
    return {"reminded": result.reminded, "escalated": result.escalated}


def _team_lapse() -> dict:
    from punte.cases.services import team_lapse_expired

    return {"lapsed": team_lapse_expired().lapsed}


JOBS = [
    # Reminders a day ahead, escalation once missed: a quarter of an hour late at most.
    PeriodicJob(name="cases.follow_ups", every=datetime.timedelta(minutes=15), run=_follow_ups),
    # Reads already ignore a lapsed membership; the job records the lapse and takes back the
    # person-access grant, so hourly is enough.
    PeriodicJob(name="cases.team_lapse", every=datetime.timedelta(hours=1), run=_team_lapse),
]
