"""E-mail for notifications, sent by the task worker after the act that caused them committed.

The mail holds the notification's text (which by contract names no person) and a link to the
item: the reader signs in, with their second factor, to see anything more.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

logger = logging.getLogger("punte.notifications")


def _absolute(url: str) -> str:
    if not url:
        return settings.PUNTE_BASE_URL.rstrip("/") + "/notifications/"
    return settings.PUNTE_BASE_URL.rstrip("/") + url


@task()
def send_notification_emails(notification_ids: list[str]) -> dict:
    from punte.notifications.models import Notification

    sent = failed = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient__user")
    for notification in pending:
        user = notification.recipient.user
        if not user.email or not user.is_active or not notification.recipient.is_active:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = gettext("Punte: %(text)s") % {"text": notification.text}
            body = gettext(
                "%(text)s\n\nOpen it in Punte (sign-in required):\n%(url)s\n\n"
                "This message deliberately contains no personal data."
            ) % {"text": notification.text, "url": _absolute(notification.url)}
        try:
            send_mail(subject[:200], body, None, [user.email])
        except OSError:
            # The in-app notification stays; the next run of this task may retry it.
            logger.warning("could not e-mail notification %s", notification.pk)
            failed += 1
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return {"sent": sent, "failed": failed}
