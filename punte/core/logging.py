"""Keep personal data out of the logs.

Records may carry only ids, codes and counts. Anything that looks like personal data (an e-mail,
a phone number, a national id number, a date of birth) is masked, and so is any value passed
under a key known to be personal. Request ids are added so a log line can be tied to the audit
trail without repeating what the trail holds.
"""

from __future__ import annotations

import logging
import re

from punte.core import context

MASK = "[redacted]"

PERSONAL_KEYS = frozenset({
    "given_name", "family_name", "name", "first_name", "last_name", "aliases", "alias",
    "date_of_birth", "dob", "contact", "phone", "email", "address", "notes", "password",
    "token", "cnp", "document_number", "passport",
})

_PATTERNS = [
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),  # e-mail
    re.compile(r"(?<!\d)[1-8]\d{12}(?!\d)"),  # Romanian CNP
    re.compile(r"\+?\d[\d\s().-]{7,}\d"),  # phone numbers
    re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b"),  # ISO dates (dates of birth)
    re.compile(r"\bpnt_[0-9a-f]{8}_[A-Za-z0-9_-]+"),  # API tokens
    re.compile(r"(?i)bearer\s+\S+"),
]


def scrub(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def _scrub_value(key: str | None, value):
    if key is not None and key.lower() in PERSONAL_KEYS:
        return MASK
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub_value(None, v) for v in value)
    return value


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(str(record.msg))
        if isinstance(record.args, dict):
            record.args = {k: _scrub_value(str(k), v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_scrub_value(None, a) for a in record.args)
        for key in list(vars(record)):
            if key.lower() in PERSONAL_KEYS:
                setattr(record, key, MASK)
        if record.exc_info and record.exc_info[1] is not None:
            # Exception messages often quote the offending value; keep the type and the stack.
            exc = record.exc_info[1]
            record.exc_text = None
            record.msg = f"{record.msg} ({type(exc).__name__}: {scrub(str(exc))})"
            record.exc_info = (record.exc_info[0], None, record.exc_info[2])
        record.request_id = context.current().request_id
        return True
