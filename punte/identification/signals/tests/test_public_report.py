"""The anonymous public report form and every limit that protects it from abuse."""

import datetime

import pytest
from django.test import Client
from freezegun import freeze_time

from punte.core.models import AuditEvent
from punte.identification.signals.forms import new_form_token
from punte.identification.signals.models import PublicReportAttempt, Signal, SignalChannel
from punte.identification.signals.tests.factories import national_agency

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC)
URL = "/report/"


@pytest.fixture
def agency():
    return national_agency("RO-CJ")


def _token(at=T0):
    with freeze_time(at):
        return new_form_token()


def _data(**fields):
    data = {
        "description": "A girl of about 14 works every night at the petrol station bar.",
        "people_description": "One girl, speaks Romanian",
        "exploitation_forms": ["sexual", "labour"],
        "county": "RO-CJ",
        "locality": "Turda",
        "observed_on": "2026-11-27",
        "contact": "",
        "website": "",
        "started": _token(),
    }
    data.update(fields)
    return data


def _send(client=None, data=None, at=T0 + datetime.timedelta(seconds=30), **extra):
    client = client or Client()
    with freeze_time(at):
        return client.post(URL, data if data is not None else _data(), **extra)


def test_the_form_needs_no_account_and_speaks_three_languages(agency):
    for language, heading in [
        ("ro", "Semnalați o suspiciune de trafic de persoane"),
        ("en", "Report a suspicion of human trafficking"),
        ("uk", "Повідомте про підозру торгівлі людьми"),
    ]:
        response = Client().get(URL, headers={"accept-language": language})
        assert response.status_code == 200
        assert heading in response.content.decode()


def test_a_report_creates_a_signal_for_the_regional_centre_without_keeping_the_ip(agency):
    _, centre = agency
    response = _send(REMOTE_ADDR="203.0.113.7", data=_data(contact="ana@example.test"))
    assert response.status_code == 302
    assert response["Location"].startswith("/report/thanks/")
    signal = Signal.objects.get()
    assert signal.channel == SignalChannel.PUBLIC_REPORT
    assert signal.responsible_organisation == centre
    assert signal.exploitation_forms == ["sexual", "labour"]
    assert signal.reporter_contact == "ana@example.test"
    assert [p.description for p in signal.people.all()] == ["One girl, speaks Romanian"]
    event = AuditEvent.objects.get(action="signal.reported_publicly")
    assert event.source_ip is None
    attempt = PublicReportAttempt.objects.first()
    assert "203.0.113.7" not in attempt.client_hash
    with freeze_time(T0 + datetime.timedelta(minutes=1)):
        thanks = Client().get(response["Location"])
    assert signal.reference in thanks.content.decode()


def test_the_honeypot_refuses_and_counts(agency):
    response = _send(data=_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "leave the last field empty" in response.content.decode()
    assert not Signal.objects.exists()
    # Counted in each of the client's windows (10 minutes, an hour, a day).
    assert list(PublicReportAttempt.objects.values_list("count", flat=True)) == [1, 1, 1]


def test_a_form_sent_too_quickly_is_refused(agency):
    response = _send(at=T0 + datetime.timedelta(seconds=1))
    assert response.status_code == 400
    assert "sent too quickly" in response.content.decode()
    assert not Signal.objects.exists()


@pytest.mark.parametrize("token", ["", "forged:token", "public-report:1abc:deadbeef"])
def test_a_missing_or_forged_timestamp_is_refused(agency, token):
    response = _send(data=_data(started=token))
    assert response.status_code == 400
    assert not Signal.objects.exists()


def test_a_form_left_open_too_long_must_be_sent_again(agency):
    response = _send(at=T0 + datetime.timedelta(hours=3))
    assert response.status_code == 200
    assert "open for too long" in response.content.decode()
    # The text the reporter wrote is kept, with a fresh timestamp to send it again.
    assert "petrol station bar" in response.content.decode()
    assert not Signal.objects.exists()


def test_the_rate_limit_per_client(agency, settings):
    settings.PUNTE_PUBLIC_REPORT_LIMITS = [(3600, 3), (86400, 5)]
    for _ in range(3):
        assert _send(REMOTE_ADDR="198.51.100.1").status_code == 302
    blocked = _send(REMOTE_ADDR="198.51.100.1")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "0800 800 678" in blocked.content.decode()
    assert Signal.objects.count() == 3
    # Another client is not held back by the first.
    assert _send(REMOTE_ADDR="198.51.100.2").status_code == 302
    # The next hour the first may send again, until its daily limit.
    later = T0 + datetime.timedelta(hours=1, minutes=1)
    for _ in range(2):
        assert _send(REMOTE_ADDR="198.51.100.1", at=later).status_code == 302
    assert _send(REMOTE_ADDR="198.51.100.1", at=later).status_code == 429
    assert Signal.objects.count() == 6


def test_the_rate_limit_follows_the_trusted_proxy(agency, settings):
    settings.PUNTE_PUBLIC_REPORT_LIMITS = [(3600, 1)]
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert _send(HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy).status_code == 302
    assert _send(HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy).status_code == 429
    assert _send(HTTP_X_FORWARDED_FOR="198.51.100.10", **proxy).status_code == 302


def test_a_client_outside_the_proxy_cannot_escape_the_limit_by_forging_the_header(agency, settings):
    settings.PUNTE_PUBLIC_REPORT_LIMITS = [(3600, 1)]
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.1"]
    direct = {"REMOTE_ADDR": "198.51.100.66"}
    assert _send(HTTP_X_FORWARDED_FOR="203.0.113.1", **direct).status_code == 302
    assert _send(HTTP_X_FORWARDED_FOR="203.0.113.2", **direct).status_code == 429
    assert Signal.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "x" * 5001),
        ("description", ""),
        ("people_description", "x" * 1001),
        ("locality", "x" * 201),
        ("contact", "x" * 301),
        ("website", "x" * 201),
        ("county", "RO-XX"),
        ("exploitation_forms", ["piracy"]),
        ("observed_on", "2999-01-01"),
    ],
)
def test_every_field_is_limited(agency, field, value):
    response = _send(data=_data(**{field: value}))
    assert response.status_code in (200, 400)
    assert 'class="error-summary"' in response.content.decode()
    assert not Signal.objects.exists()


def test_csrf_is_required(agency):
    response = _send(client=Client(enforce_csrf_checks=True))
    assert response.status_code == 403
    assert not Signal.objects.exists()


def test_without_the_national_agency_the_report_is_refused_clearly():
    response = _send()
    assert response.status_code == 503
    assert not Signal.objects.exists()


def test_the_report_is_triaged_by_the_regional_centre(agency):
    from punte.accounts.tests.factories import MembershipFactory
    from punte.identification.signals.selectors import signal_worklist_for

    _, centre = agency
    _send()
    officer = MembershipFactory(organisation=centre, role_code="regional_officer")
    assert list(signal_worklist_for(actor=officer)) == [Signal.objects.get()]


def test_rate_limit_counters_are_erased_after_their_retention(agency, settings):
    from punte.core import retention

    settings.PUNTE_PUBLIC_REPORT_LIMITS = [(3600, 5), (86400, 20)]
    _send(REMOTE_ADDR="198.51.100.20")
    assert PublicReportAttempt.objects.count() == 2  # the hour's and the day's counter
    [rule] = [r for r in retention.discover() if r.record_type.endswith("PublicReportAttempt")]
    # Windows start on the hour and at midnight UTC; each is kept 48 hours from its start.
    assert retention.count_due(rule, T0 + datetime.timedelta(hours=37)) == 0
    assert retention.count_due(rule, T0 + datetime.timedelta(hours=39)) == 1  # the day's
    later = T0 + datetime.timedelta(hours=49)
    assert retention.count_due(rule, later) == 2
    list(retention.apply(rule, later))
    assert not PublicReportAttempt.objects.exists()
