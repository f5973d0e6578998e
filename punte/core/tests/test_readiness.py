"""/readyz: 200 when this instance can serve, 503 naming what is not ready (the database, the
migrations, the task worker), and never more than codes and numbers."""

import datetime
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from punte.core.models import ScheduledJob

pytestmark = pytest.mark.django_db


def _task(*, waited: datetime.timedelta, run_after=None) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="punte.notifications.tasks.send_notification_email",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waited)
    return task


def _ready(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content), response


def test_ready_when_database_migrations_and_worker_are(client):
    _task(waited=datetime.timedelta(seconds=30))
    ScheduledJob.objects.create(name="referrals.escalate_overdue", next_run_at=timezone.now())
    status, body, response = _ready(client)
    assert status == 200
    assert body["ready"] is True and body["not_ready"] == []
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0}
    assert body["checks"]["tasks"]["ready"] == 1
    assert "no-store" in response["Cache-Control"]


def test_an_unapplied_migration_makes_it_not_ready(client):
    latest = MigrationRecorder.Migration.objects.filter(app="referrals").latest("id")
    latest.delete()
    status, body, _ = _ready(client)
    assert status == 503
    assert body["not_ready"] == ["migrations"]
    assert body["checks"]["migrations"] == {"ok": False, "unapplied": 1}


def test_a_task_waiting_too_long_makes_it_not_ready(client):
    limit = settings.PUNTE_READINESS_TASK_AGE_SECONDS
    _task(waited=datetime.timedelta(seconds=limit + 60))
    status, body, _ = _ready(client)
    assert status == 503
    assert body["not_ready"] == ["tasks"]
    assert body["checks"]["tasks"]["oldest_ready_seconds"] >= limit + 60


def test_a_task_deferred_has_waited_only_since_it_became_due(client):
    # Enqueued an hour ago to run a minute ago: it has waited one minute, not an hour.
    _task(
        waited=datetime.timedelta(hours=1),
        run_after=timezone.now() - datetime.timedelta(seconds=60),
    )
    # Not yet due: not waiting at all.
    _task(
        waited=datetime.timedelta(hours=1),
        run_after=timezone.now() + datetime.timedelta(seconds=60),
    )
    status, body, _ = _ready(client)
    assert status == 200
    assert body["checks"]["tasks"]["ready"] == 1
    assert 50 <= body["checks"]["tasks"]["oldest_ready_seconds"] <= 120


def test_a_periodic_job_long_past_its_time_makes_it_not_ready(client):
    late = settings.PUNTE_READINESS_SCHEDULER_LATE_SECONDS + 120
    ScheduledJob.objects.create(
        name="referrals.escalate_overdue",
        next_run_at=timezone.now() - datetime.timedelta(seconds=late),
    )
    ScheduledJob.objects.create(name="core.apply_retention", next_run_at=timezone.now())
    status, body, _ = _ready(client)
    assert status == 503
    assert body["not_ready"] == ["scheduler"]
    assert body["checks"]["scheduler"]["late_jobs"] == ["referrals.escalate_overdue"]


def test_an_unreachable_database_is_named_without_its_error_text():
    # A real refusal: nothing listens on port 1. The error's text (host, port) stays out.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client; r = Client().get('/readyz');"
        "print(json.dumps({'status': r.status_code, 'body': r.content.decode()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "punte.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/punte_unreachable",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    body = json.loads(result["body"])
    assert result["status"] == 503
    assert body["not_ready"] == ["database", "migrations", "tasks", "scheduler"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["tasks"] == {"ok": False, "skipped": "database"}
    assert "127.0.0.1" not in result["body"] and "punte_unreachable" not in result["body"]
