"""Two people act on the same signal at the same moment, and two public reports from one client
race for the last place under the rate limit, on PostgreSQL with real commits."""

import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.identification.signals.models import PublicReportAttempt, SignalTransition
from punte.identification.signals.services import signal as services
from punte.identification.signals.services.public_report import count_attempt
from punte.identification.signals.tests.factories import create_signal
from punte.testing.concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(functions):
    return run_together(functions, return_exceptions=True)


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


def _report_form():
    from punte.identification.signals.forms import new_form_token

    return {
        "description": "Двоє хлопців миють машини вночі, їх не відпускають додому.",
        "county": "RO-CJ",
        "website": "",
        "started": new_form_token(),
    }


def _post(data, address="198.51.100.77"):
    from django.test import Client

    return lambda: Client().post("/report/", data, REMOTE_ADDR=address).status_code


def test_concurrent_reports_from_one_address_make_exactly_the_limit(settings):
    # Before the check and the count were one statement, 16 such posts made 7 to 9 reports.
    from punte.identification.signals.models import Signal
    from punte.identification.signals.tests.factories import national_agency

    national_agency("RO-CJ")
    settings.PUNTE_PUBLIC_REPORT_MIN_SECONDS = 0
    settings.PUNTE_PUBLIC_REPORT_LIMITS = [(600, 5), (3600, 30)]
    statuses = _together([_post(_report_form()) for _ in range(16)])
    assert sorted(statuses) == [302] * 5 + [429] * 11, statuses
    assert Signal.objects.count() == 5
    counts = dict(PublicReportAttempt.objects.values_list("window_seconds", "count"))
    assert counts == {600: 5, 3600: 5}  # refused posts left no count behind


def test_a_form_replayed_at_once_makes_one_report(settings):
    from punte.identification.signals.models import PublicReportFormUse, Signal
    from punte.identification.signals.tests.factories import national_agency

    national_agency("RO-CJ")
    settings.PUNTE_PUBLIC_REPORT_MIN_SECONDS = 0
    form = _report_form()
    statuses = _together([_post(form, f"198.51.100.{80 + i}") for i in range(8)])
    assert sorted(statuses) == [302] + [409] * 7, statuses
    assert Signal.objects.count() == 1
    assert PublicReportFormUse.objects.count() == 1
