"""API authentication: bearer tokens for other systems, MFA-verified sessions for the browser.

A bearer token is `pnt_<prefix>_<secret>`; only its SHA-256 is stored. A request that presents
a token is judged by that token alone: if it is unknown, expired or revoked, or its user,
membership or organisation is inactive, the answer is 401 and the session cookie (if any) is not
consulted. A browser session is used only when no Authorization header is sent, and then its
POSTs need the CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from punte.accounts import selectors
from punte.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    Role,
    RolePermission,
    User,
)
from punte.core import rls
from punte.core.db.pipeline import can_pipeline
from punte.core.rawrows import RowLoader

TOKEN_PREFIX = "pnt"
MAX_TOKEN_LENGTH = 128
# Touch last_used_at at most this often: a write on every request would cost more than it tells.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token_secret() -> tuple[str, str]:
    """Returns (shown-once token, its lookup prefix)."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_expiry(days: int | None) -> datetime:
    return timezone.now() + timedelta(days=days or settings.PUNTE_API_TOKEN_DEFAULT_DAYS)


@dataclass(frozen=True)
class TokenCheck:
    token: ApiToken | None
    refusal: str | None  # why the token is refused, None if it is good

    @property
    def membership(self) -> Membership | None:
        return self.token.membership if self.token is not None and not self.refusal else None


_CACHE_ATTR = "_punte_token_check"


def check_token(request, raw: str) -> TokenCheck:
    """Judge a presented bearer token; the answer is cached on the request (the idempotency
    middleware asks before the API does)."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None and cached[0] == raw:
        return cached[1]
    result = _check_token(raw)
    setattr(request, _CACHE_ATTR, (raw, result))
    return result


_TOKEN_ROWS = RowLoader(ApiToken)
_MEMBERSHIP_ROWS = RowLoader(Membership)
_USER_ROWS = RowLoader(User)
_ORGANISATION_ROWS = RowLoader(Organisation)
_ROLE_ROWS = RowLoader(Role)
_TOKEN_SQL: dict[str, str] = {}


def _token_sql(connection) -> str:
    """One statement for the token, its membership, user, organisation and role, and the role's
    permissions as they are in RolePermission now (read on every request, never cached).

    Inner joins, as select_related() made them: every one of these keys is NOT NULL.
    """
    sql = _TOKEN_SQL.get(connection.alias)
    if sql is None:
        quote = connection.ops.quote_name
        permission = RolePermission._meta
        role_column = quote(permission.get_field("role").column)
        permission_column = quote(permission.get_field("permission").column)
        # Identifiers only, from the models' metadata; every value is a parameter.
        of_role = (
            f"FROM {quote(permission.db_table)} rp "  # noqa: S608
            f"WHERE rp.{role_column} = r.{quote(Role._meta.pk.column)}"
        )
        if connection.vendor == "postgresql":
            permissions = f"ARRAY(SELECT rp.{permission_column} {of_role})"
        else:
            permissions = f"(SELECT group_concat(rp.{permission_column}, ',') {of_role})"

        def join(alias: str, model, key: str) -> str:
            column = quote(Membership._meta.get_field(key).column)
            pk = quote(model._meta.pk.column)
            return f"JOIN {quote(model._meta.db_table)} {alias} ON {alias}.{pk} = m.{column}"

        token_membership = quote(ApiToken._meta.get_field("membership").column)
        sql = (
            f"SELECT {_TOKEN_ROWS.columns('t', connection)}, "  # noqa: S608
            f"{_MEMBERSHIP_ROWS.columns('m', connection)}, {_USER_ROWS.columns('u', connection)}, "
            f"{_ORGANISATION_ROWS.columns('o', connection)}, "
            f"{_ROLE_ROWS.columns('r', connection)}, {permissions} "
            f"FROM {quote(ApiToken._meta.db_table)} t "
            f"JOIN {quote(Membership._meta.db_table)} m "
            f"ON m.{quote(Membership._meta.pk.column)} = t.{token_membership} "
            f"{join('u', User, 'user')} {join('o', Organisation, 'organisation')} "
            f"{join('r', Role, 'role')} "
            f"WHERE t.{quote(ApiToken._meta.get_field('token_hash').column)} = %s"
        )
        _TOKEN_SQL[connection.alias] = sql
    return sql


def _load_token(digest: str) -> ApiToken | None:
    """The token with the given hash and everything it acts for, in one statement; None if
    unknown."""
    connection = connections[DEFAULT_DB_ALIAS]  # not the proxy: read a dozen times below
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(connection), [digest])
        row = cursor.fetchone()
    return None if row is None else _token_from_row(row, connection)


def _token_from_row(row, connection) -> ApiToken:
    """The instances are those select_related() would build (every field converted and
    decrypted by the ORM's own converters), and the membership's permission_codes are set from
    the same statement, so no further query is made for them."""
    loaded = []
    start = 0
    for rows in (_TOKEN_ROWS, _MEMBERSHIP_ROWS, _USER_ROWS, _ORGANISATION_ROWS, _ROLE_ROWS):
        loaded.append(rows.load(row[start : start + len(rows)], connection))
        start += len(rows)
    token, membership, user, organisation, role = loaded
    permissions = row[start]
    if isinstance(permissions, str):  # SQLite: group_concat; permission codes hold no comma
        permissions = permissions.split(",")
    ApiToken.membership.field.set_cached_value(token, membership)
    Membership.user.field.set_cached_value(membership, user)
    Membership.organisation.field.set_cached_value(membership, organisation)
    Membership.role.field.set_cached_value(membership, role)
    membership.__dict__["permission_codes"] = frozenset(permissions or ())
    return token


def _well_formed(raw: str) -> bool:
    return raw.startswith(f"{TOKEN_PREFIX}_") and len(raw) <= MAX_TOKEN_LENGTH


def _check_token(raw: str) -> TokenCheck:
    if not _well_formed(raw):
        return TokenCheck(None, "This is not a Punte API token.")
    # Hand-written SQL, not a queryset: compiling the select_related() query cost more than the
    # whole bare request it is compared with (bench/api_overhead, docs/PERFORMANCE.md).
    return _judge(_load_token(hash_token(raw)))


def _judge(found: ApiToken | None) -> TokenCheck:
    if found is None:
        return TokenCheck(None, "Unknown token.")
    if found.revoked_at is not None:
        return TokenCheck(found, "This token has been revoked.")
    if found.expires_at <= timezone.now():
        return TokenCheck(found, "This token has expired; ask for a new one.")
    membership = found.membership
    if not (
        membership.is_active and membership.user.is_active and membership.organisation.is_active
    ):
        return TokenCheck(found, "The account or organisation this token acts for is inactive.")
    return TokenCheck(found, None)


# What _judge() accepts, as SQL over the token's hash: for statements that are sent with the
# token's own (check_token_and_read) and so run before the token is judged.
TOKEN_MEMBERSHIP_SQL = """(
    SELECT m.id FROM accounts_apitoken t
    JOIN accounts_membership m ON m.id = t.membership_id
    JOIN accounts_user u ON u.id = m.user_id
    JOIN accounts_organisation o ON o.id = m.organisation_id
    WHERE t.token_hash = %s AND t.revoked_at IS NULL AND t.expires_at > now()
      AND m.is_active AND u.is_active AND o.is_active
)"""


def check_token_and_read(request, raw: str, sql: str, params: Callable[[str], list]):
    """check_token(), with one more read sent in the same round trip (PostgreSQL's pipeline
    mode, ADR 0013): that statement's one row if the token is good; None if it is refused.

    The statement runs before the token is judged, so it must find nothing for a token that
    would be refused: it is given the token's hash (`params(digest)`) and scopes itself through
    TOKEN_MEMBERSHIP_SQL. Returns NotImplemented, having read nothing, where this cannot be done
    (a malformed token, a token already judged for this request, a database that cannot
    pipeline): the caller then reads the usual way, after the check."""
    connection = connections[DEFAULT_DB_ALIAS]
    if (
        not _well_formed(raw)
        or getattr(request, _CACHE_ATTR, None) is not None
        or not can_pipeline(connection)
    ):
        return NotImplemented
    digest = hash_token(raw)
    with (
        connection.cursor() as token_cursor,
        connection.cursor() as actor_cursor,
        connection.cursor() as read_cursor,
    ):
        with connection.wrap_database_errors, connection.connection.pipeline():
            token_cursor.execute(_token_sql(connection), [digest])
            # The read runs under row-level security as the token's membership (nobody for a
            # token that would be refused), set in the same round trip (ADR 0036).
            actor_cursor.execute(rls.principal_sql(connection, TOKEN_MEMBERSHIP_SQL), [digest])
            read_cursor.execute(sql, params(digest))
        token_row = token_cursor.fetchone()
        read_row = read_cursor.fetchone()
    result = _judge(None if token_row is None else _token_from_row(token_row, connection))
    rls.applied_by_statement(connection, "" if result.refusal else str(result.membership.pk))
    setattr(request, _CACHE_ATTR, (raw, result))
    return read_row if result.refusal is None else None


def bearer_from_header(request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def request_principal(request) -> str | None:
    """Who is asking, as the idempotency middleware scopes keys: the token, or the membership a
    verified browser session acts in. None when the request would not authenticate."""
    if "Authorization" in request.headers:
        raw = bearer_from_header(request)
        if not raw:
            return None
        result = check_token(request, raw)
        return f"token:{result.token.pk}" if result.membership is not None else None
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    if user is None or not user.is_authenticated or membership is None:
        return None
    if not user.is_verified():
        return None
    return f"session:{membership.pk}"


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        result = check_token(request, token.strip())
        if result.refusal:
            # Raising (rather than returning None) answers 401 at once with the reason, instead
            # of falling through to the session check. The caller holds the secret, so telling
            # it "expired" or "revoked" reveals nothing it does not know.
            raise AuthenticationError(401, result.refusal)
        found = result.token
        membership = found.membership
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = membership.user
        request.membership = membership
        request.api_token = found
        rls.act_as(membership)
        return membership


class SessionAuth(APIKeyCookie):
    """The web UI's own session, only once the second factor is verified; CSRF is enforced on
    unsafe methods (ninja's APIKeyCookie checks it before reading the cookie)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # A request that sent credentials of its own is judged by them alone; one without a
        # session cookie has no session to check, so it gets 401, not a CSRF 403.
        if "Authorization" in request.headers or self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key is None:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_verified():
            return None
        membership = getattr(request, "membership", None) or selectors.membership_acting_for(
            user=user, membership_id=None
        )
        request.membership = membership
        rls.act_as(membership)
        return membership
