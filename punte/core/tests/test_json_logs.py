"""JSON logs (PUNTE_LOG_FORMAT=json): the same redaction and the same request id as the plain
format, one JSON object a line."""

import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import RequestFactory

from punte.core import context
from punte.core.logging import MASK, WITHHELD, RedactPersonalDataFilter


class JsonCapture(logging.Handler):
    """A handler as production sets it up with PUNTE_LOG_FORMAT=json."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(RedactPersonalDataFilter())
        formatter = dict(settings.LOGGING["formatters"]["json"])
        self.setFormatter(logging.config.DictConfigurator({}).configure_formatter(formatter))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def capture():
    handler = JsonCapture()
    logger = logging.getLogger("punte.test.json")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    django_request = logging.getLogger("django.request")
    django_request.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        django_request.removeHandler(handler)


def test_a_line_is_json_with_the_request_id_and_nothing_personal(capture):
    token = context.activate(context.RequestContext(request_id="req-0123456789"))
    try:
        try:
            raise ValueError("no organisation for ana.popescu@example.ro")
        except ValueError:
            logging.getLogger("punte.test.json").exception(
                "mail to %s failed", "ana.popescu@example.ro", extra={"family_name": "Popescu"}
            )
    finally:
        context.deactivate(token)
    line = capture.lines[-1]
    entry = json.loads(line)
    assert entry["request_id"] == "req-0123456789"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "punte.test.json"
    assert entry["message"] == f"mail to {MASK} failed"
    assert entry["family_name"] == MASK
    assert "time" in entry
    assert f"builtins.ValueError: {WITHHELD}" in entry["exc_info"]
    assert "popescu" not in line.lower()


def test_djangos_request_log_leaves_the_request_out(capture):
    request = RequestFactory().get("/persons/?phone=0721123456&q=Popescu")
    request.request_id = "req-abcdef0123"
    logging.getLogger("django.request").warning(
        "Not Found: %s", request.path, extra={"status_code": 404, "request": request}
    )
    entry = json.loads(capture.lines[-1])
    assert entry["request_id"] == "req-abcdef0123"
    assert entry["status_code"] == 404
    assert "request" not in entry
    assert "Popescu" not in capture.lines[-1] and "0721123456" not in capture.lines[-1]
