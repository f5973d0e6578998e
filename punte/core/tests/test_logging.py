"""No personal data in the logs: the redacting filter, unit by unit and end to end."""

import datetime
import logging
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from punte.accounts.tests.factories import MembershipFactory, UserFactory
from punte.core import context
from punte.core.logging import MASK, WITHHELD, RedactPersonalDataFilter, scrub
from punte.identification.persons import services
from punte.testing.api import ApiClient

FORMAT = settings.LOGGING["formatters"]["plain"]["format"]


class Capture(logging.Handler):
    """A handler as the real one is set up: the redacting filter, the project's format."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(RedactPersonalDataFilter())
        self.setFormatter(logging.Formatter(FORMAT))
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record):
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def capture():
    handler = Capture()
    root = logging.getLogger()
    names = ["", "django", "django.request", "django.db.backends", "django.server", "punte"]
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def emit(capture, *args, **kwargs) -> str:
    logging.getLogger("punte.test").info(*args, **kwargs)
    return capture.lines[-1]


# --- patterns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "personal",
    [
        "zamfira.test@example.test",
        "+40 745 118 203",
        "0745118203",
        "0745.118.203",
        "(021) 315 22 44",
        "2870314123456",  # CNP
        "1987-03-14",
        "14.03.1987",
        "14/03/1987",
        "Bearer abc.def.ghi",
        "pnt_0123abcd_secretpart",
    ],
)
def test_scrub_masks_what_looks_personal(personal):
    text = scrub(f"value <{personal}> seen")
    assert personal not in text
    assert MASK in text


HARMLESS = [
    str(uuid.UUID("3f2a9c1e-1234-5678-9abc-def012345678")),
    "12345678-1234-4abc-8def-0123456789ab",
    "a" * 8 + "123456789012" + "b" * 12,
    "took 0.003 s",
    "status 422",
    "seq=1234567",
]


@pytest.mark.parametrize("harmless", HARMLESS)
def test_scrub_leaves_ids_and_counts_alone(harmless):
    assert scrub(harmless) == harmless


# --- the filter, record by record -------------------------------------------------------------


def test_values_under_personal_keys_are_masked_whatever_they_look_like(capture):
    line = emit(capture, "Saved %(family_name)s for %(org)s", {"family_name": "Dumbrăveanu",
                                                               "org": "org-1"})  # fmt: skip
    assert "Dumbrăveanu" not in line and "org-1" in line
    line = emit(capture, "extra data", extra={"given_name": "Zamfira", "case_ref": "C-12"})
    assert "Zamfira" not in vars(capture.records[-1]).values()
    assert capture.records[-1].case_ref == "C-12"


def test_the_logger_name_is_not_mistaken_for_a_personal_name(capture):
    line = emit(capture, "hello")
    assert capture.records[-1].name == "punte.test"
    assert " punte.test " in line


def test_nested_arguments_are_cleaned(capture):
    line = emit(capture, "payload %s", ({"contact": "x", "items": ["a@b.test"]},))
    assert "a@b.test" not in line and "'contact': '[redacted]'" in line


def test_model_instances_are_logged_by_key_never_by_their_text(capture):
    user = UserFactory.build(first_name="Zamfira", last_name="Test")
    assert str(user) == "Zamfira Test"
    line = emit(capture, "user %s acted", user)
    assert "Zamfira" not in line
    assert f"accounts.user:{user.pk}" in line


def test_message_formatting_still_works_after_cleaning(capture):
    line = emit(capture, "%d rows, %.2f s, %s, %r, %s", 12, 0.5, "a@b.test", "ok", None)
    assert "12 rows, 0.50 s, [redacted], 'ok', None" in line
    assert capture.records[-1].getMessage() == "12 rows, 0.50 s, [redacted], 'ok', None"


def test_exception_messages_are_withheld_but_the_stack_is_kept(capture):
    def store_name():
        try:
            raise KeyError("Dumbrăveanu")
        except KeyError as inner:
            raise ValueError("Cannot store Zamfira Dumbrăveanu") from inner

    try:
        store_name()
    except ValueError:
        logging.getLogger("punte.test").exception("Saving failed")
    line = capture.lines[-1]
    assert "Zamfira" not in line and "Dumbrăveanu" not in line
    assert "Saving failed" in line
    assert f"builtins.ValueError: {WITHHELD}" in line
    assert f"builtins.KeyError: {WITHHELD}" in line  # the cause, too
    assert "in store_name" in line  # where it happened is still known
    assert capture.records[-1].getMessage() == "Saving failed"


def test_exceptions_passed_as_arguments_or_messages_are_withheld(capture):
    error = ValueError("Zamfira")
    assert "Zamfira" not in emit(capture, "failed: %s", error)
    assert "Zamfira" not in emit(capture, error)
    assert "ValueError" in capture.lines[-1]


def test_a_traceback_formatted_before_the_filter_is_not_passed_on(capture):
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)
    record.exc_text = "Traceback ...\nValueError: Zamfira"
    RedactPersonalDataFilter().filter(record)
    assert "Zamfira" not in logging.Formatter(FORMAT).format(record)


def test_a_record_that_cannot_be_cleaned_is_withheld_not_dropped_or_crashed(capture):
    class Hostile:
        def __str__(self):
            raise RuntimeError("Zamfira")

    line = emit(capture, "value %s", Hostile())
    assert "withheld" in line and "Zamfira" not in line


def test_cleaning_twice_changes_nothing_more(capture):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "mail %s", ("a@b.test",), None)
    for _ in range(2):
        RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == f"mail {MASK}"


def test_the_request_id_is_added():
    token = context.activate(context.RequestContext(request_id="req-12345678"))
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hi", None, None)
        RedactPersonalDataFilter().filter(record)
    finally:
        context.deactivate(token)
    assert record.request_id == "req-12345678"


# --- configuration ----------------------------------------------------------------------------


def test_every_configured_output_passes_through_the_filter():
    config = settings.LOGGING
    for name in config["root"]["handlers"]:
        assert "redact_personal_data" in config["handlers"][name].get("filters", []), name
    for name, logger in config["loggers"].items():
        for handler in logger.get("handlers", []):
            assert "redact_personal_data" in config["handlers"][handler].get("filters", [])
    # Django's default handlers (console, mail_admins, django.server) are gone: they would
    # write records before the filter sees them.
    for name in ("django", "django.server", "django.request", "django.db.backends"):
        assert logging.getLogger(name).handlers == [], name
        assert logging.getLogger(name).propagate, name
    root_filters = [
        type(f) for h in logging.getLogger().handlers if type(h) is logging.StreamHandler
        for f in h.filters
    ]  # fmt: skip
    assert RedactPersonalDataFilter in root_filters


# --- end to end -------------------------------------------------------------------------------

GIVEN = "Zamfira"
FAMILY = "Dumbrăveanu-Ţepeş"
EMAIL = "zamfira.dumbraveanu@example.test"
PHONE = "+40 745 118 203"
DOB = datetime.date(1987, 3, 14)
NOTE = "Seen near the Vama Veche campsite"
PLAINTEXTS = [GIVEN, FAMILY, "Dumbrăveanu", "Dumbraveanu", "Tepes", EMAIL, "zamfira.dumbr",
              PHONE, "745 118 203", "745118203", DOB.isoformat(), "14.03.1987", NOTE,
              "Vama Veche"]  # fmt: skip


@pytest.mark.django_db
def test_no_personal_value_reaches_any_log_output(capture, monkeypatch):
    member = MembershipFactory(role_code="regional_officer")
    client = ApiClient(member)
    body = {
        "given_name": GIVEN,
        "family_name": FAMILY,
        "contact": f"{EMAIL}, {PHONE}",
        "date_of_birth": DOB.isoformat(),
        "notes": NOTE,
        "aliases": [GIVEN.lower()],
    }

    with CaptureQueriesContext(connection):  # SQL, with its parameters, logged at DEBUG
        created = client.post("/persons", body)
        assert created.status_code == 201, created.content
        person_id = created.json()["id"]
        assert client.get(f"/persons/{person_id}").json()["family_name"] == FAMILY
        searched = client.post("/persons/search", {"family_name": "dumbraveanu-tepes"})
        assert [i["id"] for i in searched.json()["items"]] == [person_id]
        # Refused input with names in the body.
        refused = client.post("/persons", {**body, "date_of_birth": "not a date"})
        assert refused.status_code == 422

        # An error whose message quotes the person, logged with its traceback.
        def failing_create(*, actor, data):
            raise ValueError(f"Could not store {data.given_name} {data.family_name} "
                             f"({data.contact}), born {data.date_of_birth}")  # fmt: skip

        monkeypatch.setattr(services, "person_create", failing_create)
        failed = client.post("/persons", body)
        assert failed.status_code == 500

        # Careless application code: personal values under personal keys.
        logging.getLogger("punte.identification").warning(
            "duplicate suspected", extra={"family_name": FAMILY, "given_name": GIVEN}
        )

    output = "\n".join(capture.lines)
    # The capture really saw the traffic: SQL with ciphertexts, the request log, the exception.
    assert "django.db.backends" in output and "v1:test1:" in output
    assert "django.request" in output
    assert f"builtins.ValueError: {WITHHELD}" in output
    # Django's request log is written after the request context ends; it still carries the id.
    server_error = next(r for r in capture.records if r.getMessage().startswith("Internal Server"))
    assert server_error.request_id == failed["X-Request-ID"]
    for plaintext in PLAINTEXTS:
        assert plaintext.lower() not in output.lower(), plaintext
