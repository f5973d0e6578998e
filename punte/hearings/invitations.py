"""Calendar invitations for a hearing's participants (RFC 5545 through `icalendar`).

Each participant gets an e-mail in their language with an `.ics` attachment: METHOD:REQUEST for
a booking or a change (the same UID, a higher SEQUENCE, so the calendar replaces the event),
METHOD:CANCEL for a cancellation or for someone taken off the hearing. The invitation names the
room, its address, the time, the purpose and the participants (staff), and links to the hearing
in Punte; it never holds anything about the child: no name, no case reference, no notes.
Mail goes after the booking commits, from the task worker; a refused mail does not undo it.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django_tasks import task
from icalendar import Calendar, Event, vCalAddress, vText

logger = logging.getLogger("punte.hearings")

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _uid(hearing) -> str:
    host = urlsplit(settings.PUNTE_BASE_URL).hostname or "punte.invalid"
    return f"hearing-{hearing.pk}@{host}"


def _link(hearing) -> str:
    return f"{settings.PUNTE_BASE_URL.rstrip('/')}/hearings/{hearing.pk}/"


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def calendar_for(hearing, method: str, now: datetime.datetime | None = None) -> bytes:
    """The iCalendar object for this hearing as it now stands (in the active language)."""
    cal = Calendar()
    cal.add("prodid", "-//Punte//Hearing rooms//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", _uid(hearing))
    event.add("sequence", hearing.sequence)
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", hearing.starts_at.astimezone(datetime.UTC))
    event.add("dtend", hearing.ends_at.astimezone(datetime.UTC))
    event.add(
        "summary",
        gettext("Hearing in a child-friendly room: %(purpose)s")
        % {"purpose": hearing.get_purpose_display()},
    )
    room = hearing.room
    event.add("location", f"{room.name}, {room.address}")
    event.add(
        "description",
        gettext(
            "Details, the other participants and any change are in Punte (sign-in required): "
            "%(url)s\nThis invitation deliberately holds nothing about the child."
        )
        % {"url": _link(hearing)},
    )
    event.add("url", _link(hearing))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("organizer", _address(settings.DEFAULT_FROM_EMAIL, hearing.organisation.name))
    for participant in hearing.participants.all():
        user = participant.user
        if not user.email:
            continue
        attendee = _address(user.email, user.get_full_name() or user.username)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()


def send_after_commit(hearing, membership_ids, method: str) -> None:
    ids = [str(pk) for pk in membership_ids]
    if not ids:
        return
    hearing_id = str(hearing.pk)
    transaction.on_commit(
        lambda: send_invitations.enqueue(hearing_id=hearing_id, membership_ids=ids, method=method),
        robust=True,
    )


@task()
def send_invitations(hearing_id: str, membership_ids: list[str], method: str) -> dict:
    from punte.accounts.models import Membership
    from punte.hearings.models import Hearing

    hearing = (
        Hearing.objects.select_related("room", "organisation")
        .prefetch_related("participants__user")
        .filter(pk=uuid.UUID(hearing_id))
        .first()
    )
    if hearing is None:
        return {"sent": 0, "failed": 0}
    sent = failed = 0
    members = Membership.objects.filter(pk__in=membership_ids).select_related("user")
    for member in members:
        user = member.user
        if not user.email or not user.is_active:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            when = date_format(timezone.localtime(hearing.starts_at), "SHORT_DATETIME_FORMAT")
            if method == CANCEL:
                subject = gettext("Punte: hearing cancelled, %(when)s") % {"when": when}
            elif hearing.sequence:
                subject = gettext("Punte: hearing changed, %(when)s") % {"when": when}
            else:
                subject = gettext("Punte: hearing invitation, %(when)s") % {"when": when}
            body = gettext(
                "%(subject)s\nRoom: %(room)s, %(address)s\n\nThe calendar entry is attached. "
                "Open the hearing in Punte (sign-in required):\n%(url)s\n\n"
                "This message deliberately contains no personal data about the child."
            ) % {
                "subject": subject,
                "room": hearing.room.name,
                "address": hearing.room.address,
                "url": _link(hearing),
            }
            ics = calendar_for(hearing, method)
        mail = EmailMessage(subject[:200], body, None, [user.email])
        mail.attach("hearing.ics", ics, f"text/calendar; method={method}; charset=utf-8")
        try:
            mail.send()
        except OSError:
            logger.warning("could not e-mail the invitation to hearing %s", hearing.pk)
            failed += 1
            continue
        sent += 1
    return {"sent": sent, "failed": failed}
