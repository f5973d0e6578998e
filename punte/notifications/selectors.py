"""Reads of notifications: a membership sees its own and nothing else (another's is 404)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from punte.accounts.models import Membership
from punte.core.errors import uuid_or_404
from punte.notifications.models import Notification


def notification_list_for(*, actor: Membership, unread_only: bool = False) -> QuerySet:
    notifications = Notification.objects.filter(recipient=actor)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def notification_get(*, actor: Membership, notification_id: uuid.UUID | str) -> Notification:
    pk = uuid_or_404(notification_id)
    notification = Notification.objects.filter(pk=pk, recipient=actor).first()
    if notification is None:
        raise Http404
    return notification


def notification_unread_count(*, actor: Membership | None) -> int:
    if actor is None:
        return 0
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()
