"""In-app notifications: one row per recipient membership, so each reader has their own read mark.

A notification carries no personal data: its text is a message (an English msgid, translated
when shown or mailed, in the reader's language) with parameters that are codes and organisation
names, and a link to the item. Whoever follows the link passes the item's own access checks.
"""

import datetime
import uuid

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

# In `params`, what makes the message plural-aware: {"msgid_plural": ..., "count": "<param>"}.
PLURAL_KEY = "_plural"


def _shown(value):
    """A stored parameter as the active language writes it."""
    if not isinstance(value, dict):
        return value
    if "msgid" in value:
        return gettext(value["msgid"])
    if "datetime" in value:
        moment = datetime.datetime.fromisoformat(value["datetime"])
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    if "date" in value:
        return date_format(datetime.date.fromisoformat(value["date"]), "DATE_FORMAT")
    return value


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="notifications"
    )
    # What happened, as a dotted code ("referral.received"): for filtering and statistics.
    kind = models.CharField(max_length=64)
    # The item the notification is about (no foreign key: any app may notify).
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    # The English msgid, with %(name)s placeholders; translated on display (see `text`).
    message = models.CharField(max_length=500)
    # Values for the placeholders: plain strings and counts, {"msgid": "..."} to translate,
    # {"date": ISO} or {"datetime": ISO} to write in the reader's form; PLURAL_KEY for a count.
    params = models.JSONField(default=dict, blank=True)
    # Path of the item inside Punte (ids only, never names).
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def text(self) -> str:
        """The message in the active language."""
        stored = dict(self.params or {})
        plural = stored.pop(PLURAL_KEY, None)
        params = {name: _shown(value) for name, value in stored.items()}
        if plural:
            count = params.get(plural["count"], 0)
            source = self.message if count == 1 else plural["msgid_plural"]
            message = ngettext(self.message, plural["msgid_plural"], count)
        else:
            source, message = self.message, gettext(self.message)
        try:
            return message % params
        except (KeyError, TypeError, ValueError):
            # A translation with a broken placeholder must not hide the notification.
            return source % params

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
