"""The referrals' gauges for Prometheus (punte.core.observability.metrics), computed at scrape
time: one grouped count on the (due_at, id) index of open referrals."""

from django.db.models import Count
from django.utils import timezone

from punte.core.observability.metrics import ScrapeGauge
from punte.referrals.models import OPEN_STATUSES, Referral


def overdue_by_step() -> dict[tuple[str, ...], float]:
    counts = {(str(status),): 0.0 for status in OPEN_STATUSES}
    rows = (
        Referral.objects.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[(row["status"],)] = float(row["n"])
    return counts


METRICS = [
    ScrapeGauge(
        name="punte_referrals_overdue",
        documentation="Open referrals past the deadline of their current step (sent: to be "
        "answered; accepted: to be completed), in the whole country.",
        labels=("step",),
        compute=overdue_by_step,
    )
]
