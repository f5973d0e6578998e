"""Test-only ways round the audit trail's protection on PostgreSQL (see core migrations 0002-0003).

`protection_lifted()` stands in for a database administrator who disables the triggers: tamper
tests use it to alter the trail and then prove that `verify` notices. `flushable_audit_trail()`
lets TransactionTestCase (pytest's `transactional_db`) empty the database after a test: its
flush is a TRUNCATE, which the triggers rightly refuse.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection

PROTECTED_TABLES = ("core_auditevent", "core_auditchainhead")


def _set_triggers(enabled: bool) -> None:
    if connection.vendor != "postgresql":
        return
    verb = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # ALTER TABLE refuses to run while deferred foreign-key checks are pending (as they
            # are after inserts in a test's transaction): run them now, and defer again after.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in PROTECTED_TABLES:
            cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER USER")
        if connection.in_atomic_block:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextlib.contextmanager
def protection_lifted() -> Iterator[None]:
    """Disable the append-only triggers for the duration of the block (PostgreSQL; no-op else)."""
    _set_triggers(False)
    try:
        yield
    finally:
        _set_triggers(True)


@contextlib.contextmanager
def flushable_audit_trail() -> Iterator[None]:
    """Patch TransactionTestCase so that its end-of-test flush may truncate the audit tables."""
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        with protection_lifted():
            original(self)

    TransactionTestCase._fixture_teardown = _fixture_teardown
    try:
        yield
    finally:
        TransactionTestCase._fixture_teardown = original
