"""Metrics for Prometheus (prometheus-client).

Two kinds:
- per request, counted in the process that served it (`MetricsMiddleware`): requests by view
  and status, and latency. The view is the URL pattern's name (`persons:detail`,
  `api-1.0.0:person_get`) or, for an unnamed pattern, its route with converters
  (`api/v1/persons/<uuid:person_id>`): never the path, which carries ids.
- computed at scrape time from the database with a few aggregate queries
  (`DatabaseCollector`): the task queue (depth and age of the oldest ready task, running
  tasks), the periodic jobs (lateness, failing), the audit trail's appends (the chain heads'
  sequence numbers: 16 rows, exact, and nothing added to the write path) and each app's own
  gauges (its `metrics.py`, `METRICS`: e.g. overdue referrals).

Several gunicorn workers: with PROMETHEUS_MULTIPROC_DIR set (a directory emptied before
gunicorn starts; `gunicorn.conf.py` does it and marks dead workers), the per-request metrics
are written to files there and summed over the workers at scrape time (prometheus-client's
multiprocess mode); without it they are the serving worker's only.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import DatabaseError
from django.db.models import Sum
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from punte.core import contract
from punte.core.models import AuditChainHead
from punte.core.observability import queue

REQUESTS = Counter(
    "punte_http_requests",
    "HTTP requests answered, by view (URL pattern name or route, never the path) and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "punte_http_request_duration_seconds",
    "Time from the request entering Punte's middleware to the response leaving it.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
UNRESOLVED = "<unresolved>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNRESOLVED
    return match.view_name if match.url_name else match.route


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        # A client may send any method; only the known ones get a series of their own.
        method = request.method if request.method in _METHODS else "OTHER"
        LATENCY.labels(view, method).observe(time.perf_counter() - started)
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response


@dataclass(frozen=True)
class ScrapeGauge:
    """A gauge an app computes when Prometheus scrapes (`metrics.py`, `METRICS`): `compute()`
    returns {label values: value}, {(): value} for a gauge without labels. One cheap aggregate
    query: it runs on every scrape."""

    name: str
    documentation: str
    labels: tuple[str, ...]
    compute: Callable[[], dict[tuple[str, ...], float]]


class DatabaseCollector(Collector):
    def collect(self) -> Iterable:
        up = GaugeMetricFamily(
            "punte_metrics_database_up", "Whether the scrape's database queries succeeded."
        )
        try:
            families = list(self._families())
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterable:
        depth = GaugeMetricFamily(
            "punte_tasks_ready", "Tasks ready to run, waiting for a worker.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "punte_tasks_oldest_ready_age_seconds",
            "How long the oldest task ready to run has waited.",
            labels=["queue"],
        )
        for state in queue.ready_tasks():
            depth.add_metric([state.queue], state.ready)
            age.add_metric([state.queue], state.oldest_ready_seconds)
        yield depth
        yield age
        yield GaugeMetricFamily(
            "punte_tasks_running", "Tasks a worker is running.", value=queue.tasks_running()
        )
        late = GaugeMetricFamily(
            "punte_periodic_job_late_seconds",
            "How long past its next run a periodic job is (0 when not yet due).",
            labels=["job"],
        )
        failing = GaugeMetricFamily(
            "punte_periodic_job_failing", "1 when a periodic job's last run failed.", labels=["job"]
        )
        for job in queue.periodic_jobs():
            late.add_metric([job.name], job.late_seconds)
            failing.add_metric([job.name], 1 if job.failing else 0)
        yield late
        yield failing
        appended = AuditChainHead.objects.aggregate(total=Sum("last_seq"))["total"] or 0
        yield CounterMetricFamily(
            "punte_audit_events",
            "Audit events appended to the hash chains (committed), since the database began.",
            value=appended,
        )
        for gauge in contract.collect("metrics", "METRICS"):
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels))
            for labels, value in gauge.compute().items():
                family.add_metric(list(labels), value)
            yield family


def exposition() -> bytes:
    """The text Prometheus scrapes: the request metrics of this process, or of every worker in
    multiprocess mode, then the database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        served = generate_latest(registry)
    else:
        served = generate_latest(REGISTRY)
    scraped = CollectorRegistry()
    scraped.register(DatabaseCollector())
    return served + generate_latest(scraped)
