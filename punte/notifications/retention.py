"""Retention of notifications (see punte.core.retention)."""

from punte.core.retention import ERASE, Period, RetentionRule

RULES = [
    RetentionRule(
        name="notifications.notification.erase",
        record_type="notifications.Notification",
        age_field="created_at",
        period=Period("PUNTE_RETENTION_NOTIFICATION_DAYS"),
        action=ERASE,
        legal_basis=(
            "A notice that something happened, not a record of it: the referral, signal or "
            "decision it points to, and the audit trail, keep what happened. Read or not, it "
            "has done its work long before this period ends."
        ),
    ),
]
