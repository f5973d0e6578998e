"""The PostgreSQL backend checks a reused connection only after it has been idle (ADR 0026).

Each test drives its own connection through what Django's request signals do with it
(close_if_unusable_or_obsolete as a request starts and as it ends), outside the test's
transaction, and counts the health checks (`SELECT 1`) sent.
"""

import pytest
from django.db import OperationalError, connection

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
    db.close_if_unusable_or_obsolete()
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT 41 + 1")
            return cursor.fetchone()[0]
    finally:
        db.close_if_unusable_or_obsolete()


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
    with db_after_5s.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1")
        with pytest.raises(OperationalError):
            cursor.execute("SELECT pg_sleep(1)")
    db_after_5s.close_if_unusable_or_obsolete()
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
