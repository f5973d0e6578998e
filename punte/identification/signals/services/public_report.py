"""The anonymous public report: who receives it, receiving it, and the rate limit per client.

The rate limit is counted in the database (so every worker process shares it), keyed by an HMAC
of the client's IP address under the server's secret: the address itself is never stored, and
the counters are erased two days after their window opened (retention.py). A short window (the
burst) and longer ones keep one sender from flooding, while a school or an office behind one
address can still send many; the national count raises an alarm when the country's reports
surge, which no per-address limit can see (ADR 0021).
"""

from __future__ import annotations

import datetime
import logging
import math
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.accounts.models import Organisation, OrganisationType
from punte.core import audit, rls
from punte.core.errors import ServiceError
from punte.core.middleware import client_ip
from punte.core.models import County
from punte.identification.signals.models import (
    PublicReportAttempt,
    PublicReportFormUse,
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
from punte.notifications.services import notify

_SALT = "punte.public_report"
logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class _Window:
    seconds: int
    limit: int
    start: datetime.datetime

    def seconds_left(self, now: datetime.datetime) -> int:
        end = self.start + datetime.timedelta(seconds=self.seconds)
        return max(1, math.ceil((end - now).total_seconds()))


def _windows(now: datetime.datetime, limits) -> list[_Window]:
    """Each configured (seconds, limit) window containing `now`, aligned on the epoch."""
    epoch = int(now.timestamp())
    return [
        _Window(seconds, limit, datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC))
        for seconds, limit in limits
    ]


def _client_windows(now: datetime.datetime) -> list[_Window]:
    return _windows(now, settings.PUNTE_PUBLIC_REPORT_LIMITS)


class RateLimited(Exception):
    """The client has used up a window; nothing of this attempt was counted or kept."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _count(client: str, window: _Window, *, below: int | None) -> int | None:
    """Add one to the client's counter for the window in a single statement, and return the new
    count; with `below`, only while the count is below it (None when it is not).

    One INSERT ... ON CONFLICT DO UPDATE: the check and the count cannot be separated by another
    request, since the statement locks the row it updates until the transaction ends (a row
    lock on PostgreSQL, the database lock on SQLite)."""
    # Only the model's own table name and fixed text are formatted in; every value is a parameter.
    table = connection.ops.quote_name(PublicReportAttempt._meta.db_table)
    condition = f" WHERE {table}.count < %s" if below is not None else ""
    sql = (
        f"INSERT INTO {table} (client_hash, window_seconds, window_start, count) "  # noqa: S608
        "VALUES (%s, %s, %s, 1) "
        "ON CONFLICT (client_hash, window_seconds, window_start) "
        f"DO UPDATE SET count = {table}.count + 1{condition} RETURNING count"
    )
    params = [client, window.seconds, window.start]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, below] if below is not None else params)
        row = cursor.fetchone()
    return row[0] if row else None


def retry_after(client: str) -> int | None:
    """Seconds until the client may send again, or None if it may send now (a read, to answer
    early; the authoritative check is the count in `public_report_submit`)."""
    now = timezone.now()
    windows = _client_windows(now)
    counts = {
        (row.window_seconds, row.window_start): row.count
        for row in PublicReportAttempt.objects.filter(
            client_hash=client, window_start__in=[w.start for w in windows]
        )
    }
    waits = [w.seconds_left(now) for w in windows if counts.get((w.seconds, w.start), 0) >= w.limit]
    return max(waits) if waits else None


def count_attempt(client: str) -> None:
    """Count a refusal that looked like a bot's (honeypot, forged or hurried form) against every
    window, so that a bot runs out of attempts as a sender of reports would."""
    now = timezone.now()
    with transaction.atomic():
        for window in _client_windows(now):
            _count(client, window, below=None)


def _take_place(client: str, now: datetime.datetime) -> None:
    """Count this report against each of the client's windows, or raise RateLimited. Called
    inside the report's transaction: a refusal rolls back every window's count with it."""
    waits = [
        window.seconds_left(now)
        for window in _client_windows(now)
        if _count(client, window, below=window.limit) is None
    ]
    if waits:
        raise RateLimited(max(waits))


def _use_form(nonce: str, now: datetime.datetime) -> None:
    try:
        with transaction.atomic():
            PublicReportFormUse.objects.create(nonce=nonce, used_at=now)
    except IntegrityError as exc:
        raise ServiceError(
            None,
            _(
                "This form was already sent, so nothing was sent again. To report something "
                "else, fill in a new form."
            ),
            status=409,
        ) from exc


def _count_nationally(now: datetime.datetime) -> None:
    """After a report is committed: the national count, and the alarm to the national agency's
    administrators when it reaches the threshold of its window (once per window: the single
    statement returns the threshold to exactly one report)."""
    seconds, threshold = settings.PUNTE_PUBLIC_REPORT_ALARM
    [window] = _windows(now, [(seconds, threshold)])
    with transaction.atomic():
        if _count(PublicReportAttempt.NATIONAL, window, below=None) != threshold:
            return
        agencies = Organisation.objects.filter(
            type=OrganisationType.NATIONAL_AGENCY, is_active=True
        )
        notified = []
        for agency in agencies:
            notified += notify(
                kind="signal.public_reports_surge",
                message=gettext_lazy(
                    "Public reports since %(since)s have reached %(count)s, more than "
                    "usual. Check the new signals for a flood of junk or a real event."
                ),
                params={"count": threshold, "since": window.start},
                url=f"{reverse('signals:list')}?status=new",
                organisation=agency,
                permission="user.manage",
            )
        if not notified:
            logger.warning("public report surge: no administrator of the agency to notify")


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
def public_report_submit(*, data: PublicReportInput, client: str, form_nonce: str) -> Signal:
    """An anonymous report from the public: a signal the national agency triages.

    Nothing about the reporter is required or kept but what they chose to give (an optional
    contact, encrypted) and the language of the form. The caller (the public form's view) makes
    sure the audit event carries no IP address.

    In one transaction: the form is marked used (a replay is refused, 409), the report is counted
    against the client's limits (RateLimited when one is used up), and the signal is written; a
    refusal at any step keeps none of them.
    """
    now = timezone.now()
    _use_form(form_nonce, now)
    _take_place(client, now)
    signal = public_report_record(data=data)
    transaction.on_commit(lambda: _count_nationally(now), robust=True)
    return signal


@rls.as_system("an anonymous report from the public is written for the national agency")
@transaction.atomic
def public_report_record(*, data: PublicReportInput) -> Signal:
    """Write a public report as a signal, with its person description, first history step and
    audit event: for the public form's `public_report_submit`, which limits it first, and for
    reports taken in by other means (the demonstration data)."""
    now = timezone.now()
    description = _text(data.description, name="description", limit=MAX_DESCRIPTION, required=True)
    county = _county(data.county)
    locality = _text(data.locality, name="locality", limit=MAX_LOCALITY)
    observed_on = _observed_on(data.observed_on)
    forms = _forms(data.exploitation_forms)
    people = _text(data.people_description, name="people_description", limit=MAX_PERSON_DESCRIPTION)
    contact = _text(data.contact, name="contact", limit=MAX_CONTACT)
    responsible = public_report_organisation(county)
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
