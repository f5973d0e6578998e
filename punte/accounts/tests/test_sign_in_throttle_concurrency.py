"""Concurrent guesses at one account cannot all slip through before any is counted
(PostgreSQL, real commits, one connection per thread)."""

import pytest
from django.test import Client

from punte.accounts.models import SignInThrottle
from punte.accounts.tests.factories import UserFactory
from punte.core.models import AuditEvent
from punte.testing.concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(functions):
    return run_together(functions, return_exceptions=True, timeout=120)


def _guess(index):
    address = f"198.51.100.{index + 1}"  # one each: axes' pair lock plays no part
    return lambda: (
        Client(REMOTE_ADDR=address)
        .post("/accounts/login/", {"username": "target", "password": f"guess {index}"})
        .status_code
    )


def test_concurrent_guesses_at_one_account_check_only_the_free_number_of_passwords(settings):
    UserFactory(username="target")
    free = settings.PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES
    statuses = _together([_guess(i) for i in range(16)])
    assert sorted(statuses) == [200] * free + [429] * (16 - free), statuses
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == free
    assert SignInThrottle.objects.get(kind="account").failures == free
