"""Tracebacks under the development server are redacted as the production logs are: Django's
error page (DEBUG) and any error escaping Django's handler, which the server would print whole."""

from __future__ import annotations

import logging
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.views.debug import technical_500_response

from punte.core.logging import MASK, WITHHELD, LogEscapedErrors

NAME = "Zenovia Cârstoiu"


def _fail_with_personal_data():
    family_name = NAME  # noqa: F841 - a local variable the error page would show
    raise ValueError(f"no record for {NAME}, born 2001-05-17")


def _exc_info():
    try:
        _fail_with_personal_data()
    except ValueError:
        return sys.exc_info()


@pytest.mark.parametrize("accept", ["text/html", "text/plain"])
def test_debug_error_page_keeps_the_stack_and_withholds_the_data(accept):
    request = RequestFactory().post(
        "/persons/new/?q=Zenovia", {"family_name": NAME}, headers={"accept": accept}
    )
    page = technical_500_response(request, *_exc_info()).content.decode()
    assert "_fail_with_personal_data" in page  # where it failed
    assert "ValueError" in page
    assert "Zenovia" not in page and "Cârstoiu" not in page and "C&#x27;" not in page
    assert "2001-05-17" not in page
    assert WITHHELD in page or WITHHELD.replace("[", "&#x5B;") in page
    assert MASK in page


def test_the_error_page_is_the_redacting_one():
    assert settings.DEFAULT_EXCEPTION_REPORTER == "punte.core.logging.RedactingExceptionReporter"


def test_runserver_serves_the_application_that_logs_escaped_errors():
    # runserver serves WSGI_APPLICATION; gunicorn is started on punte.wsgi:application.
    from punte import wsgi

    assert settings.WSGI_APPLICATION == "punte.wsgi.application"
    assert isinstance(wsgi.application, LogEscapedErrors)


def _start_response(status, headers, exc_info=None):
    _start_response.status = status


def _failing_app(environ, start_response):
    raise RuntimeError(f"could not save {NAME}")


def test_error_escaping_the_handler_is_logged_redacted_not_printed(capsys, caplog):
    with caplog.at_level(logging.ERROR, logger="punte.wsgi"):
        body = LogEscapedErrors(_failing_app)({}, _start_response)
    assert _start_response.status.startswith("500")
    assert NAME not in b"".join(body).decode()
    assert NAME not in capsys.readouterr().err  # the server printed nothing itself
    (record,) = [r for r in caplog.records if r.name == "punte.wsgi"]
    # Logged, so it went through the root handler's redacting filter like any record: the
    # stack of the error is kept, its message is not.
    assert record._punte_redacted
    written = logging.Formatter("%(message)s").format(record)
    assert "RuntimeError" in written and "_failing_app" in written
    assert NAME not in written


def test_error_while_streaming_is_logged_and_the_answer_cut_short(caplog):
    class Streamed:
        # What a StreamingHttpResponse is to the server (without its request_finished signal).
        streaming = True
        closed = False

        def __iter__(self):
            yield b"first"
            raise RuntimeError(f"lost {NAME}")

        def close(self):
            self.closed = True

    streamed = Streamed()

    def app(environ, start_response):
        start_response("200 OK", [])
        return streamed

    with caplog.at_level(logging.ERROR, logger="punte.wsgi"):
        sent = list(LogEscapedErrors(app)({}, _start_response))
    assert sent == [b"first"]
    assert streamed.closed
    (record,) = [r for r in caplog.records if r.name == "punte.wsgi"]
    assert "RuntimeError" in record.exc_text and NAME not in record.exc_text
