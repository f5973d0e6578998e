"""Retention of account records (see punte.core.retention)."""

from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef

from punte.core.retention import ERASE, Period, RetentionRule


def _session_ended(now):
    """The Django session is gone (logged out, ended by an administrator) or has expired."""
    live = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
    return ~Exists(live)


RULES = [
    RetentionRule(
        name="accounts.user_session.erase_ended",
        record_type="accounts.UserSession",
        age_field="last_seen_at",
        period=Period("PUNTE_RETENTION_ENDED_SESSION_DAYS"),
        action=ERASE,
        condition=_session_ended,
        # The primary key is the session key, a secret: show and audit the user instead.
        shown_id="user_id",
        legal_basis=(
            "A staff member's IP address and browser are kept to show them where they are signed "
            "in; once the session has ended that purpose is gone (logins stay in the audit trail)."
        ),
    ),
]
