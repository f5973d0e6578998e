"""Row-level security in PostgreSQL, under the selectors (ADR 0036).

The selectors decide what a membership sees; this module makes PostgreSQL hold the same
boundary, so that a query which forgets its selector (`Person.objects.all()` in a new view)
still returns nothing outside the acting membership's scope.

- Each app declares, in its own `rls.py`, `POLICIES`: the tables holding personal data and the
  SQL condition under which a row is visible (`RowPolicy`). `apply()` (after every `migrate`)
  enables and forces row-level security on them and (re)creates their policies.
- The acting principal lives in the session setting `punte.actor`: a membership's id, "system",
  or nothing (which sees nothing). A request sets it where the membership is resolved
  (`act_as`); work that is no request (migrations, the task worker, retention, the demo loader,
  commands) says so explicitly with `with rls.system("why"):`. A new connection receives the
  principal of the context that opens it, so a connection re-opened between tasks keeps it.
- Policies use the functions created here: `{system}`, `{org}`, `{user}`, `{scope}` in a
  policy's text stand for "the actor is the system", the acting membership's organisation, its
  user and its role's scope, looked up when the principal is set (`principal_sql`) and kept in
  settings beside it. An inactive membership has no organisation: it sees nothing.

SQLite has no row-level security: everything here is a no-op there, and the selectors alone
scope the reads (docs/SECURITY.md).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.signals import connection_created
from django.db.transaction import TransactionManagementError

from punte.core import contract

logger = logging.getLogger(__name__)

SETTING = "punte.actor"
SYSTEM = "system"
POLICY_PREFIX = "punte_"
_NOBODY = ""

# The principal of the running context (a thread, a request): applied to the connection now if
# it is open, and to the next one when it opens (connection_created).
_actor: contextvars.ContextVar[str] = contextvars.ContextVar("punte_rls_actor", default=_NOBODY)


@dataclass(frozen=True)
class RowPolicy:
    """The rows of `model` ("app_label.Model", or an automatic many-to-many table as
    "app_label.Model_field") a membership may see, as an SQL condition over the table's own
    columns. Placeholders: `{org}`, `{user}`, `{scope}` (the acting membership's), `{this}`
    (the table itself, to name its columns inside a subquery) and `{table[app_label.Model]}`
    for another table's quoted name. The system context and a role
    of scope "all" see every row without the condition being evaluated.

    A row one may see, one may change (UPDATE and DELETE use the same condition); what one may
    change is the services' rule, so a change or an insert is only required to come from a
    membership or the system, never from nobody."""

    model: str
    visible: str
    why: str = ""


def policies() -> list[RowPolicy]:
    return contract.collect("rls", "POLICIES")


def functions() -> list[str]:
    """SQL functions the apps' policies call (each app's `rls.FUNCTIONS`, created before the
    policies, with the same `{table[...]}` placeholders)."""
    return contract.collect("rls", "FUNCTIONS")


def _model(label: str):
    app_label, _, name = label.partition(".")
    return apps.get_model(app_label, name)


def _enabled(db) -> bool:
    return db.vendor == "postgresql"


# --- The acting principal ------------------------------------------------------------------


def _apply(db, value: str) -> None:
    """Send the principal to the connection if it is open and holds another one."""
    if not _enabled(db) or db.connection is None:
        return
    applied = getattr(db, "_punte_rls_applied", None)
    if applied is not None and applied[0] is db.connection and applied[1] == value:
        return
    with db.cursor() as cursor:
        if value in (_NOBODY, SYSTEM):
            cursor.execute(_PLAIN_SQL, [value])
        else:
            cursor.execute(principal_sql(db, "%s"), [value])
    db._punte_rls_applied = (db.connection, value)


def applied_by_statement(db, value: str) -> None:
    """Record that a statement sent by the caller (auth.check_token_and_read's pipeline) set
    the principal to `value`, so that act_as(value) does not send it again."""
    db._punte_rls_applied = (db.connection, value)
    _actor.set(value)


def _on_connection_created(sender, connection, **kwargs) -> None:
    connection._punte_rls_applied = None
    value = _actor.get()
    if value != _NOBODY:
        _apply(connection, value)


connection_created.connect(_on_connection_created, dispatch_uid="punte.core.rls")


def current() -> str:
    """The running context's principal: a membership id, "system", or "" (nobody)."""
    return _actor.get()


def _principal(membership) -> str:
    return _NOBODY if membership is None else str(membership.pk)


def act_as(membership, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """The request acts for `membership` (None: for nobody) from now until `request_scope`
    ends. Called where the request's membership is resolved (the session's middleware, the API's
    token check)."""
    value = _principal(membership)
    _actor.set(value)
    _apply(connections[using], value)


@contextlib.contextmanager
def request_scope(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Around one request: whatever principal it took, the connection acts for nobody again
    afterwards (a persistent connection serves the next request, maybe anonymous)."""
    token = _actor.set(_NOBODY)
    try:
        yield
    finally:
        _actor.reset(token)
        with contextlib.suppress(Exception):  # a broken connection is discarded anyway
            _apply(connections[using], _actor.get())


@contextlib.contextmanager
def _acting(value: str, using: str) -> Iterator[None]:
    token = _actor.set(value)
    db = connections[using]
    _apply(db, value)
    try:
        yield
    finally:
        _actor.reset(token)
        try:
            _apply(db, _actor.get())
        except (DatabaseError, TransactionManagementError):
            if not db.in_atomic_block:
                raise
            # An error aborted the transaction: its rollback puts the setting back as it was
            # when the transaction (or savepoint) began; what was sent is no longer known.
            db._punte_rls_applied = None


def acting(membership, *, using: str = DEFAULT_DB_ALIAS):
    """`with rls.acting(membership):` the database shows what that membership may see."""
    return _acting(_principal(membership), using)


def system(reason: str, *, using: str = DEFAULT_DB_ALIAS):
    """`with rls.system("why"):` every row, for work no membership does: migrations, the task
    worker, retention, the demo loader, the anonymous public form. Each use is a place a code
    review must agree with (ADR 0036); `reason` says which it is, in logs at debug level."""
    if not reason.strip():
        raise ValueError("rls.system() needs the reason the system acts.")
    logger.debug("row-level security: system context (%s)", reason)
    return _acting(SYSTEM, using)


def as_system(reason: str):
    """`@rls.as_system("why")` on a command's handle(), a task or a service no membership acts
    in: the function runs in `rls.system(reason)`."""

    def decorate(function):
        @functools.wraps(function)
        def in_system_context(*args, **kwargs):
            with system(reason):
                return function(*args, **kwargs)

        return in_system_context

    return decorate


# --- Policies in the database --------------------------------------------------------------

_PLACEHOLDERS = {
    "system": "punte_rls_is_system()",
    "org": "(SELECT punte_rls_org())",
    "user": "(SELECT punte_rls_user())",
    "scope": "(SELECT punte_rls_scope())",
}


# The acting membership's organisation, user and role scope, looked up when the principal is set
# (once per request) and kept beside it, so that a policy reads three settings rather than
# joining four tables for every statement.
_ORGANISATION, _USER, _SCOPE = "punte.organisation", "punte.user", "punte.scope"
_UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def principal_sql(db, membership: str) -> str:
    """One statement that makes the connection act for a membership: `membership` is an SQL
    expression of its id (a parameter `%s`, or a subquery). Its organisation, user and scope are
    read from the membership's row and its role, never taken from the application's objects,
    and set beside it; a value that is no active membership (malformed, unknown, deactivated)
    leaves them empty, which sees nothing. The user's and the organisation's own state were
    judged by the request's authentication (the session backend, the token's statement), which
    the hot path does not read twice (ADR 0013)."""
    m, r = (_model(label)._meta for label in ("accounts.Membership", "accounts.Role"))
    quote = db.ops.quote_name

    def col(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    def pk(meta) -> str:
        return quote(meta.pk.column)

    return (
        f"SELECT set_config('{SETTING}', coalesce(a.v, ''), false), "  # noqa: S608 (metadata)
        f"set_config('{_ORGANISATION}', coalesce(p.organisation, ''), false), "
        f"set_config('{_USER}', coalesce(p.usr, ''), false), "
        f"set_config('{_SCOPE}', coalesce(p.scope, ''), false) "
        f"FROM (SELECT ({membership})::text AS v) a LEFT JOIN LATERAL ("
        f"SELECT m.{col(m, 'organisation')}::text AS organisation, "
        f"m.{col(m, 'user')}::text AS usr, r.{col(r, 'scope')} AS scope "
        f"FROM {quote(m.db_table)} m "
        f"JOIN {quote(r.db_table)} r ON r.{pk(r)} = m.{col(m, 'role')} "
        f"WHERE m.{pk(m)} = (CASE WHEN a.v ~ '{_UUID_PATTERN}' THEN a.v::uuid END) "
        f"AND m.{col(m, 'is_active')}"
        ") p ON true"
    )


# Nobody and the system need no lookup (and the first `migrate` runs before the tables exist).
_PLAIN_SQL = (
    f"SELECT set_config('{SETTING}', %s, false), set_config('{_ORGANISATION}', '', false), "
    f"set_config('{_USER}', '', false), set_config('{_SCOPE}', '', false)"
)


def _functions_sql(db) -> list[str]:
    org_type = _model("accounts.Organisation")._meta.pk.db_type(db)
    user_type = _model("accounts.User")._meta.pk.db_type(db)

    def reading(name: str, setting: str, result: str) -> str:
        # A plain expression: PostgreSQL inlines the function into the policy.
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS {result} LANGUAGE sql STABLE "
            f"AS $$ SELECT nullif(current_setting('{setting}', true), '')::{result} $$"
        )

    return [
        "CREATE OR REPLACE FUNCTION punte_rls_actor() RETURNS text LANGUAGE sql STABLE "
        f"AS $$ SELECT coalesce(current_setting('{SETTING}', true), '') $$",
        "CREATE OR REPLACE FUNCTION punte_rls_is_system() RETURNS boolean LANGUAGE sql STABLE "
        f"AS $$ SELECT coalesce(current_setting('{SETTING}', true), '') = '{SYSTEM}' $$",
        reading("punte_rls_org", _ORGANISATION, org_type),
        reading("punte_rls_user", _USER, user_type),
        reading("punte_rls_scope", _SCOPE, "text"),
    ]


class _Tables(dict):
    def __init__(self, db):
        super().__init__()
        self.db = db

    def __missing__(self, label: str) -> str:
        return self.db.ops.quote_name(_model(label)._meta.db_table)


def condition(policy: RowPolicy, db) -> str:
    """The policy's full visibility condition, as PostgreSQL evaluates it."""
    this = db.ops.quote_name(_model(policy.model)._meta.db_table)
    own = policy.visible.format(table=_Tables(db), this=this, **_PLACEHOLDERS)
    return f"({_PLACEHOLDERS['system']} OR {_PLACEHOLDERS['scope']} = 'all' OR ({own}))"


def _policies_sql(policy: RowPolicy, db) -> list[str]:
    table = db.ops.quote_name(_model(policy.model)._meta.db_table)
    visible = condition(policy, db)
    # Writes come from someone: a membership (the services judge what it may write) or the
    # system. An UPDATE must also find the row visible (USING), as SELECT ... FOR UPDATE must.
    someone = f"({_PLACEHOLDERS['system']} OR {_PLACEHOLDERS['org']} IS NOT NULL)"
    names = [f"{POLICY_PREFIX}{verb}" for verb in ("read", "insert", "update", "delete")]
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        # The owner too: in production the application connects as the tables' owner.
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        *(f"DROP POLICY IF EXISTS {name} ON {table}" for name in names),
        f"CREATE POLICY {names[0]} ON {table} FOR SELECT USING {visible}",
        f"CREATE POLICY {names[1]} ON {table} FOR INSERT WITH CHECK {someone}",
        f"CREATE POLICY {names[2]} ON {table} FOR UPDATE USING {visible} WITH CHECK {someone}",
        f"CREATE POLICY {names[3]} ON {table} FOR DELETE USING {visible}",
    ]


def protected_tables() -> list[str]:
    return [_model(policy.model)._meta.db_table for policy in policies()]


def _statements(db, declared: list[RowPolicy], existing: set[str]) -> list[str]:
    statements = [*_functions_sql(db)]
    statements += [sql.format(table=_Tables(db), **_PLACEHOLDERS) for sql in functions()]
    for policy in declared:
        if _model(policy.model)._meta.db_table in existing:
            statements += _policies_sql(policy, db)
    return statements


def apply(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Create the functions and the declared policies; lift row-level security from tables no
    longer declared. Idempotent, and a no-op (one query) when the database already holds these
    exact statements' result; run after every `migrate` by the role that owns the tables.
    Returns whether anything was (re)created."""
    db = connections[using]
    if not _enabled(db):
        return False
    existing = set(db.introspection.table_names())
    # Tables not there yet (`migrate` of one app, before the others' tables exist) are left to
    # the next run.
    declared = policies()
    statements = _statements(db, declared, existing)
    fingerprint = hashlib.sha256("\n".join(statements).encode()).hexdigest()
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p "
            "WHERE p.proname = 'punte_rls_actor'"
        )
        row = cursor.fetchone()
        if row is not None and row[0] == fingerprint and not unprotected_tables(using=using):
            return False
        for statement in statements:
            cursor.execute(statement)
        wanted = {
            _model(p.model)._meta.db_table
            for p in declared
            if _model(p.model)._meta.db_table in existing
        }
        cursor.execute(
            "SELECT DISTINCT tablename FROM pg_policies "
            "WHERE schemaname = current_schema() AND policyname LIKE %s",
            [f"{POLICY_PREFIX}%"],
        )
        for (stale,) in cursor.fetchall():
            if stale in wanted:
                continue
            quoted = db.ops.quote_name(stale)
            for verb in ("read", "insert", "update", "delete"):
                cursor.execute(f"DROP POLICY IF EXISTS {POLICY_PREFIX}{verb} ON {quoted}")
            cursor.execute(f"ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY")
        cursor.execute(f"COMMENT ON FUNCTION punte_rls_actor() IS '{fingerprint}'")
    return True


def apply_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    apply(using=using)


def role_bypasses(*, using: str = DEFAULT_DB_ALIAS) -> bool | None:
    """Does the connected role escape row-level security (a superuser, or BYPASSRLS)? None
    where there is none (SQLite)."""
    db = connections[using]
    if not _enabled(db):
        return None
    with db.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def unprotected_tables(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Declared tables on which row-level security is not enabled and forced (or whose
    policies are missing): empty when the database holds what the apps declare."""
    db = connections[using]
    if not _enabled(db):
        return []
    tables = protected_tables()
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "WHERE c.relname = ANY(%s) AND c.relrowsecurity AND c.relforcerowsecurity "
            "AND (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid "
            "AND p.polname LIKE %s) = 4",
            [tables, f"{POLICY_PREFIX}%"],
        )
        protected = {name for (name,) in cursor.fetchall()}
    return sorted(set(tables) - protected)
