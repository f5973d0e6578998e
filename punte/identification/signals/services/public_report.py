"""The anonymous public report: who receives it, receiving it, and the rate limit per client.

The rate limit is counted in the database (so every worker process shares it), keyed by an HMAC
of the client's IP address under the server's secret: the address itself is never stored, and
the counters are erased after a day (retention.py).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from punte.accounts.models import Organisation, OrganisationType
from punte.core import audit, rls
from punte.core.errors import ServiceError
from punte.core.middleware import client_ip
from punte.core.models import County
from punte.identification.signals.models import (
    PublicReportAttempt,
    Signal,
    SignalChannel,
    SignalPerson,
    SignalStatus,
)
from punte.identification.signals.services.signal import (
    MAX_CONTACT,
    MAX_DESCRIPTION,
    MAX_LOCALITY,
    MAX_PERSON_DESCRIPTION,
    _county,
    _forms,
    _observed_on,
    _start,
    _text,
)

_SALT = "punte.public_report"


@dataclass(frozen=True)
class PublicReportInput:
    description: str
    county: str | None = None
    locality: str | None = None
    observed_on: datetime.date | None = None
    exploitation_forms: list[str] = field(default_factory=list)
    people_description: str | None = None
    contact: str | None = None
    language: str = ""


def client_hash(request) -> str:
    """The rate limit's key for a client: a keyed hash of its IP address (never the address)."""
    address = client_ip(request) or "unknown"
    return salted_hmac(f"{_SALT}.client", address, algorithm="sha256").hexdigest()


def _windows(now: datetime.datetime) -> list[tuple[int, int, datetime.datetime]]:
    """(seconds, limit, start) of each configured window containing `now`."""
    epoch = int(now.timestamp())
    limits = getattr(settings, "PUNTE_PUBLIC_REPORT_LIMITS", [(3600, 5), (86400, 20)])
    return [
        (seconds, limit, datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC))
        for seconds, limit in limits
    ]


def retry_after(client: str) -> int | None:
    """Seconds until the client may send again, or None if it may send now."""
    now = timezone.now()
    waits = []
    for seconds, limit, start in _windows(now):
        row = PublicReportAttempt.objects.filter(
            client_hash=client, window_seconds=seconds, window_start=start
        ).first()
        if row is not None and row.count >= limit:
            waits.append(
                math.ceil((start + datetime.timedelta(seconds=seconds) - now).total_seconds())
            )
    return max(waits) if waits else None


def count_attempt(client: str) -> None:
    """Count one report (sent, or refused as a bot's) against every window."""
    now = timezone.now()
    for seconds, _limit, start in _windows(now):
        key = {"client_hash": client, "window_seconds": seconds, "window_start": start}
        with transaction.atomic():
            updated = PublicReportAttempt.objects.filter(**key).update(count=F("count") + 1)
            if updated:
                continue
            try:
                with transaction.atomic():
                    PublicReportAttempt.objects.create(**key, count=1)
            except IntegrityError:  # a concurrent first attempt made the row
                PublicReportAttempt.objects.filter(**key).update(count=F("count") + 1)


def public_report_organisation(county: County | None) -> Organisation:
    """Who triages a public report: the national agency's regional centre for the county, or the
    agency itself when the county is unknown or has no centre."""
    agencies = Organisation.objects.filter(type=OrganisationType.NATIONAL_AGENCY, is_active=True)
    if county is not None:
        centre = (
            Organisation.objects.filter(
                type=OrganisationType.REGIONAL_CENTRE,
                county=county,
                is_active=True,
                parent__in=agencies,
            )
            .order_by("code")
            .first()
        )
        if centre is not None:
            return centre
    agency = agencies.order_by("code").first()
    if agency is None:
        # A deployment without its national agency cannot take reports: refuse, never lose one.
        raise ServiceError(None, _("Reports cannot be received right now."), status=503)
    return agency


@rls.as_system("an anonymous report from the public is written for the national agency")
@transaction.atomic
def public_report_submit(*, data: PublicReportInput) -> Signal:
    """An anonymous report from the public: a signal the national agency triages.

    Nothing about the reporter is required or kept but what they chose to give (an optional
    contact, encrypted) and the language of the form. The caller (the public form's view) makes
    sure the audit event carries no IP address.
    """
    description = _text(data.description, name="description", limit=MAX_DESCRIPTION, required=True)
    county = _county(data.county)
    locality = _text(data.locality, name="locality", limit=MAX_LOCALITY)
    observed_on = _observed_on(data.observed_on)
    forms = _forms(data.exploitation_forms)
    people = _text(data.people_description, name="people_description", limit=MAX_PERSON_DESCRIPTION)
    contact = _text(data.contact, name="contact", limit=MAX_CONTACT)
    responsible = public_report_organisation(county)
    now = timezone.now()
    signal = Signal.objects.create(
        channel=SignalChannel.PUBLIC_REPORT,
        status=SignalStatus.NEW,
        status_changed_at=now,
        responsible_organisation=responsible,
        description=description,
        county=county,
        locality=locality,
        observed_on=observed_on,
        exploitation_forms=forms,
        reporter_contact=contact,
        reporter_language=(data.language or "")[:8],
    )
    if people:
        SignalPerson.objects.create(signal=signal, description=people, position=0)
    _start(signal, actor_user=None, organisation=None)
    audit.record(
        action="signal.reported_publicly",
        organisation=responsible,
        subject=signal,
        changes={
            "county": signal.county_id,
            "exploitation_forms": forms,
            "contact_given": contact is not None,
            "description": audit.REDACTED,
        },
    )
    return signal
