"""A user's sessions: ended together, from their own page or by whatever takes their access.

An administrator's "sign this person out", with its reason, is recovery.user_sessions_end_for_admin.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction

from punte.accounts.models import User, UserSession
from punte.core import audit


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete the user's sessions (but `keep`) without an audit event: the caller writes its own."""
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep or "")
        .values_list("session_key", flat=True)
    )
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_sessions_end_all(*, actor: User, user: User, keep: str | None = None) -> int:
    """Log a user out everywhere (but, if given, the session they are using to ask)."""
    ended = end_sessions(user, keep=keep)
    audit.record(
        action="user.sessions_ended", actor=actor, subject=user, changes={"sessions": ended}
    )
    return ended
