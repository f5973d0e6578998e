"""/metrics: Prometheus's text, only to the monitoring network or the token's bearer (404 to
anyone else); requests counted by view and status, never by path; the database's gauges
computed at scrape time; several gunicorn workers summed (multiprocess mode)."""

import os
import runpy
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.urls import resolve
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from punte.core import audit
from punte.core.observability.metrics import UNRESOLVED

pytestmark = pytest.mark.django_db
TOKEN = "m" * 40


def samples(content: bytes) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(content.decode())
        for sample in family.samples
    }


def test_nobody_reads_metrics_by_default(client):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert b"punte_" not in response.content


def test_the_monitoring_network_reads_metrics(client, settings):
    settings.PUNTE_METRICS_ALLOWED_NETWORKS = ["10.20.0.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.0.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.20.1.7").status_code == 404


def test_a_forged_forwarded_address_does_not_reach_metrics(client, settings):
    # Behind one proxy the client is the address the proxy appended, not what the client wrote.
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.PUNTE_METRICS_ALLOWED_NETWORKS = ["10.20.0.0/24"]
    forged = client.get(
        "/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.20.0.7, 203.0.113.5"
    )
    assert forged.status_code == 404
    through_proxy = client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.20.0.7")
    assert through_proxy.status_code == 200


def test_the_token_reads_metrics_and_no_other(client, settings):
    settings.PUNTE_METRICS_TOKEN = TOKEN
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]


def _count(view: str, method: str, status: str) -> float:
    labels = {"view": view, "method": method, "status": status}
    return REGISTRY.get_sample_value("punte_http_requests_total", labels) or 0.0


def test_requests_are_counted_by_view_and_status_never_by_path(client, settings):
    settings.PUNTE_METRICS_TOKEN = TOKEN
    person_id = uuid.uuid4()
    path = f"/api/v1/persons/{person_id}"
    view = resolve(path).view_name
    before = _count(view, "GET", "401")
    unresolved_before = _count(UNRESOLVED, "GET", "404")
    assert client.get(path).status_code == 401
    assert client.get(f"/api/v1/no-such-thing/{person_id}").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    found = samples(response.content)
    assert _count(view, "GET", "401") == before + 1
    assert _count(UNRESOLVED, "GET", "404") == unresolved_before + 1
    key = (("method", "GET"), ("view", view))
    assert found[("punte_http_request_duration_seconds_count", key)] >= 1
    assert str(person_id) not in response.content.decode()


def test_database_gauges_are_computed_at_scrape_time(client, settings):
    from punte.core.tests.test_readiness import _task

    settings.PUNTE_METRICS_TOKEN = TOKEN
    import datetime

    _task(waited=datetime.timedelta(seconds=90))

    def scrape():
        return samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content)

    first = scrape()
    audit.record(action="test.metrics", subject_type="test", subject_id="1")
    second = scrape()
    assert second[("punte_metrics_database_up", ())] == 1
    assert second[("punte_tasks_ready", (("queue", "default"),))] == 1
    assert second[("punte_tasks_oldest_ready_age_seconds", (("queue", "default"),))] >= 90
    assert second[("punte_audit_events_total", ())] == first[("punte_audit_events_total", ())] + 1


def test_workers_are_summed_in_multiprocess_mode(tmp_path):
    """Two processes count requests into one directory; a third scrapes the sum. Its database
    is unreachable: the scrape still answers, saying so."""
    count = (
        "import django; django.setup();"
        "from punte.core.observability.metrics import REQUESTS;"
        "REQUESTS.labels('identification:person_detail', 'GET', '200').inc()"
    )
    scrape = (
        "import django, sys; django.setup();"
        "from punte.core.observability.metrics import exposition;"
        "sys.stdout.write(exposition().decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "punte.settings.test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/punte_unreachable",
    }

    def run(code):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(count)
    run(count)
    found = samples(run(scrape).encode())
    labels = (("method", "GET"), ("status", "200"), ("view", "identification:person_detail"))
    assert found[("punte_http_requests_total", labels)] == 2
    assert found[("punte_metrics_database_up", ())] == 0


def test_gunicorn_clears_old_counts_at_start_and_marks_dead_workers(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    hooks = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    (tmp_path / "counter_123.db").write_bytes(b"old")
    (tmp_path / "gauge_livesum_456.db").write_bytes(b"old")
    server = type("Arbiter", (), {"cfg": type("Config", (), {"bind": ["127.0.0.1:8000"]})()})()
    hooks["on_starting"](server)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "gauge_livesum_456.db").write_bytes(b"")
    hooks["child_exit"](None, type("Worker", (), {"pid": 456})())
    assert not (tmp_path / "gauge_livesum_456.db").exists()
