"""Two people act on the same signal at the same moment, and two public reports from one client
race for the last place under the rate limit, on PostgreSQL with real commits."""

import threading

import pytest
from django.db import connection

from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.identification.signals.models import PublicReportAttempt, SignalTransition
from punte.identification.signals.services import signal as services
from punte.identification.signals.services.public_report import count_attempt
from punte.identification.signals.tests.factories import create_signal

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(functions):
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as exc:  # the outcome, judged by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_officers_taking_up_the_same_signal_one_wins():
    officer = MembershipFactory(role_code="regional_officer")
    colleague = MembershipFactory(organisation=officer.organisation, role_code="regional_officer")
    signal = create_signal(actor=officer)
    # Both take it up: whoever comes second finds it already in triage, which cannot be taken
    # up again; without the row lock both would read "new" and both would write.
    results = _together(
        [
            lambda: services.signal_transition(actor=officer, signal_id=signal.pk, to="in_triage"),
            lambda: services.signal_transition(
                actor=colleague, signal_id=signal.pk, to="in_triage"
            ),
        ]
    )
    refused = [r for r in results if isinstance(r, ServiceError)]
    applied = [r for r in results if not isinstance(r, Exception)]
    assert len(applied) == 1 and len(refused) == 1, results
    assert refused[0].field == "to"
    assert SignalTransition.objects.filter(signal=signal).count() == 2


def test_concurrent_attempts_of_one_client_are_all_counted():
    results = _together([lambda: count_attempt("client-hash") for _ in range(4)])
    assert not [r for r in results if isinstance(r, Exception)], results
    counts = set(PublicReportAttempt.objects.values_list("count", flat=True))
    assert counts == {4}
