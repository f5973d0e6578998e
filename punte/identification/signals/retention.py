"""Retention of signals' records (see punte.core.retention)."""

from punte.core.retention import ERASE, Period, RetentionRule

RULES = [
    RetentionRule(
        name="identification.public_report_attempt.erase",
        record_type="identification.PublicReportAttempt",
        age_field="window_start",
        # Longer than the longest rate-limit window (a day), or the limit would forget too soon.
        period=Period("PUNTE_RETENTION_PUBLIC_REPORT_COUNTER_HOURS", unit="hours"),
        action=ERASE,
        legal_basis=(
            "Rate-limit counters of the public report form hold a keyed hash of the sender's IP "
            "address, needed only while the limit's window runs."
        ),
    ),
]
