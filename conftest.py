import os

import pytest

# Browser fixtures (chromium, page) for @pytest.mark.browser tests.
pytest_plugins = ["punte.testing.browser"]


@pytest.fixture(autouse=True)
def _fresh_translation(settings):
    # Tests read English messages unless they switch language on purpose.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True, scope="session")
def _urlconf_loaded():
    # Import every view module (and django-ninja's schemas) before any test freezes time:
    # a module first imported under freezegun sees its fake datetime class, which pydantic
    # cannot build a schema for.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


@pytest.fixture(autouse=True, scope="session")
def _flushable_audit_trail():
    # transactional_db tests end with a TRUNCATE, which the audit trail's triggers refuse on
    # PostgreSQL; the test harness, like a database administrator, lifts them for that flush.
    from punte.testing.audit import flushable_audit_trail

    with flushable_audit_trail():
        yield


class _WithTestEvents(dict):
    def __contains__(self, name: object) -> bool:
        return (isinstance(name, str) and name.startswith("test.")) or super().__contains__(name)


@pytest.fixture(autouse=True)
def _test_event_names(monkeypatch):
    # Tests of the audit trail's mechanics append events named "test.*"; every other name must
    # be in the catalogue, so the whole suite checks that each event the code records is declared.
    from punte.core import audit

    declared = audit.catalogue
    monkeypatch.setattr(audit, "catalogue", lambda: _WithTestEvents(declared()))


def _serialize_transactional(item) -> None:
    # A transactional test ends by emptying the database. With serialized_rollback the next one
    # restores the migrated data (roles, counties); without it, the flush re-creates content
    # types, so mixing both kinds makes whichever runs second fail. Every transactional test
    # (marker, transactional_db or live_server) therefore gets serialized_rollback.
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in fixtures or "live_server" in fixtures
    )
    if transactional and not (marker is not None and marker.kwargs.get("serialized_rollback")):
        kwargs = {**(marker.kwargs if marker is not None else {}), "transaction": True}
        item.add_marker(pytest.mark.django_db(**kwargs, serialized_rollback=True), append=False)


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        _serialize_transactional(item)
    if os.environ.get("PUNTE_SKIP_BROWSER") == "1":
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason="no Chromium on this machine"))
