"""Races on PostgreSQL: two people completing one draft, two reminder runs at once."""

import threading

import pytest
from django.db import connection

from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.identification.screening.models import ReflectionReminder, Screening
from punte.identification.screening.services import decisions, screening
from punte.identification.screening.tests.factories import (
    foreign_person,
    make_competent,
    running_period,
    start_screening,
)
from punte.notifications.models import Notification


def _race(work, count=2) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            outcomes.append(work(index))
        except ServiceError as exc:
            outcomes.append(f"refused {exc.status}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_colleagues_completing_one_draft_complete_it_once():
    worker = MembershipFactory(role_code="ngo_caseworker")
    colleague = MembershipFactory(role_code="ngo_caseworker", organisation=worker.organisation)
    draft = start_screening(worker)
    actors = [worker, colleague]

    def complete(index):
        screening.screening_complete(actor=actors[index], screening=draft)
        return "completed"

    assert _race(complete) == ["completed", "refused 409"]
    assert Screening.objects.get(pk=draft.pk).status == "completed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_send_each_reminder_once():
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    for _ in range(3):
        running_period(foreign_person(prosecutor), days=10, actor=prosecutor)

    def send(index):
        return f"sent {decisions.send_reflection_reminders()}"

    outcomes = _race(send)
    assert sum(int(o.split()[1]) for o in outcomes) == 3
    assert Notification.objects.filter(kind="reflection_period.ending").count() == 3
    assert ReflectionReminder.objects.filter(sent=True).count() == 3
