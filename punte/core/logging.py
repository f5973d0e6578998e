"""Keep personal data out of the logs.

Records may carry only ids, codes and counts: code must never log a name, and no filter can
recognise every name in free text. This filter is the safety net behind that rule:

- anything that looks like personal data (an e-mail, a phone number, a Romanian CNP, a date, an
  API token) is masked in the message, its arguments and any `extra` value;
- any value passed under a key known to be personal (`extra={"family_name": ...}`, a dict
  argument) is masked whatever it looks like;
- exceptions keep their type and stack (code locations) but never their message, because
  messages quote the offending value ("invalid name 'Ana …'"); the same for exceptions passed as
  arguments or as the message itself;
- model instances are logged as "app.model:<pk>", never through their __str__.

It also adds the request id, so a log line can be tied to the audit trail without repeating what
the trail holds. It is attached to the root handler (settings.LOGGING), and every Django logger
propagates there, so nothing reaches an output without passing through it.
"""

from __future__ import annotations

import datetime
import decimal
import logging
import re
import sys
import traceback
from typing import Any

from django.views.debug import ExceptionReporter
from pythonjsonlogger import json as jsonlogger
from pythonjsonlogger.core import RESERVED_ATTRS

from punte.core import context

MASK = "[redacted]"
WITHHELD = "[message withheld]"

# fmt: off
PERSONAL_KEYS = frozenset({
    "given_name", "family_name", "name", "first_name", "last_name", "full_name", "aliases",
    "alias", "date_of_birth", "dob", "contact", "phone", "email", "address", "notes",
    "password", "token", "secret", "cnp", "document_number", "passport",
})
# fmt: on

# The attributes every LogRecord has: never masked by key (a record's "name" is its logger).
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | frozenset(
    ("message", "asctime", "request_id", "taskName", "_punte_redacted")
)

_PATTERNS = [
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),  # e-mail
    re.compile(r"(?i)bearer\s+\S+"),
    re.compile(r"\bpnt_[0-9a-f]{8}_[A-Za-z0-9_-]+"),  # API tokens
    re.compile(r"(?<!\d)[1-8]\d{12}(?!\d)"),  # Romanian CNP
    re.compile(r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b"),  # ISO dates (dates of birth)
    re.compile(r"\b[0-3]?\d[./][01]?\d[./](?:19|20)\d\d\b"),  # 17.05.2001, 17/05/2001
    # Phone numbers: a run of digits and separators standing on its own, so that the digits
    # inside a UUID or a hex digest are left alone.
    re.compile(r"(?<![\w-])\+?\d[\d\s().-]{7,}\d(?![\w-])"),
]


def scrub(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def _exception_summary(exc: BaseException) -> str:
    kind = type(exc)
    return f"{kind.__module__}.{kind.__qualname__}: {WITHHELD}"


def _safe_argument(value: Any) -> Any:
    """A log argument that keeps its type where formatting needs it (%d, %.2f), else safe text."""
    from django.db.models import Model

    if value is None or isinstance(value, (bool, int, float, decimal.Decimal)):
        return value
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, BaseException):
        return _exception_summary(value)
    if isinstance(value, Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return _scrub_value(None, value)
    if isinstance(value, (datetime.date, datetime.time)):
        return scrub(value.isoformat())
    return scrub(str(value))


def _scrub_value(key: str | None, value: Any) -> Any:
    if key is not None and key.lower() in PERSONAL_KEYS:
        return MASK
    if isinstance(value, dict):
        return {k: _scrub_value(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_scrub_value(None, v) for v in value)
    return _safe_argument(value)


def scrub_data(value: Any) -> Any:
    """A structure (dict, list, text) cleaned as a log record's arguments are: values under
    personal keys masked, personal-looking text masked (error reports use it too)."""
    return _scrub_value(None, value)


def safe_traceback(exc_type, exc: BaseException | None, tb) -> str:
    """The stack of an exception and of its causes, with every exception's message withheld."""
    chain: list[tuple[type, BaseException | None, Any]] = []
    seen: set[int] = set()
    current, current_tb = exc, tb
    if current is None:
        chain.append((exc_type, None, tb))
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((type(current), current, current_tb))
        nxt = current.__cause__
        if nxt is None and not current.__suppress_context__:
            nxt = current.__context__
        current = nxt
        current_tb = nxt.__traceback__ if nxt is not None else None
    parts: list[str] = []
    for position, (kind, _value, frames) in enumerate(reversed(chain)):
        if position:
            parts.append("\nThe exception above led to the one below:\n\n")
        if frames is not None:
            # Where, not what: file, line and function, without the source text (a source line
            # can hold a literal, and the locations are enough to find it in the repository).
            parts.append("Traceback (most recent call last):\n")
            parts.extend(
                f'  File "{frame.f_code.co_filename}", line {lineno}, in {frame.f_code.co_name}\n'
                for frame, lineno in traceback.walk_tb(frames)
            )
        name = f"{kind.__module__}.{kind.__qualname__}" if kind is not None else "Exception"
        parts.append(f"{name}: {WITHHELD}\n")
    return "".join(parts).rstrip("\n")


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact(record)
        except Exception:  # noqa: BLE001 - a record we cannot clean is not written as it was
            record.msg = "[log record withheld: it could not be redacted]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record._punte_redacted = True
        # Django's request log is written after the request's context has ended: take the id
        # from the request it carries.
        request = vars(record).get("request")
        record.request_id = getattr(request, "request_id", None) or context.current().request_id
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        if getattr(record, "_punte_redacted", False):
            return  # one record may pass several handlers: clean it once
        if isinstance(record.msg, BaseException):
            record.msg = _exception_summary(record.msg)
        else:
            record.msg = scrub(str(record.msg))
        if isinstance(record.args, dict):
            record.args = {k: _scrub_value(str(k), v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_safe_argument(a) for a in record.args)
        for key, value in list(vars(record).items()):
            if key in _RECORD_ATTRIBUTES or key == "request":
                continue  # Django's `request` extra is an object no formatter prints
            setattr(record, key, _scrub_value(key, value))
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = safe_traceback(*record.exc_info)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = "(traceback withheld: it was formatted before redaction)"
        record._punte_redacted = True


class JsonFormatter(jsonlogger.JsonFormatter):
    """One JSON object per line (PUNTE_LOG_FORMAT=json), for log collectors that index fields.

    It formats what the redacting filter on the handler has already cleaned, like the plain
    format: the message, the arguments, every `extra` value and the withheld traceback (as
    `exc_info`). Django's `request` extra is left out: its text is the path with the query
    string, which may carry what the filter never saw.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "_punte_redacted"])
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)


# --- Tracebacks that do not go through a log record ----------------------------------------


# What a request's environment may show on the error page: how it was asked, never what for.
_PLAIN_META = frozenset({
    "REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "CONTENT_TYPE",
    "CONTENT_LENGTH", "HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_HOST", "wsgi.url_scheme",
})  # fmt: skip


class RedactingExceptionReporter(ExceptionReporter):
    """Django's error page and text report (DEBUG, the development server), redacted as the log
    filter redacts a record: the stack keeps its files, lines and functions, but no source text
    (a line can hold a literal), no exception message and no value of a variable, a parameter,
    a cookie or a form field
    (settings.DEFAULT_EXCEPTION_REPORTER). A developer reproduces with the demo's data and reads
    the values in a debugger, not on a page a screen-share or a proxy may keep."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        for frame in data.get("frames", []):
            frame.update(pre_context=[], context_line="", post_context=[])
            if "vars" in frame:
                frame["vars"] = [(name, MASK) for name, _value in frame["vars"]]
            cause = frame.get("exc_cause")
            if cause is not None:
                frame["exc_cause"] = _exception_summary(cause)
        if "exception_value" in data:
            data["exception_value"] = WITHHELD
        data.pop("exception_notes", None)
        data["unicode_hint"] = ""
        for key in ("request_GET_items", "filtered_POST_items", "request_COOKIES_items"):
            if key in data:
                data[key] = [(name, MASK) for name, _value in data[key]]
        if "request_FILES_items" in data:
            data["request_FILES_items"] = [(name, MASK) for name, _f in data["request_FILES_items"]]
        if "request_insecure_uri" in data:
            data["request_insecure_uri"] = scrub(str(data["request_insecure_uri"]).split("?")[0])
        if data.get("user_str"):
            data["user_str"] = scrub(data["user_str"])
        data["request_meta"] = {
            name: value if name in _PLAIN_META else MASK
            for name, value in (data.get("request_meta") or {}).items()
        }
        if data.get("template_info"):
            data["template_info"] = {**data["template_info"], "message": WITHHELD}
        return data


class LogEscapedErrors:
    """A WSGI application whose errors escaping Django's handler (a failing response iterator, a
    signal receiver at the start or end of a request) are logged through the redacting filter
    and answered 500, instead of being printed whole by the server: wsgiref (runserver) and
    gunicorn write such a traceback, exception message included, to their stderr."""

    logger = logging.getLogger("punte.wsgi")

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            result = self.application(environ, start_response)
        except Exception:
            self.logger.error("Unhandled error outside the request handler", exc_info=True)
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain; charset=utf-8")],
                sys.exc_info(),
            )
            return [b"Internal server error. The error was logged."]
        # Only a streaming answer can fail once sent; any other is passed as it is (a file
        # wrapper keeps the server's sendfile, a rendered body its length).
        return self._iterate(result) if getattr(result, "streaming", False) else result

    def _iterate(self, result):
        try:
            yield from result
        except Exception:
            # The status line is already sent: the answer can only be cut short.
            self.logger.error("Unhandled error while sending a response", exc_info=True)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
