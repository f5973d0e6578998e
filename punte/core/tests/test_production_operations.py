"""Production's operations settings: JSON logs, the metrics' networks and token, Sentry when a
DSN is set; each malformed value refused at start, naming its variable."""

import json

import pytest

from punte.core.tests.test_production_settings import _full_env, _run

SHOW = (
    "import json, django; django.setup(); from django.conf import settings; import sentry_sdk;"
    "client = sentry_sdk.get_client();"
    "print(json.dumps({"
    "'formatter': settings.LOGGING['handlers']['console']['formatter'],"
    "'networks': settings.PUNTE_METRICS_ALLOWED_NETWORKS,"
    "'token': settings.PUNTE_METRICS_TOKEN,"
    "'sentry': client.is_active(),"
    "'pii': client.options.get('send_default_pii'),"
    "'body': client.options.get('max_request_body_size'),"
    "'locals': client.options.get('include_local_variables')}))"
)


def _show(**env):
    done = _run(SHOW, {**_full_env(), **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_defaults_plain_logs_no_metrics_readers_no_error_reports():
    shown = _show()
    assert shown["formatter"] == "plain"
    assert shown["networks"] == [] and shown["token"] is None
    assert shown["sentry"] is False


def test_json_logs_metrics_readers_and_sentry_when_configured():
    shown = _show(
        PUNTE_LOG_FORMAT="json",
        PUNTE_METRICS_ALLOWED_NETWORKS="10.20.0.0/24, 2001:db8::/64",
        PUNTE_METRICS_TOKEN="t" * 40,
        PUNTE_SENTRY_DSN="https://public@sentry.invalid/1",
    )
    assert shown["formatter"] == "json"
    assert shown["networks"] == ["10.20.0.0/24", "2001:db8::/64"]
    assert shown["sentry"] is True
    assert shown["pii"] is False and shown["body"] == "never" and shown["locals"] is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PUNTE_LOG_FORMAT", "xml", "PUNTE_LOG_FORMAT must be"),
        ("PUNTE_METRICS_ALLOWED_NETWORKS", "10.20.0.0/33", "is not a network"),
        ("PUNTE_METRICS_TOKEN", "short", "PUNTE_METRICS_TOKEN must be at least 32"),
        ("PUNTE_READINESS_TASK_AGE_SECONDS", "five", "PUNTE_READINESS_TASK_AGE_SECONDS must"),
    ],
)
def test_malformed_values_are_refused_at_start(name, value, message):
    done = _run("import punte.settings.production", {**_full_env(), name: value})
    assert done.returncode != 0
    assert message in done.stderr
