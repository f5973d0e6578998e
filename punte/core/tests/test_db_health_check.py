"""The PostgreSQL backend checks a reused connection only after it has been idle, and only while
serving web requests (ADR 0026).

Most tests drive a connection of their own through what Django's request signals do with it
(close_if_unusable_or_obsolete as a request starts and as it ends), outside the test's
transaction, and count the health checks (`SELECT 1`) sent.
"""

import psycopg
import pytest
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection, connections

from punte.core.db.postgresql.base import DatabaseWrapper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend only"),
]


def make_connection(after_idle: int) -> DatabaseWrapper:
    settings_dict = {
        **connection.settings_dict,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "HEALTH_CHECK_AFTER_IDLE": after_idle,
    }
    db = DatabaseWrapper(settings_dict, alias="health_check_test")
    db.checks = 0
    is_usable = db.is_usable

    def counted():
        db.checks += 1
        return is_usable()

    db.is_usable = counted
    return db


@pytest.fixture
def db_after_5s():
    db = make_connection(after_idle=5)
    yield db
    db.close()


def request(db: DatabaseWrapper) -> int:
    """What serving one web request does with the connection (request_started, then its
    statements, then request_finished)."""
    db.close_if_unusable_or_obsolete()
    db.serving_request = True
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT 41 + 1")
            return cursor.fetchone()[0]
    finally:
        db.close_if_unusable_or_obsolete()
        db.serving_request = False


def idle(db: DatabaseWrapper, seconds: float) -> None:
    db.proven_at -= seconds


def terminate(db: DatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [db.connection.info.backend_pid])


def test_a_connection_used_moments_ago_is_not_checked(db_after_5s):
    assert request(db_after_5s) == 42  # connects: a new connection is not checked either
    for _ in range(3):
        assert request(db_after_5s) == 42
    assert db_after_5s.checks == 0


def test_a_connection_idle_longer_is_checked_before_its_next_request(db_after_5s):
    request(db_after_5s)
    idle(db_after_5s, 6)
    request(db_after_5s)
    assert db_after_5s.checks == 1
    request(db_after_5s)  # proven again by the request just served
    assert db_after_5s.checks == 1


def test_a_connection_lost_while_idle_is_replaced_before_the_request_uses_it(db_after_5s):
    request(db_after_5s)
    first = db_after_5s.connection.info.backend_pid
    terminate(db_after_5s)
    idle(db_after_5s, 6)
    assert request(db_after_5s) == 42
    assert db_after_5s.connection.info.backend_pid != first


def test_a_connection_lost_within_the_window_fails_one_request_then_is_replaced(db_after_5s):
    # The price of skipping the check (ADR 0026): the request that finds the connection gone
    # fails, the connection is closed as that request ends, and the next one reconnects.
    request(db_after_5s)
    terminate(db_after_5s)
    with pytest.raises(OperationalError):
        request(db_after_5s)
    assert db_after_5s.connection is None
    assert request(db_after_5s) == 42


def test_a_request_whose_statement_failed_does_not_prove_the_connection(db_after_5s):
    request(db_after_5s)
    proven = db_after_5s.proven_at
    db_after_5s.close_if_unusable_or_obsolete()
    db_after_5s.serving_request = True
    with db_after_5s.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1")
        with pytest.raises(OperationalError):
            cursor.execute("SELECT pg_sleep(1)")
    db_after_5s.close_if_unusable_or_obsolete()
    db_after_5s.serving_request = False
    assert db_after_5s.proven_at == proven
    assert db_after_5s.checks == 1  # Django checks a connection whose statement failed


def test_zero_checks_before_every_request():
    db = make_connection(after_idle=0)
    try:
        for _ in range(3):
            assert request(db) == 42
        assert db.checks == 2  # the first request connected
    finally:
        db.close()


def test_outside_a_web_request_a_connection_is_checked_as_django_does(db_after_5s):
    request(db_after_5s)
    for _ in range(2):  # what the task worker does around each poll
        db_after_5s.close_if_unusable_or_obsolete()
        with db_after_5s.cursor() as cursor:
            cursor.execute("SELECT 1")
        db_after_5s.close_if_unusable_or_obsolete()
    assert db_after_5s.checks == 2


def test_the_request_signals_mark_this_threads_connections():
    assert isinstance(connections["default"], DatabaseWrapper)
    request_started.send(sender=None)
    assert connections["default"].serving_request
    request_finished.send(sender=None)
    assert not connections["default"].serving_request


@pytest.fixture
def persistent_checked_connection():
    saved = dict(connection.settings_dict)
    saved_after = connection.health_check_after_idle
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=True)
    connection.health_check_after_idle = 5
    yield connection
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    connection.health_check_after_idle = saved_after


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_worker_replaces_a_connection_lost_between_polls(persistent_checked_connection):
    # It polls a second apart, calling close_old_connections() around each poll: were its
    # connection proven as a web request's is, a restart of the server would make its next
    # poll fail and the worker stop (found in review, 5 Dec 2026).
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="health-check-test", excluded_queue_names=[],
    )  # fmt: skip
    worker.run()
    first = connection.connection.info.backend_pid
    with psycopg.connect(**_plain_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])
    worker.run()
    assert connection.connection.info.backend_pid != first


def _plain_params() -> dict:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return params
