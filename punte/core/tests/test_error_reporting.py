"""Error reports to Sentry carry nothing personal: a request that fails with names, a CNP, an
e-mail and a phone number in its body, query, exception and logs is reported with its type,
stack locations and request id only. A fake transport catches what would be sent: nothing
leaves the machine."""

import json
import logging

import pytest
import sentry_sdk
from django.test import Client, override_settings
from django.urls import path
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from punte.core.logging import WITHHELD
from punte.core.observability import error_reporting

PERSONAL = ["Popescu", "1850101123456", "ana.popescu@example.ro", "0721 123 456", "secretvalue"]


def failing_view(request):
    family_name = request.POST.get("family_name")  # a local variable Sentry must not send
    logging.getLogger("punte.test.sentry").info("opening the record of %s", "0721 123 456")
    logging.getLogger("punte.test.sentry").error(
        "lookup failed for %s", "ana.popescu@example.ro", extra={"family_name": family_name}
    )
    raise ValueError(f"no person {family_name} with CNP 1850101123456")


# Under /api/: open before sign-in, so the request reaches the view.
urlpatterns = [path("api/test-fail/", failing_view)]


class FakeTransport(Transport):
    sent: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        FakeTransport.sent.append(envelope)

    def flush(self, timeout, callback=None):
        return None


@pytest.fixture
def reported():
    FakeTransport.sent = []
    error_reporting.init(
        dsn="https://public@sentry.invalid/1", environment="test", transport=FakeTransport
    )
    try:
        yield FakeTransport.sent
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


def events(envelopes) -> list[dict]:
    found = []
    for envelope in envelopes:
        for item in envelope.items:
            if item.type in ("event", "error"):
                found.append(item.payload.json)
    return found


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_failed_request_is_reported_without_personal_data(reported):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/test-fail/?phone=0721+123+456&email=ana.popescu%40example.ro",
        {"family_name": "Popescu", "notes": "met at the station"},
        HTTP_X_REQUEST_ID="req-sentry-0001",
        HTTP_AUTHORIZATION="Bearer secretvalue",
        HTTP_COOKIE="sessionid=secretvalue",
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    sent = events(reported)
    text = json.dumps(sent)
    for value in PERSONAL:
        assert value not in text, value
    assert "met at the station" not in text
    exceptions = [e for e in sent if e.get("exception")]
    assert len(exceptions) == 1
    error = exceptions[0]
    (exception,) = error["exception"]["values"]
    assert exception["type"] == "ValueError" and exception["value"] == WITHHELD
    frames = exception["stacktrace"]["frames"]
    assert any(frame["function"] == "failing_view" for frame in frames)
    assert not any("vars" in frame or "context_line" in frame for frame in frames)
    assert error["tags"]["request_id"] == "req-sentry-0001"
    assert "Authorization" not in error["request"].get("headers", {})
    assert "cookies" not in error["request"]
    crumbs = [c.get("message") for c in error["breadcrumbs"]["values"]]
    assert "opening the record of [redacted]" in crumbs
    # The logged error is an event of its own, its argument and extra masked.
    logged = [e for e in sent if e.get("logentry")]
    assert logged and logged[0]["logentry"]["params"] == ["[redacted]"]
    assert logged[0]["extra"]["family_name"] == "[redacted]"


def test_before_send_cleans_every_part_of_an_event():
    event = {
        "message": "call 0721 123 456",
        "logentry": {"message": "to %s", "params": ["ana.popescu@example.ro"], "formatted": "x"},
        "exception": {"values": [{"type": "KeyError", "value": "'Popescu'"}]},
        "request": {
            "url": "https://punte.example.ro/persons/",
            "query_string": "cnp=1850101123456",
            "data": {"given_name": "Ana"},
            "headers": {"Authorization": "Bearer secretvalue", "User-Agent": "Firefox"},
            "cookies": {"sessionid": "secretvalue"},
            "env": {"REMOTE_ADDR": "192.0.2.7"},
        },
        "breadcrumbs": {"values": [{"message": "ana.popescu@example.ro", "data": {"dob": "x"}}]},
        "extra": {"contact": "Popescu"},
        "user": {"ip_address": "192.0.2.7", "username": "apopescu"},
    }
    cleaned = error_reporting.before_send(event, None)
    text = json.dumps(cleaned)
    for value in [*PERSONAL, "Ana", "192.0.2.7", "apopescu"]:
        assert value not in text, value
    assert cleaned["request"]["headers"] == {"User-Agent": "Firefox"}
    assert cleaned["request"]["data"] == WITHHELD


def test_nothing_is_reported_without_a_dsn(settings):
    # The test settings, like production without PUNTE_SENTRY_DSN, start no client.
    assert not sentry_sdk.get_client().is_active()
