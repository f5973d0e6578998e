"""Periodic jobs: claimed once across workers, once however late, and a failure recorded and
tried again at the job's next time (punte.core.scheduler, `manage.py run_worker`)."""

import datetime
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from freezegun import freeze_time

from punte.core import scheduler
from punte.core.contract import PeriodicJob
from punte.core.models import ScheduledJob

T0 = datetime.datetime(2026, 3, 2, 6, 0, tzinfo=datetime.UTC)
EVERY = datetime.timedelta(minutes=15)


@pytest.fixture
def runs(monkeypatch):
    """One job, `test.count`, whose runs are counted; `runs.fail` makes the next runs fail."""

    class Runs(list):
        fail = False

    done = Runs()

    def count():
        if done.fail:
            raise ValueError("the mail server did not answer")
        done.append(1)
        return {"run": len(done)}

    job = PeriodicJob(name="test.count", every=EVERY, run=count)
    monkeypatch.setattr(scheduler, "declared", lambda: {job.name: job})
    return done


@pytest.mark.django_db
def test_a_new_job_runs_at_the_first_tick_then_once_per_period(runs):
    with freeze_time(T0) as clock:
        assert scheduler.tick() == ["test.count"]
        assert scheduler.tick() == []
        clock.tick(EVERY - datetime.timedelta(seconds=1))
        assert scheduler.tick() == []
        clock.tick(datetime.timedelta(seconds=1))
        assert scheduler.tick() == ["test.count"]
    assert len(runs) == 2
    row = ScheduledJob.objects.get(name="test.count")
    assert row.next_run_at == T0 + 2 * EVERY
    assert row.last_started_at == row.last_finished_at == T0 + EVERY
    assert row.last_error == ""


@pytest.mark.django_db
def test_a_job_overdue_by_three_periods_runs_once_and_is_next_due_a_period_from_now(runs):
    ScheduledJob.objects.create(name="test.count", next_run_at=T0 - 3 * EVERY)
    with freeze_time(T0):
        assert scheduler.tick() == ["test.count"]
        assert scheduler.tick() == []
    assert len(runs) == 1
    assert ScheduledJob.objects.get(name="test.count").next_run_at == T0 + EVERY


@pytest.mark.django_db
def test_a_failing_job_records_its_error_and_is_tried_again_at_its_next_time(runs):
    runs.fail = True
    with freeze_time(T0) as clock:
        scheduler.tick()
        row = ScheduledJob.objects.get(name="test.count")
        assert row.last_error == "ValueError: the mail server did not answer"
        assert row.next_run_at == T0 + EVERY
        assert scheduler.tick() == []  # not retried in a loop

        runs.fail = False
        clock.tick(EVERY)
        assert scheduler.tick() == ["test.count"]
    assert len(runs) == 1
    assert ScheduledJob.objects.get(name="test.count").last_error == ""


@pytest.mark.django_db
def test_every_app_job_is_declared_once_with_its_period():
    jobs = scheduler.declared()
    assert jobs["referrals.escalate_overdue"].every == datetime.timedelta(minutes=15)
    for name in (
        "identification.reflection_reminders",
        "accounts.clear_expired_sessions",
        "core.apply_retention",
    ):
        assert jobs[name].every == datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_apps_jobs_run_from_a_tick():
    with freeze_time(T0):
        claimed = scheduler.tick()
    assert set(claimed) == set(scheduler.declared())
    for row in ScheduledJob.objects.all():
        assert row.last_error == "", row.name
        assert row.last_finished_at == T0


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_run_worker_in_batch_mode_enqueues_the_due_jobs_and_runs_them(runs):
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(runs) == 1
    assert ScheduledJob.objects.get(name="test.count").last_finished_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_ticking_at_once_enqueue_a_due_job_once(monkeypatch):
    done: list[int] = []

    def slow():
        done.append(1)
        time.sleep(0.3)  # holds the claim while the other worker looks

    job = PeriodicJob(name="test.slow", every=EVERY, run=slow)
    monkeypatch.setattr(scheduler, "declared", lambda: {job.name: job})
    ScheduledJob.objects.create(name="test.slow", next_run_at=T0)
    start = threading.Barrier(4)
    claimed: list[list[str]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=30)
            claimed.append(scheduler.tick())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(claimed) == [[], [], [], ["test.slow"]]
    assert done == [1]
