"""Every read of referrals, scoped by the acting membership (outside scope: 404, never 403).

A referral is visible to the organisations at both ends: the sender (within the role's scope:
"own" sees the referrals its user sent) and the receiver (members whose role may respond).
A role of scope "all" holding `referral.view` sees every referral.
"""

from __future__ import annotations

import datetime
import functools
import json
import uuid
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation

from punte.accounts.auth import TOKEN_MEMBERSHIP_SQL, check_token, check_token_and_read
from punte.accounts.models import Membership, Organisation, OrganisationType
from punte.accounts.permissions import Scope
from punte.core import audit
from punte.core.api_support import _decode_cursor, _encode_cursor, check_limit
from punte.core.errors import ServiceError, uuid_or_404
from punte.referrals.models import (
    OPEN_STATUSES,
    Referral,
    ReferralEvent,
    ReferralStatus,
    RoutingRule,
    ServiceOffering,
    ServiceType,
)

_LIST_RELATED = ("sender_organisation", "receiver_organisation", "rule", "county")


def referral_list_visible_to(*, actor: Membership) -> QuerySet[Referral]:
    if not actor.has_perm("referral.view"):
        return Referral.objects.none()
    referrals = Referral.objects.all()
    if actor.scope == Scope.ALL:
        return referrals
    incoming = (
        Q(receiver_organisation_id=actor.organisation_id)
        if actor.has_perm("referral.respond")
        else Q(pk__in=[])
    )
    if actor.scope == Scope.ORGANISATION:
        return referrals.filter(Q(sender_organisation_id=actor.organisation_id) | incoming)
    mine = Q(sender_organisation_id=actor.organisation_id, created_by_id=actor.user_id)
    return referrals.filter(mine | incoming)


def referral_get(*, actor: Membership, referral_id: uuid.UUID | str) -> Referral:
    """Open one referral (its note and history concern a person): 404 outside scope, and an
    access event inside."""
    pk = uuid_or_404(referral_id)
    with transaction.atomic():
        referral = (
            referral_list_visible_to(actor=actor)
            .select_related(*_LIST_RELATED, "ruleset", "created_by")
            .filter(pk=pk)
            .first()
        )
        if referral is None:
            raise Http404
        audit.record(
            action="referral.viewed",
            actor=actor,
            subject=referral,
            person_id=referral.person_id,
        )
    return referral


def referral_events(*, referral: Referral) -> list[ReferralEvent]:
    """The history of a referral the caller already opened through referral_get."""
    return list(referral.events.select_related("actor", "organisation").order_by("occurred_at"))


# --- Worklists ------------------------------------------------------------------------------


def referral_incoming_open(*, actor: Membership) -> QuerySet[Referral]:
    """Referrals to the actor's organisation waiting for it to act (answer, then complete)."""
    if not (actor.has_perm("referral.view") and actor.has_perm("referral.respond")):
        return Referral.objects.none()
    return Referral.objects.filter(
        receiver_organisation_id=actor.organisation_id, status__in=OPEN_STATUSES
    )


def referral_awaiting_answer(*, actor: Membership) -> QuerySet[Referral]:
    """Referrals the actor's organisation sent (the user's own, for scope "own") not yet
    answered."""
    if not (actor.has_perm("referral.view") and actor.has_perm("referral.send")):
        return Referral.objects.none()
    sent = Referral.objects.filter(
        sender_organisation_id=actor.organisation_id, status=ReferralStatus.SENT
    )
    if actor.scope == Scope.OWN:
        sent = sent.filter(created_by_id=actor.user_id)
    return sent


def referrals_overdue(
    *, actor: Membership, now: datetime.datetime | None = None
) -> QuerySet[Referral]:
    """Open referrals past the deadline of their current step: every one in the country for
    the national agency (`referral.monitor`), the organisation's incoming ones otherwise."""
    now = now or timezone.now()
    if actor.has_perm("referral.monitor") and actor.has_perm("referral.view"):
        return Referral.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    return referral_incoming_open(actor=actor).filter(due_at__lt=now)


def referrals_overdue_national(*, actor: Membership) -> QuerySet[Referral]:
    """The national list only (the API's /referrals/overdue and its page): nothing without
    `referral.monitor`."""
    if not actor.has_perm("referral.monitor"):
        return Referral.objects.none()
    return referrals_overdue(actor=actor)


@dataclass
class Worklist:
    incoming: QuerySet[Referral]
    overdue: QuerySet[Referral]
    awaiting: QuerySet[Referral]


def referral_worklist_for(*, actor: Membership) -> Worklist:
    """The referral part of a role's worklist: incoming to act on (soonest deadline first),
    the overdue ones (nationally for the national agency), and the ones the actor's side sent
    that await an answer."""
    return Worklist(
        incoming=referral_incoming_open(actor=actor)
        .select_related(*_LIST_RELATED)
        .order_by("due_at", "id"),
        overdue=referrals_overdue(actor=actor)
        .select_related(*_LIST_RELATED)
        .order_by("due_at", "id"),
        awaiting=referral_awaiting_answer(actor=actor)
        .select_related(*_LIST_RELATED)
        .order_by("-created_at", "-id"),
    )


def paginate_by_deadline(
    queryset: QuerySet[Referral], *, cursor: str | None, limit: int
) -> tuple[list[Referral], str | None]:
    """Keyset pagination on (due_at, id), soonest first: the worklists' order. Rows without a
    deadline (closed referrals) do not belong in such a list and are left out."""
    check_limit(limit)
    qs = queryset.filter(due_at__isnull=False).order_by("due_at", "id")
    if cursor:
        due, pk = _worklist_cursor(cursor)
        qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=pk))
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor([rows[-1].due_at.isoformat(), str(rows[-1].pk)])
    return rows, next_cursor


# The incoming worklist's page in hand-written SQL: on a million referrals, building model
# instances and reading them through the response schema cost several times the query itself
# (bench/worklist). The rule is the one of referral_incoming_open(); test_worklist_sql.py holds
# the two to the same rows in the same order. Change both together.
_WORKLIST_SQL = """
SELECT r.id, r.status, r.service, r.person_id, r.county_id, r.is_child, r.created_at,
       r.due_at, r.escalated_at, ru.code, ru.target_type,
       s.id, s.name, s.type, s.county_id, v.id, v.name, v.type, v.county_id
FROM referrals_referral r
JOIN accounts_organisation s ON s.id = r.sender_organisation_id
JOIN accounts_organisation v ON v.id = r.receiver_organisation_id
LEFT JOIN referrals_routingrule ru ON ru.id = r.rule_id
WHERE r.receiver_organisation_id = %s AND r.status IN ('sent', 'accepted')
  AND r.due_at IS NOT NULL {after}
ORDER BY r.due_at, r.id
LIMIT %s
"""
_WORKLIST_FIELDS = [
    (Referral, "id"), (Referral, "status"), (Referral, "service"), (Referral, "person"),
    (Referral, "county"), (Referral, "is_child"), (Referral, "created_at"), (Referral, "due_at"),
    (Referral, "escalated_at"), (RoutingRule, "code"), (RoutingRule, "target_type"),
    (Organisation, "id"), (Organisation, "name"), (Organisation, "type"), (Organisation, "county"),
    (Organisation, "id"), (Organisation, "name"), (Organisation, "type"), (Organisation, "county"),
]  # fmt: skip
_CONVERTERS: dict[str, list] = {}


def _converters(connection) -> list:
    found = _CONVERTERS.get(connection.alias)
    if found is None:
        found = []
        for model, name in _WORKLIST_FIELDS:
            col = model._meta.get_field(name).get_col(model._meta.db_table)
            found.append(
                (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            )
        _CONVERTERS[connection.alias] = found
    return found


def _json_time(value: datetime.datetime | None) -> str | None:
    # As the API writes every datetime (DjangoJSONEncoder: milliseconds, "Z" for UTC).
    return None if value is None else _ENCODER.default(value)


_ENCODER = DjangoJSONEncoder()


def _organisation(values) -> dict:
    return {
        "id": str(values[0]),
        "name": values[1],
        "type": values[2],
        "county": values[3],
    }


def _worklist_item(row, now: datetime.datetime, purposes: dict[str, str]) -> dict:
    (pk, status, service, person_id, county, is_child, created_at, due_at, escalated_at) = row[:9]
    rule_code, target_type = row[9], row[10]
    return {
        "id": str(pk),
        "status": status,
        "purpose": purposes[target_type] if rule_code else purposes[service],
        "rule_code": rule_code,
        "service": service or None,
        "person_id": str(person_id),
        "sender_organisation": _organisation(row[11:15]),
        "receiver_organisation": _organisation(row[15:19]),
        "county": county,
        "is_child": is_child,
        "created_at": _json_time(created_at),
        "due_at": _json_time(due_at),
        "overdue": due_at is not None and due_at < now,
        "escalated_at": _json_time(escalated_at),
    }


def _json_time_sql(column: str) -> str:
    # DjangoJSONEncoder's form, which the Python path writes: milliseconds (truncated) only when
    # the time has a fraction of a second, "Z" for UTC; a JSON string, or null.
    return (
        f"CASE WHEN {column} IS NULL THEN 'null' ELSE '\"' || to_char({column} AT TIME ZONE 'UTC',"
        f" CASE WHEN date_trunc('second', {column}) = {column} THEN 'YYYY-MM-DD\"T\"HH24:MI:SS'"
        f" ELSE 'YYYY-MM-DD\"T\"HH24:MI:SS.MS' END) || 'Z\"' END"
    )


def _json_organisation_sql(alias: str) -> str:
    return (
        f"json_build_object('id', {alias}.id, 'name', {alias}.name, 'type', {alias}.type,"
        f" 'county', {alias}.county_id)::text"
    )


# The same page with PostgreSQL writing the JSON of its rows: on a 50-row page, parsing the
# rows' timestamps and ids in Python and encoding them again cost more than the query
# (bench/worklist). Each item is written by concatenation (strings through to_json(), which
# escapes them; ids, booleans and the organisations' JSON as they are): json_build_object on
# every row cost PostgreSQL more than the page's query itself. The receiver's JSON is written
# once, each sender's once. The WHERE and ORDER BY are _WORKLIST_SQL's; test_worklist_sql.py
# holds both paths to the same JSON. RECEIVER is the receiving organisation: a parameter, or
# the token's (worklist_page_with_token). Parameters: the receiver's, [the cursor's due, due,
# id,] the rows to fetch (limit + 1), the purposes' labels (a JSON object), now, then limit
# three times. Built from constant fragments only; every value is a parameter.
_WORKLIST_JSON_SQL = f"""
WITH receiver AS MATERIALIZED (SELECT RECEIVER AS id),
page AS (
    SELECT r.id, r.status, r.service, r.person_id, r.county_id, r.is_child, r.created_at,
           r.due_at, r.escalated_at, r.sender_organisation_id, ru.code AS rule_code,
           ru.target_type, row_number() OVER (ORDER BY r.due_at, r.id) AS n
    FROM referrals_referral r
    LEFT JOIN referrals_routingrule ru ON ru.id = r.rule_id
    WHERE r.receiver_organisation_id = (SELECT id FROM receiver)
      AND r.status IN ('sent', 'accepted') AND r.due_at IS NOT NULL AFTER_CURSOR
    ORDER BY r.due_at, r.id
    LIMIT %s
), senders AS (
    SELECT s.id, {_json_organisation_sql("s")} AS json
    FROM accounts_organisation s
    WHERE s.id IN (SELECT sender_organisation_id FROM page)
)
SELECT count(*),
       '[' || coalesce(string_agg(
           '{{"id":"' || p.id || '","status":' || to_json(p.status)
           || ',"purpose":' || coalesce(to_json((SELECT %s::jsonb) ->> (
               CASE WHEN coalesce(p.rule_code, '') <> '' THEN p.target_type ELSE p.service END
           )), 'null')
           || ',"rule_code":' || coalesce(to_json(p.rule_code)::text, 'null')
           || ',"service":' || coalesce(to_json(nullif(p.service, ''))::text, 'null')
           || ',"person_id":"' || p.person_id
           || '","sender_organisation":' || s.json
           || ',"receiver_organisation":' || (
               SELECT {_json_organisation_sql("v")} FROM accounts_organisation v
               WHERE v.id = (SELECT id FROM receiver)
           )
           || ',"county":' || to_json(p.county_id)
           || ',"is_child":' || p.is_child
           || ',"created_at":' || {_json_time_sql("p.created_at")}
           || ',"due_at":' || {_json_time_sql("p.due_at")}
           || ',"overdue":' || (p.due_at < %s)
           || ',"escalated_at":' || {_json_time_sql("p.escalated_at")}
           || '}}', ',' ORDER BY p.n) FILTER (WHERE p.n <= %s), '') || ']',
       max(p.due_at) FILTER (WHERE p.n = %s),
       max(p.id::text) FILTER (WHERE p.n = %s),
       (SELECT id FROM receiver) IS NOT NULL
FROM page p JOIN senders s ON s.id = p.sender_organisation_id
"""  # noqa: S608


@functools.cache
def _purposes(language: str | None) -> tuple[dict[str, str], str]:
    """The items' purpose labels in `language` (the active one), and as JSON: translating the
    same two dozen labels on every page cost more than the page's statement."""
    labels = {code: str(label) for code, label in (*OrganisationType.choices, *ServiceType.choices)}
    return labels, json.dumps(labels)


def _builds_json_in_database() -> bool:
    return connection.vendor == "postgresql"


# The incoming worklist's page size when the caller names none.
WORKLIST_PAGE = 50


def worklist_page(
    *, actor: Membership, cursor: str | None = None, limit: int = WORKLIST_PAGE
) -> tuple[str, str | None]:
    """One page of the incoming worklist (referral_incoming_open(), soonest deadline first) as
    the JSON text of the API's WorklistItem list, and the next page's cursor.

    Not audited, as no worklist is (ADR 0025): the items name no one; opening a referral or a
    person from them is audited as every opening is."""
    check_limit(limit)
    if not (actor.has_perm("referral.view") and actor.has_perm("referral.respond")):
        return "[]", None
    after, after_params = _after(cursor)
    org = Referral._meta.get_field("receiver_organisation").get_db_prep_value(
        actor.organisation_id, connection
    )
    with connection.cursor() as db:
        if _builds_json_in_database():
            db.execute(
                _WORKLIST_JSON_SQL.replace("RECEIVER", "%s::uuid").replace("AFTER_CURSOR", after),
                [org, *after_params, *_json_page_params(limit)],
            )
            return _page_from_json_row(db.fetchone(), limit)
        db.execute(_WORKLIST_SQL.format(after=after), [org, *after_params, limit + 1])
        purposes, _ = _purposes(translation.get_language())
        return _page_from_json_row(
            _page_in_python(db.fetchall(), timezone.now(), purposes, limit), limit
        )


# The receiver of worklist_page_with_token(): the organisation of the token's membership, if the
# token is good (auth.TOKEN_MEMBERSHIP_SQL) and its role holds both permissions worklist_page()
# asks for; else none, and the page is empty.
_TOKEN_RECEIVER_SQL = f"""(
    SELECT m.organisation_id FROM accounts_membership m
    WHERE m.id = {TOKEN_MEMBERSHIP_SQL}
      AND (SELECT count(*) FROM accounts_rolepermission rp WHERE rp.role_id = m.role_id
           AND rp.permission IN ('referral.view', 'referral.respond')) = 2
)"""  # noqa: S608


def worklist_page_with_token(
    request, raw_token: str, *, cursor: str | None, limit: str | None
) -> tuple[str, str | None] | None:
    """worklist_page() for the bearer of `raw_token`, read in the same round trip as the
    token's check (auth.check_token_and_read, ADR 0013): the API's most frequent call, in one
    round trip instead of two. Called by the endpoint's authentication with the query's raw
    cursor and limit. None if the token is refused (the authentication then answers 401);
    NotImplemented where this cannot be done (a cursor or limit the endpoint will refuse, a
    database that cannot pipeline), and the endpoint then calls worklist_page()."""
    try:
        page_size = WORKLIST_PAGE if limit is None else int(limit)
        check_limit(page_size)
        after, after_params = _after(cursor)
    except (ValueError, ServiceError):
        return NotImplemented
    sql = _WORKLIST_JSON_SQL.replace("RECEIVER", _TOKEN_RECEIVER_SQL).replace("AFTER_CURSOR", after)
    row = check_token_and_read(
        request,
        raw_token,
        sql,
        lambda digest: [digest, *after_params, *_json_page_params(page_size)],
    )
    if row is None or row is NotImplemented:
        return row
    if not row[4]:
        # The statement found no receiver for a token Python accepted: an empty page is right
        # only if the role may not answer referrals. Otherwise the two judged the token at
        # different instants (the database's clock, a revocation between the two statements)
        # and the usual way, token then page, decides.
        membership = check_token(request, raw_token).membership
        if membership.has_perm("referral.view") and membership.has_perm("referral.respond"):
            return NotImplemented
    return _page_from_json_row(row, page_size)


def _after(cursor: str | None) -> tuple[str, list]:
    if not cursor:
        return "", []
    due, pk = _worklist_cursor(cursor)
    field = Referral._meta.get_field("id")
    return (
        "AND (r.due_at > %s OR (r.due_at = %s AND r.id > %s))",
        [due, due, field.get_db_prep_value(pk, connection)],
    )


def _json_page_params(limit: int) -> list:
    _, purposes_json = _purposes(translation.get_language())
    return [limit + 1, purposes_json, timezone.now(), limit, limit, limit]


def _page_from_json_row(row, limit: int) -> tuple[str, str | None]:
    fetched, items, last_due, last_id = row[:4]
    next_cursor = None
    if fetched > limit:
        next_cursor = _encode_cursor([last_due.isoformat(), last_id])
    return items, next_cursor


def _page_in_python(rows: list, now: datetime.datetime, purposes: dict[str, str], limit: int):
    """What _WORKLIST_JSON_SQL answers, from _WORKLIST_SQL's rows (for the backends that do not
    write JSON): rows fetched, the items' JSON, the last item's deadline and id."""
    converters = _converters(connection)
    items, last_due = [], None
    for raw in rows[:limit]:
        values = list(raw)
        for index, (col, functions) in enumerate(converters):
            for function in functions:
                values[index] = function(values[index], col, connection)
        items.append(_worklist_item(values, now, purposes))
        last_due = values[7]
    last_id = items[-1]["id"] if items else None
    return len(rows), json.dumps(items), last_due, last_id


def _worklist_cursor(cursor: str) -> tuple[datetime.datetime, uuid.UUID]:
    raw_due, raw_pk = _decode_cursor(cursor)
    try:
        due = datetime.datetime.fromisoformat(raw_due)
        pk = uuid.UUID(raw_pk)
    except ValueError as exc:
        raise ServiceError("cursor", "This cursor is not one the API issued.", status=400) from exc
    if due.tzinfo is None:
        raise ServiceError("cursor", "This cursor is not one the API issued.", status=400)
    return due, pk


# --- The service registry -------------------------------------------------------------------


def service_offering_list(
    *, county_code: str | None = None, service: str | None = None, include_archived=False
) -> QuerySet[ServiceOffering]:
    """The registry is not personal data: every signed-in member may read it."""
    offerings = ServiceOffering.objects.select_related("organisation", "county")
    if not include_archived:
        offerings = offerings.filter(archived_at__isnull=True)
    if county_code:
        offerings = offerings.filter(county_id=county_code)
    if service:
        offerings = offerings.filter(service=service)
    return offerings.order_by("county__name", "service", "organisation__name")


def referrals_sent_for_person(*, actor: Membership, person_id) -> QuerySet[Referral]:
    """The referrals of one person that the actor's organisation sent, newest first (the last
    step of the guided screening path lists them)."""
    return (
        referral_list_visible_to(actor=actor)
        .filter(person_id=person_id, sender_organisation_id=actor.organisation_id)
        .select_related(*_LIST_RELATED)
        .order_by("-created_at", "-id")
    )
