"""Date and time formats per interface language (FORMAT_MODULE_PATH, ADR 0034).

Each language has one form for a date and one for a moment, used on every page, notification
and e-mail; the SHORT_ names are the same so that no page can show a second form. What is not
set here (input formats, month names) comes from Django's own locale files.
"""
