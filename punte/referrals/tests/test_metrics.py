"""The referrals' gauge for Prometheus: open referrals past their current step's deadline, by
step, across the country (punte/referrals/metrics.py, served at /metrics)."""

import datetime

import pytest
from django.utils import timezone

from punte.referrals.metrics import overdue_by_step
from punte.referrals.models import Referral
from punte.referrals.tests.factories import (
    AcceptedReferralFactory,
    CompletedReferralFactory,
    SentReferralFactory,
)

pytestmark = pytest.mark.django_db


def _overdue(referral):
    Referral.objects.filter(pk=referral.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )


def test_overdue_referrals_by_step(client, settings):
    settings.PUNTE_METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert overdue_by_step() == {("sent",): 0.0, ("accepted",): 0.0}
    _overdue(SentReferralFactory())
    _overdue(SentReferralFactory())
    _overdue(AcceptedReferralFactory())
    SentReferralFactory()  # within its deadline
    _overdue(CompletedReferralFactory())  # closed: no longer anyone's step
    assert overdue_by_step() == {("sent",): 2.0, ("accepted",): 1.0}
    text = client.get("/metrics").content.decode()
    assert 'punte_referrals_overdue{step="sent"} 2.0' in text
    assert 'punte_referrals_overdue{step="accepted"} 1.0' in text
