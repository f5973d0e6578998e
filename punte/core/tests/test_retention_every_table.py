"""Every table has a retention rule or a written reason why it is kept, and the dry run of
`apply_retention` lists them all; the rules added for tables that had none act as they say."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from punte.core import retention
from punte.core.models import AuditEvent
from punte.identification.persons.models import Person
from punte.notifications.models import Notification
from punte.notifications.tests.factories import NotificationFactory
from punte.referrals.models import Referral, ReferralEvent
from punte.referrals.tests.factories import RejectedReferralFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.UTC)


def test_every_model_has_a_rule_or_a_reason_to_be_kept():
    assert retention.unaccounted() == []


def test_a_model_with_neither_is_named(monkeypatch):
    reasons = retention.kept()
    del reasons["referrals.ServiceOffering"]
    monkeypatch.setattr(retention, "kept", lambda: reasons)
    assert retention.unaccounted() == ["referrals.ServiceOffering"]


def test_every_reason_is_written_out():
    for label, reason in retention.kept().items():
        assert len(str(reason)) > 20, label


def test_the_dry_run_lists_every_rule_and_every_kept_table_with_its_reason():
    out, err = StringIO(), StringIO()
    call_command("apply_retention", "--dry-run", stdout=out, stderr=err)
    listing = out.getvalue()
    assert err.getvalue() == ""
    for rule in retention.discover():
        assert f"{rule.name}: would " in listing
    assert "notifications.notification.erase: would erase 0 record(s) (erase " in listing
    assert "180 days (PUNTE_RETENTION_NOTIFICATION_DAYS)" in listing
    assert "kept: core.AuditEvent: The audit trail" in listing
    named = {r.record_type for r in retention.discover()} | set(retention.kept())
    assert {m._meta.label for m in apps.get_models()} <= named


def test_notifications_are_erased_after_their_period_read_or_not(settings):
    settings.PUNTE_RETENTION_NOTIFICATION_DAYS = 180
    with freeze_time(T0):
        old, old_read = NotificationFactory(), NotificationFactory(read_at=T0)
    with freeze_time(T0 + datetime.timedelta(days=100)):
        recent = NotificationFactory()
    with freeze_time(T0 + datetime.timedelta(days=181)):
        done = retention.apply_all()
    assert done["notifications.notification.erase"] == 2
    assert list(Notification.objects.all()) == [recent]
    erased = AuditEvent.objects.filter(action="retention.erased")
    assert {e.subject_id for e in erased} == {str(old.pk), str(old_read.pk)}


def test_a_referral_is_kept_and_only_its_free_text_cleared_with_the_anonymised_person(settings):
    settings.PUNTE_RETENTION_PERSON_ANONYMISE_DAYS = 30
    with freeze_time(T0):
        referral = RejectedReferralFactory(note="Mother Ana Pop will come with her.")
        Person.objects.filter(pk=referral.person_id).update(archived_at=timezone.now())
    with freeze_time(T0 + datetime.timedelta(days=29)):
        retention.apply_all()
    assert Referral.objects.get(pk=referral.pk).note == "Mother Ana Pop will come with her."

    with freeze_time(T0 + datetime.timedelta(days=31)):
        retention.apply_all()
    kept = Referral.objects.get(pk=referral.pk)
    assert kept.note is None
    assert kept.status == "rejected" and kept.receiver_organisation_id
    events = ReferralEvent.objects.filter(referral=referral)
    assert events.count() == 2  # sent, rejected: the history stays
    assert not events.filter(reason__isnull=False).exists()


def test_finished_task_results_are_erased_and_waiting_ones_kept(settings):
    from django_tasks_db.models import DBTaskResult

    settings.PUNTE_RETENTION_TASK_RESULT_DAYS = 30
    common = {"args_kwargs": {}, "task_path": "x.y", "queue_name": "default"}
    common["backend_name"] = "default"
    with freeze_time(T0):
        finished = DBTaskResult.objects.create(status="SUCCESSFUL", finished_at=T0, **common)
        waiting = DBTaskResult.objects.create(status="READY", **common)
    with freeze_time(T0 + datetime.timedelta(days=31)):
        done = retention.apply_all()
    assert done["django_tasks.task_result.erase_finished"] == 1
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert not DBTaskResult.objects.filter(pk=finished.pk).exists()
