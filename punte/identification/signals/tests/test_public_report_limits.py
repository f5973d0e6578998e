"""The public report's limits as a reporter meets them: characters (not bytes) per field, a
request ceiling answered 413 before anything parses the body, one report per form, a burst
limit per address that leaves room for a school or an office, and the national alarm."""

import datetime
import io
from urllib.parse import urlencode

import pytest
from django.test import Client
from freezegun import freeze_time

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.signals.models import PublicReportFormUse, Signal
from punte.identification.signals.services.signal import (
    MAX_CONTACT,
    MAX_DESCRIPTION,
    MAX_LOCALITY,
    MAX_PERSON_DESCRIPTION,
)
from punte.identification.signals.tests.factories import national_agency
from punte.identification.signals.tests.test_public_report import T0, URL, _data, _send
from punte.notifications.models import Notification

pytestmark = pytest.mark.django_db

# Ukrainian: every letter takes two bytes in UTF-8 and six once percent-encoded in a form.
UK = "Дівчина працює вночі на заправці, її паспорт забрав чоловік. "


def _cyrillic(length: int) -> str:
    return (UK * (length // len(UK) + 1))[:length].strip().ljust(length, "ї")


@pytest.fixture
def agency():
    return national_agency("RO-CJ")


def _full_report(**over):
    fields = {
        "description": _cyrillic(MAX_DESCRIPTION),
        "people_description": _cyrillic(MAX_PERSON_DESCRIPTION),
        "locality": _cyrillic(MAX_LOCALITY),
        "contact": _cyrillic(MAX_CONTACT),
    }
    fields.update(over)
    return _data(**fields)


def _as_a_browser_sends_it(data) -> bytes:
    return urlencode(data, doseq=True).encode()


def test_a_ukrainian_report_with_every_field_at_its_limit_is_accepted(agency):
    data = _full_report()
    body = _as_a_browser_sends_it(data)
    # The old limit (32 KiB on the request) refused this very report.
    assert len(body) > 32 * 1024
    with freeze_time(T0 + datetime.timedelta(seconds=30)):
        response = Client().post(
            URL,
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"accept-language": "uk"},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    signal = Signal.objects.get()
    assert signal.description == data["description"]
    assert len(signal.description) == MAX_DESCRIPTION
    assert signal.reporter_contact == data["contact"]


def test_a_report_one_character_over_is_refused_naming_the_field_and_keeping_the_text(agency):
    data = _full_report(description=_cyrillic(MAX_DESCRIPTION + 1))
    response = _send(data=data, headers={"accept-language": "en"})
    page = response.content.decode()
    assert response.status_code == 200
    assert not Signal.objects.exists()
    assert "“What did you see or hear?” is 1 character too long" in page
    assert "at most 5,000 characters" in page
    # Nothing typed is lost: every field comes back as it was sent.
    for field in ("description", "people_description", "locality", "contact"):
        assert data[field] in page, field
    assert not PublicReportFormUse.objects.exists()  # the same form can be sent once corrected


def test_the_refusal_says_by_how_much_in_ukrainian(agency):
    data = _full_report(locality=_cyrillic(MAX_LOCALITY + 12))
    page = _send(data=data, headers={"accept-language": "uk"}).content.decode()
    assert "«Місто, село або місце» задовге на 12 символів" in page


def test_a_line_break_counts_as_one_character(agency):
    # Browsers send a textarea's line breaks as CR LF: 5,000 characters on screen are 5,000.
    lines = ["Рядок опису" + "ї" * 89] * 50  # 50 lines of 100 characters
    text = "\r\n".join(lines)[: MAX_DESCRIPTION + 49]
    assert len(text.replace("\r\n", "\n")) == MAX_DESCRIPTION
    assert _send(data=_data(description=text)).status_code == 302
    assert Signal.objects.get().description == text.replace("\r\n", "\n")


def test_a_form_is_accepted_once(agency):
    data = _data()
    assert _send(data=data).status_code == 302
    replay = _send(data=data, headers={"accept-language": "en"})
    assert replay.status_code == 409
    assert "This form was already sent" in replay.content.decode()
    assert Signal.objects.count() == 1
    assert PublicReportFormUse.objects.count() == 1


def test_the_record_of_used_forms_outlives_the_forms_and_is_then_erased(agency, settings):
    from punte.core import retention

    _send()
    [rule] = [r for r in retention.discover() if r.record_type.endswith("PublicReportFormUse")]
    valid_for = datetime.timedelta(seconds=settings.PUNTE_PUBLIC_REPORT_MAX_AGE_SECONDS)
    assert rule.period.resolve() > valid_for
    sent = T0 + datetime.timedelta(seconds=30)
    assert retention.count_due(rule, sent + valid_for) == 0
    list(retention.apply(rule, sent + rule.period.resolve() + datetime.timedelta(minutes=1)))
    assert not PublicReportFormUse.objects.exists()


# --- Limits per address --------------------------------------------------------------------


def test_a_burst_from_one_address_is_held_back_for_minutes_not_an_hour(agency):
    address = {"REMOTE_ADDR": "198.51.100.30"}
    for _ in range(5):
        assert _send(**address).status_code == 302
    blocked = _send(**address)
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 600
    # Ten minutes on, the same school or office sends again.
    later = T0 + datetime.timedelta(minutes=11)
    assert _send(at=later, **address).status_code == 302


def test_one_address_may_send_thirty_reports_an_hour_in_bursts(agency):
    address = {"REMOTE_ADDR": "198.51.100.31"}
    for burst in range(6):  # the six 10-minute windows of the hour from 10:00
        at = T0 + datetime.timedelta(minutes=10 * burst, seconds=30)
        assert [_send(at=at, **address).status_code for _ in range(5)] == [302] * 5
    assert Signal.objects.count() == 30
    blocked = _send(at=T0 + datetime.timedelta(minutes=59), **address)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) <= 60  # until the next hour


def test_the_hourly_limit_holds_across_bursts(agency, settings):
    settings.PUNTE_PUBLIC_REPORT_LIMITS = [(600, 5), (3600, 8)]
    address = {"REMOTE_ADDR": "198.51.100.32"}
    statuses = [
        _send(at=T0 + datetime.timedelta(minutes=minute, seconds=30), **address).status_code
        for minute in (0, 0, 0, 0, 0, 10, 10, 10, 10, 10)
    ]
    assert statuses.count(302) == 8
    assert statuses[-2:] == [429, 429]


def test_a_refused_report_is_not_counted_against_the_other_windows(agency, settings):
    settings.PUNTE_PUBLIC_REPORT_LIMITS = [(600, 1), (3600, 2)]
    address = {"REMOTE_ADDR": "198.51.100.33"}
    assert _send(**address).status_code == 302
    assert _send(**address).status_code == 429  # the burst window is full: nothing counted
    later = T0 + datetime.timedelta(minutes=11)
    assert _send(at=later, **address).status_code == 302  # the hour still had one place


# --- The national alarm ----------------------------------------------------------------------


def test_a_national_surge_notifies_the_agency_administrators_once(
    agency, settings, django_capture_on_commit_callbacks
):
    settings.PUNTE_PUBLIC_REPORT_ALARM = (3600, 3)
    national, _centre = agency
    admin = MembershipFactory(organisation=national, role_code="system_admin")
    triager = MembershipFactory(organisation=national, role_code="national_coordinator")
    for index in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            assert _send(REMOTE_ADDR=f"198.51.100.{40 + index}").status_code == 302
    alarms = list(Notification.objects.filter(kind="signal.public_reports_surge"))
    assert [n.recipient for n in alarms] == [admin]
    assert triager not in [n.recipient for n in alarms]
    assert alarms[0].params["count"] == 3
    # The next window starts counting afresh and alarms again when it too surges.
    for index in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = _send(
                REMOTE_ADDR=f"198.51.100.{50 + index}", at=T0 + datetime.timedelta(hours=1)
            )
        assert response.status_code == 302, response.content.decode()
    assert Notification.objects.filter(kind="signal.public_reports_surge").count() == 2


# --- The ceiling on the request, before CSRF -----------------------------------------------


def test_a_two_megabyte_post_to_the_form_is_refused_with_413_before_csrf(agency):
    client = Client(enforce_csrf_checks=True)  # no token: CSRF would answer 403 if it ran
    response = client.post(URL, {"description": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert response["Connection"] == "close"
    assert not Signal.objects.exists()


def test_the_ceiling_is_far_above_the_largest_valid_report(settings):
    limit = settings.PUNTE_REQUEST_BODY_LIMITS["/report/"]
    # 6,900 characters of 4-byte characters, percent-encoded (12 bytes each), and room to spare.
    assert limit > 2 * 6900 * 12


def test_a_chunked_body_is_read_no_further_than_the_ceiling(agency, settings):
    from django.test import RequestFactory

    from punte.core.body_limit import RequestBodyLimitMiddleware

    settings.PUNTE_REQUEST_BODY_LIMITS = {"/report/": 1000}
    reached = []

    def view(request):
        reached.append(request.POST.get("description"))
        return None

    middleware = RequestBodyLimitMiddleware(view)

    class Endless(io.RawIOBase):
        served = 0

        def readable(self):
            return True

        def read(self, size=-1):
            self.served += size
            return b"x" * size

    stream = Endless()
    request = RequestFactory().post(URL, content_type="application/x-www-form-urlencoded")
    del request.META["CONTENT_LENGTH"]
    request.META.update({"wsgi.input": stream, "wsgi.input_terminated": True})
    assert middleware(request).status_code == 413
    assert stream.served == 1001  # the limit and one byte: never the whole (endless) body
    assert reached == []

    small = RequestFactory().post(URL, content_type="application/x-www-form-urlencoded")
    del small.META["CONTENT_LENGTH"]
    small.META.update(
        {"wsgi.input": io.BytesIO(b"description=short"), "wsgi.input_terminated": True}
    )
    middleware(small)
    assert reached == ["short"]


def test_pages_and_the_api_elsewhere_keep_the_site_wide_ceiling(settings):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    page = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": big})
    assert page.status_code == 413
    api = Client().post("/api/v1/signals", data=big, content_type="application/json")
    assert api.status_code == 413
    assert api["Content-Type"] == "application/problem+json"


def test_a_length_that_is_not_a_number_is_refused():
    response = Client().generic("POST", URL, b"a=1", CONTENT_LENGTH="12abc")
    assert response.status_code == 413


def test_the_form_fields_carry_no_maxlength_that_would_cut_pasted_text(agency):
    page = Client().get(URL).content.decode()
    assert "maxlength" not in page.split('name="website"')[0]


def test_the_limit_in_the_error_uses_the_language_s_grouping(agency):
    data = _full_report(description=_cyrillic(MAX_DESCRIPTION + 1))
    page = _send(data=data, headers={"accept-language": "ro"}).content.decode()
    assert "5.000" in page
