"""PostgreSQL, with Django's connection health check skipped, while serving web requests, for a
connection used moments ago (ADR 0026).

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first statement of every request
that reuses a persistent connection: a round trip that cost a worklist page a tenth of its time
(docs/PERFORMANCE.md). Here the check is skipped when the connection answered every statement
of a request that ended less than HEALTH_CHECK_AFTER_IDLE seconds ago, as PgBouncer's
server_check_delay does; a connection idle for longer is checked as before. 0 checks always.

Only while a web request is being served (between request_started and request_finished): the
task worker also calls close_old_connections() around every poll, a second apart, and a lost
connection found by its statement rather than by the check would stop the worker instead of
costing one request.
"""

import time

from django.core.signals import request_finished, request_started
from django.db import connections
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.health_check_after_idle = float(self.settings_dict.get("HEALTH_CHECK_AFTER_IDLE", 0))
        self.proven_at: float | None = None
        self.serving_request = False

    def connect(self):
        super().connect()
        self.proven_at = None

    def close_if_health_check_failed(self):
        if (
            self.serving_request
            and self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.proven_at is not None
            and time.monotonic() - self.proven_at < self.health_check_after_idle
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Called as each request starts and ends. health_check_done is set by a request's first
        # use of the connection (or by connecting) and cleared here, so it being set now means
        # the connection was used since the last call; errors_occurred, that a statement failed.
        used_without_error = (
            self.connection is not None and self.health_check_done and not self.errors_occurred
        )
        super().close_if_unusable_or_obsolete()
        if used_without_error and self.connection is not None:
            self.proven_at = time.monotonic()


def _serving(value: bool):
    def receiver(**kwargs):
        # This thread's connections only; one not opened yet starts fresh, unchecked anyway.
        for connection in connections.all(initialized_only=True):
            if isinstance(connection, DatabaseWrapper):
                connection.serving_request = value

    return receiver


# Connected after Django's own close_old_connections (django.db connects it on import), so a
# request is marked as served after its connections were looked at, and unmarked after.
request_started.connect(_serving(True), weak=False, dispatch_uid="punte-db-serving-started")
request_finished.connect(_serving(False), weak=False, dispatch_uid="punte-db-serving-finished")
