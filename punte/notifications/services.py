"""Writing notifications: `notify()` is called by other apps' services, inside their transaction.

The in-app rows are written in the caller's transaction, so a rolled-back act notifies no one.
E-mail leaves only after that transaction commits, from a background task (tasks.py): a slow or
failing mail server never holds a database lock or undoes the act.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from punte.accounts.models import Membership, Organisation
from punte.notifications.models import PLURAL_KEY, Notification


def _msgid(value: Any) -> str:
    """The untranslated source of a (lazy) translatable string."""
    with translation.override(None):
        return str(value)


def _plural_parts(message: Any) -> tuple[str, str, str] | None:
    """(singular, plural, name of the count parameter) of an `ngettext_lazy(..., "name")`
    message, read where Django keeps them for pickling; None for any other message."""
    reduce = getattr(message, "__reduce__", None)
    parts = reduce() if isinstance(message, Promise) and reduce else None
    if not (isinstance(parts, tuple) and len(parts) == 2 and isinstance(parts[1], tuple)):
        return None
    args = parts[1]
    if len(args) != 4 or not isinstance(args[3], dict) or "plural" not in args[3]:
        return None
    number, kwargs = args[2], args[3]
    if not isinstance(number, str):
        raise ValueError(
            "A plural notification names its count parameter: ngettext_lazy(s, p, 'n')"
        )
    return kwargs["singular"], kwargs["plural"], number


def _stored_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for name, value in (params or {}).items():
        # A lazy string is kept as its msgid and translated for each reader; a moment or a day
        # is kept as ISO 8601 and written in each reader's form (punte/formats).
        if isinstance(value, Promise):
            stored[name] = {"msgid": _msgid(value)}
        elif isinstance(value, datetime.datetime):
            stored[name] = {"datetime": value.isoformat()}
        elif isinstance(value, datetime.date):
            stored[name] = {"date": value.isoformat()}
        elif isinstance(value, int) and not isinstance(value, bool):
            stored[name] = value
        else:
            stored[name] = str(value)
    return stored


def members_holding(*, organisation: Organisation, permission: str) -> list[Membership]:
    """Active members of an organisation whose role holds a permission (read from the tables)."""
    return list(
        Membership.objects.filter(
            organisation=organisation,
            is_active=True,
            user__is_active=True,
            role__grants__permission=permission,
        )
        .select_related("user")
        .distinct()
    )


def notify(
    *,
    kind: str,
    message: str | Promise,
    url: str = "",
    params: Mapping[str, Any] | None = None,
    subject: Any = None,
    recipients: Iterable[Membership] = (),
    organisation: Organisation | None = None,
    permission: str | None = None,
    email: bool = True,
) -> list[Notification]:
    """Notify memberships, in the caller's transaction; e-mail them after it commits.

    Recipients are the `recipients` given plus, if `organisation` and `permission` are given,
    every active member of that organisation whose role holds the permission (the duty the
    notification is about, e.g. `referral.respond`). Each membership is notified once.

    `message` is a translatable string (gettext_lazy) with %(name)s placeholders, `params` its
    values: organisation names, dates and moments (written in each reader's form), counts, lazy
    strings - never a person's name or any other personal data, since the text is also e-mailed.
    A message with a count is `ngettext_lazy(singular, plural, "name")`, `params["name"]` the
    count. `url` is the item's path (ids only).

    Returns the notifications written: an empty list means nobody could be notified, which the
    caller must handle (e.g. escalate), never ignore.
    """
    chosen: dict[Any, Membership] = {m.pk: m for m in recipients}
    if organisation is not None and permission:
        for member in members_holding(organisation=organisation, permission=permission):
            chosen.setdefault(member.pk, member)
    if not chosen:
        return []
    plural = _plural_parts(message)
    stored_params = _stored_params(params)
    if plural is not None:
        stored_message = plural[0]
        stored_params[PLURAL_KEY] = {"msgid_plural": plural[1], "count": plural[2]}
        if not isinstance(stored_params.get(plural[2]), int):
            raise ValueError(f"The count parameter {plural[2]!r} must be an integer.")
    else:
        stored_message = _msgid(message)
    # Fail now, in the caller's transaction, rather than at display: the placeholders must match.
    for source in (stored_message, plural[1] if plural else ""):
        source % {k: 0 if isinstance(v, int) else "" for k, v in stored_params.items()}
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=member,
                kind=kind,
                subject_type=subject._meta.label_lower if subject is not None else "",
                subject_id=str(subject.pk) if subject is not None else "",
                message=stored_message,
                params=stored_params,
                url=url,
            )
            for member in chosen.values()
        ]
    )
    if email:
        from punte.notifications.tasks import send_notification_emails

        ids = [str(row.pk) for row in rows]
        transaction.on_commit(
            lambda: send_notification_emails.enqueue(notification_ids=ids), robust=True
        )
    return rows


@transaction.atomic
def notification_mark_read(*, actor: Membership, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (the selector already checked it is theirs)."""
    locked = Notification.objects.select_for_update().get(pk=notification.pk, recipient=actor)
    if locked.read_at is None:
        locked.read_at = timezone.now()
        locked.save(update_fields=["read_at"])
    return locked


def notifications_mark_all_read(*, actor: Membership) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
