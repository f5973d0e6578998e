"""Row-level security in tests and benchmarks (ADR 0036).

Tests connect as the PostgreSQL superuser, which row-level security never restricts. To see
what the application's role sees, a test (or a benchmark) switches its connection to a role
subject to it, `SUBJECT_ROLE`: no superuser, no BYPASSRLS, the same privileges on the tables as
the application's role. Created inside the caller's transaction where it can be (a test's, so
it disappears with it); a benchmark drops it with its database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection

SUBJECT_ROLE = "punte_rls_subject"


def prepare_subject_role(cursor) -> None:
    """Create SUBJECT_ROLE if missing and grant it the application's privileges."""
    cursor.execute(
        "DO $$ BEGIN "
        f"CREATE ROLE {SUBJECT_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {SUBJECT_ROLE}")
    cursor.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {SUBJECT_ROLE}"
    )
    cursor.execute(
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {SUBJECT_ROLE}"
    )


@contextlib.contextmanager
def subject_to_row_level_security() -> Iterator[None]:
    """The default connection acts as a role that row-level security restricts, until the end
    of the block."""
    with connection.cursor() as cursor:
        prepare_subject_role(cursor)
        cursor.execute(f"SET ROLE {SUBJECT_ROLE}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
