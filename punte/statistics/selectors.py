"""The national agency's dashboard: aggregate figures only, read across every organisation.

Only holders of `dashboard.national` read it (others: 404). No figure names or describes a
person; overdue referrals are listed by reference, type of receiving organisation, county and
deadline, with a link that opens only for those who may open the referral. What may leave the
agency is protected by punte.statistics.disclosure.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punte.accounts.models import Membership, OrganisationType
from punte.core.models import County
from punte.identification.screening.models import (
    AgeGroup,
    AnonymousNotification,
    DecisionOutcome,
    IdentificationDecision,
    ReflectionPeriod,
    ReflectionStatus,
)
from punte.identification.signals.models import ExploitationForm, Signal, SignalChannel
from punte.statistics.disclosure import Table

PERMISSION = "dashboard.national"
# Reflection periods ending within this many days are counted apart.
ENDING_SOON_DAYS = 14
# How many overdue referrals the dashboard lists (the count covers them all).
OVERDUE_LISTED = 20

NOT_RECORDED = "not_recorded"
MONTH, YEAR = "month", "year"


@dataclass(frozen=True)
class Periods:
    today: datetime.date
    month_start: datetime.date
    year_start: datetime.date

    @classmethod
    def around(cls, today: datetime.date) -> Periods:
        return cls(today, today.replace(day=1), today.replace(month=1, day=1))

    def start_of(self, period: str) -> datetime.datetime:
        day = self.month_start if period == MONTH else self.year_start
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class OverdueItem:
    reference: str
    receiver_type: str
    county: str
    due_at: datetime.datetime
    url: str | None


@dataclass
class Dashboard:
    periods: Periods
    tables: list[Table] = field(default_factory=list)
    # Headline counts: key -> (label, count).
    figures: dict[str, tuple[str, int]] = field(default_factory=dict)
    overdue_count: int | None = None
    overdue: list[OverdueItem] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


_PERIOD_COLUMNS = [(MONTH, _("This month")), (YEAR, _("This year"))]


def _signals(periods: Periods) -> list[Table]:
    rows = Signal.objects.filter(archived_at__isnull=True, created_at__gte=periods.start_of(YEAR))
    month_start = periods.start_of(MONTH)
    by_channel = Table(
        key="signals_by_channel",
        title=_("Signals by channel"),
        rows=list(SignalChannel.choices),
        columns=_PERIOD_COLUMNS,
    )
    by_county = Table(
        key="signals_by_county",
        title=_("Signals by county"),
        rows=[],
        columns=_PERIOD_COLUMNS,
    )
    counties: Counter = Counter()
    for channel, county_id, created_at in rows.values_list("channel", "county_id", "created_at"):
        county_key = county_id or NOT_RECORDED
        periods_in = [YEAR, MONTH] if created_at >= month_start else [YEAR]
        for period in periods_in:
            by_channel.cells[(channel, period)] = by_channel.cells.get((channel, period), 0) + 1
            by_county.cells[(county_key, period)] = by_county.cells.get((county_key, period), 0) + 1
        counties[county_key] += 1
    names = dict(County.objects.filter(code__in=counties).values_list("code", "name"))
    by_county.rows = sorted(
        ((code, names.get(code, _("County not recorded"))) for code in counties),
        key=lambda row: (row[0] == NOT_RECORDED, str(row[1])),
    )
    by_channel.total = by_county.total = sum(counties.values())
    return [by_channel, by_county]


def _latest_decisions(since: datetime.date, until: datetime.date) -> dict:
    """Each person's last decision dated in the period: a person counts once, as last decided."""
    latest: dict = {}
    decisions = IdentificationDecision.objects.filter(
        archived_at__isnull=True, decided_on__gte=since, decided_on__lte=until
    ).order_by("decided_on", "created_at")
    for person_id, outcome, forms in decisions.values_list(
        "person_id", "outcome", "exploitation_forms"
    ):
        latest[person_id] = (outcome, forms or [])
    return latest


def _decisions(periods: Periods, dashboard: Dashboard) -> None:
    for period, title, since in [
        (
            MONTH,
            _("Decisions this month: persons by outcome and form of exploitation"),
            periods.month_start,
        ),
        (
            YEAR,
            _("Decisions this year: persons by outcome and form of exploitation"),
            periods.year_start,
        ),
    ]:
        table = Table(
            key=f"decisions_{period}",
            title=title,
            rows=[*ExploitationForm.choices, (NOT_RECORDED, _("Form not recorded"))],
            columns=list(DecisionOutcome.choices),
        )
        latest = _latest_decisions(since, periods.today)
        for outcome, forms in latest.values():
            for form in forms or [NOT_RECORDED]:
                table.cells[(form, outcome)] = table.cells.get((form, outcome), 0) + 1
        table.total = len(latest)
        dashboard.tables.append(table)
        if period == YEAR:
            outcomes = Counter(outcome for outcome, _forms in latest.values())
            dashboard.figures["presumed_victims_year"] = (
                _("Persons decided presumed victims this year"),
                outcomes[DecisionOutcome.PRESUMED_VICTIM],
            )
            dashboard.figures["identified_victims_year"] = (
                _("Persons formally identified as victims this year"),
                outcomes[DecisionOutcome.IDENTIFIED_VICTIM],
            )


def _notifications(periods: Periods) -> Table:
    table = Table(
        key="anonymous_notifications",
        title=_("Anonymous notifications (presumed victims counted without consent)"),
        rows=list(AgeGroup.choices),
        columns=_PERIOD_COLUMNS,
    )
    rows = AnonymousNotification.objects.filter(
        archived_at__isnull=True, notified_on__gte=periods.year_start
    ).values_list("age_group", "notified_on")
    for age_group, notified_on in rows:
        for period in [YEAR, MONTH] if notified_on >= periods.month_start else [YEAR]:
            table.cells[(age_group, period)] = table.cells.get((age_group, period), 0) + 1
        table.total += 1
    return table


def _reflection(periods: Periods) -> dict[str, tuple[str, int]]:
    running = ReflectionPeriod.objects.filter(
        archived_at__isnull=True, status=ReflectionStatus.ACTIVE, ends_on__gte=periods.today
    )
    soon = periods.today + datetime.timedelta(days=ENDING_SOON_DAYS)
    return {
        "reflection_running": (_("Recovery and reflection periods running"), running.count()),
        "reflection_ending_soon": (
            ngettext(
                "of which ending within %(days)s day",
                "of which ending within %(days)s days",
                ENDING_SOON_DAYS,
            )
            % {"days": ENDING_SOON_DAYS},
            running.filter(ends_on__lte=soon).count(),
        ),
    }


def _referrals(actor: Membership, dashboard: Dashboard) -> None:
    """Referral figures, once the referrals app is installed."""
    if not apps.is_installed("punte.referrals"):
        return
    from django.urls import reverse

    from punte.referrals.models import Referral, ReferralStatus
    from punte.referrals.selectors import referrals_overdue

    counts = (
        Referral.objects.filter(archived_at__isnull=True)
        .values_list("receiver_organisation__type", "status")
        .annotate(n=Count("id"))
    )
    table = Table(
        key="referrals_by_state",
        title=_("Referrals by state and type of receiving organisation"),
        rows=[],
        columns=list(ReferralStatus.choices),
    )
    types = dict(OrganisationType.choices)
    seen = set()
    for org_type, status, n in counts:
        table.cells[(org_type, status)] = n
        table.total += n
        seen.add(org_type)
    table.rows = sorted(((t, types.get(t, t)) for t in seen), key=lambda row: str(row[1]))
    dashboard.tables.insert(0, table)

    # The national list of overdue referrals is the referrals app's, for `referral.monitor`;
    # without it referrals_overdue() would narrow to the actor's own incoming ones, which are
    # not national figures, so the panel is left out.
    if not actor.has_perm("referral.monitor"):
        return
    overdue = referrals_overdue(actor=actor).order_by("due_at", "id")
    dashboard.overdue_count = overdue.count()
    for referral in overdue.select_related("receiver_organisation", "county")[:OVERDUE_LISTED]:
        dashboard.overdue.append(
            OverdueItem(
                reference=str(referral.pk)[:8].upper(),
                receiver_type=referral.receiver_organisation.get_type_display(),
                county=referral.county.name,
                due_at=referral.due_at,
                url=reverse("referrals:detail", args=[referral.pk]),
            )
        )


def national_dashboard(*, actor: Membership | None) -> Dashboard:
    if actor is None or not actor.has_perm(PERMISSION):
        raise Http404
    periods = Periods.around(timezone.localdate())
    dashboard = Dashboard(periods=periods)
    dashboard.tables.extend(_signals(periods))
    _decisions(periods, dashboard)
    notifications = _notifications(periods)
    dashboard.tables.append(notifications)
    dashboard.figures["anonymous_notifications_year"] = (
        _("Anonymous notifications this year"),
        notifications.total,
    )
    dashboard.figures.update(_reflection(periods))
    _referrals(actor, dashboard)
    return dashboard
