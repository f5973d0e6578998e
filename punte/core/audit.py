"""The audit trail: append-only, hash-chained, written in the transaction of the act it records.

Entries are spread over `PUNTE_AUDIT_SHARDS` independent chains. An append locks the head of one
chain that no other transaction holds (SKIP LOCKED on PostgreSQL), so concurrent requests do not
queue behind one global "last entry", while every chain on its own still proves that nothing was
altered, removed or reordered. A transaction that appends several events keeps to the chain it
already holds, so it locks one head at most and leaves the others free for other writers. It
never waits for a head while holding one (its own head is never "locked" to it), so appends do
not deadlock on heads.

What the chain proves, and what it does not:

- Each entry's hash covers its content and the previous entry's hash. Changing, deleting or
  swapping an entry breaks the chain at that point; `verify()` names the first broken entry.
- Each chain's head (last seq and hash) is a row of its own. On PostgreSQL triggers refuse
  UPDATE, DELETE and TRUNCATE of the trail and any change of a head other than "one step
  forward" (migrations 0002 and 0003), so only someone who can disable triggers - a database
  administrator - can tamper at all.
- Such a person could rewrite a whole chain and recompute every hash (SHA-256 needs no key). That
  is caught by anchoring: `seal()` (command `seal_audit`) returns the heads and one digest over
  them; publish it daily somewhere the database administrators cannot write (a signed e-mail to
  the data protection officer, the national archive, a notary, a public transparency log).
  `verify(anchors=...)` (command `verify_audit --anchors FILE`) then proves every anchored entry
  is still in its chain with the same hash, so nothing before it was changed either.
  The chains stay verifiable by anyone with read access and no secret, which auditors need.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import ipaddress
import json
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from punte.core import context, contract
from punte.core.db.pipeline import can_pipeline
from punte.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
REDACTED = "[personal data]"

HASHED_FIELDS = (
    "shard",
    "seq",
    "prev_hash",
    "occurred_at",
    "actor_id",
    "actor_username",
    "organisation_id",
    "action",
    "subject_type",
    "subject_id",
    "person_id",
    "changes",
    "request_id",
    "source_ip",
)

# The connection remembers the chain it appended to last, so a transaction that appends again
# finds the head it already holds (a row locked by oneself is not "locked" to SKIP LOCKED).
_PREFERRED_SHARD = "_punte_audit_shard"


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _uuid_text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, uuid.UUID) else str(uuid.UUID(str(value)))


@functools.lru_cache(maxsize=4096)
def _ip_text(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def canonical_ip(value: Any) -> str | None:
    """One spelling per address, so the hash survives the database's own normalisation of IPv6."""
    return _ip_text(str(value)) if value else None


_SCALAR_FIELDS = (
    "shard",
    "seq",
    "prev_hash",
    "actor_username",
    "action",
    "subject_type",
    "subject_id",
    "request_id",
)


def compute_hash(values: dict[str, Any]) -> str:
    payload = {name: values[name] for name in _SCALAR_FIELDS}
    occurred_at = values["occurred_at"]
    payload["occurred_at"] = (
        occurred_at.astimezone(datetime.UTC).isoformat() if occurred_at is not None else None
    )
    for key in ("actor_id", "organisation_id", "person_id"):
        payload[key] = _uuid_text(values[key])
    payload["changes"] = _canonical(values["changes"])
    payload["source_ip"] = canonical_ip(values["source_ip"])
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _db():
    """The default connection itself: on the hot path every `connection.x` through Django's
    proxy costs a lookup of the thread's connection (dozens per request)."""
    return connections[DEFAULT_DB_ALIAS]


_HEAD_SQL: dict[str, str] = {}


def _head_sql(db) -> str:
    """Lock one chain head: the one this connection used last if it is free, else a free one at
    random. On PostgreSQL, ORDER BY, then FOR UPDATE SKIP LOCKED, then LIMIT: rows are tried in
    that order and locked ones skipped, so one statement does what two did."""
    sql = _HEAD_SQL.get(db.vendor)
    if sql is None:
        lock = (
            " " + db.ops.for_update_sql(skip_locked=db.features.has_select_for_update_skip_locked)
            if db.features.has_select_for_update
            else ""
        )
        # Identifiers only; every value is a parameter.
        sql = _HEAD_SQL[db.vendor] = (
            "SELECT shard, last_seq, last_hash FROM core_auditchainhead "  # noqa: S608
            f"WHERE shard >= 0 AND shard < %s ORDER BY shard = %s DESC, RANDOM() LIMIT 1{lock}"
        )
    return sql


def _head_params(db) -> list[int]:
    preferred = getattr(db, _PREFERRED_SHARD, None)
    return [settings.PUNTE_AUDIT_SHARDS, -1 if preferred is None else preferred]


def _wait_for_a_head(db) -> tuple[int, int, str]:
    """Every chain is busy (or not created yet): wait for one of them. The caller holds no head
    (SKIP LOCKED never skips one's own lock), so waiting cannot deadlock on heads."""
    shard = random.randrange(settings.PUNTE_AUDIT_SHARDS)  # noqa: S311 - spreading load
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_auditchainhead (shard, last_seq, last_hash) "
                "VALUES (%s, 0, %s) ON CONFLICT (shard) DO NOTHING",
                [shard, GENESIS],
            )
            cursor.execute(
                "SELECT shard, last_seq, last_hash FROM core_auditchainhead "
                "WHERE shard = %s FOR UPDATE",
                [shard],
            )
            return cursor.fetchone()
    AuditChainHead.objects.get_or_create(shard=shard)
    found = AuditChainHead.objects.select_for_update().get(shard=shard)
    return found.shard, found.last_seq, found.last_hash


def _lock_a_head(db) -> tuple[int, int, str]:
    """(shard, last_seq, last_hash) of a chain head now locked by this transaction: the chain
    this connection used last if no one else holds it, else any free one, else wait for one."""
    with db.cursor() as cursor:
        cursor.execute(_head_sql(db), _head_params(db))
        head = cursor.fetchone()
    return _held(db, head)


def _held(db, head: tuple[int, int, str] | None) -> tuple[int, int, str]:
    if head is None:
        head = _wait_for_a_head(db)
    setattr(db, _PREFERRED_SHARD, head[0])
    return head


_EVENT_FIELDS = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
_INSERT_SQL: dict[str, str] = {}
_EVENT_ATTNAMES = [field.attname for field in AuditEvent._meta.concrete_fields]
_MOVE_HEAD_SQL = "UPDATE core_auditchainhead SET last_seq = %s, last_hash = %s WHERE shard = %s"


def _insert_sql(db) -> str:
    sql = _INSERT_SQL.get(db.vendor)
    if sql is None:
        quote = db.ops.quote_name
        columns = ", ".join(quote(field.column) for field in _EVENT_FIELDS)
        placeholders = ", ".join(["%s"] * len(_EVENT_FIELDS))
        table = quote(AuditEvent._meta.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        if db.features.can_return_columns_from_insert:
            sql += " RETURNING " + quote(AuditEvent._meta.pk.column)
        _INSERT_SQL[db.vendor] = sql
    return sql


def _queue_append(db, insert, move_head, values: dict[str, Any]) -> None:
    """Send the event's INSERT and the head's UPDATE, in this order: the head's trigger
    (migration 0003) refuses a head that does not point at an entry already written, so they
    cannot be one statement (the parts of one WITH do not see each other's rows)."""
    params = [field.get_db_prep_save(values[field.attname], db) for field in _EVENT_FIELDS]
    insert.execute(_insert_sql(db), params)
    move_head.execute(_MOVE_HEAD_SQL, [values["seq"], values["hash"], values["shard"]])


def _inserted_id(db, insert) -> int:
    if db.features.can_return_columns_from_insert:
        return insert.fetchone()[0]
    return insert.lastrowid


def _append(db, values: dict[str, Any]) -> int:
    """Insert the event and move its chain's head onto it (inside the caller's transaction); the
    event's id. On PostgreSQL both statements travel together, in one round trip."""
    with db.cursor() as insert, db.cursor() as move_head:
        if can_pipeline(db):
            # Inside the caller's explicit transaction (BEGIN was sent), the Sync that ends the
            # pipeline commits nothing: it only collects both answers (and raises their errors).
            with db.wrap_database_errors, db.connection.pipeline():
                _queue_append(db, insert, move_head, values)
        else:
            _queue_append(db, insert, move_head, values)
        return _inserted_id(db, insert)


def redact(changes: dict[str, Any], personal_fields: set[str]) -> dict[str, Any]:
    """Replace personal fields' values by a marker: the trail says they changed, not to what."""
    redacted: dict[str, Any] = {}
    for name, value in changes.items():
        if name in personal_fields:
            redacted[name] = REDACTED
        elif isinstance(value, dict) and set(value) <= {"old", "new"}:
            redacted[name] = {k: _canonical(v) for k, v in value.items()}
        else:
            redacted[name] = _canonical(value)
    return redacted


class ActingMembership(Protocol):
    """The membership someone acts in (accounts.Membership): core names no app above it."""

    user: Any
    organisation: Any


def record(
    *,
    action: str,
    actor: ActingMembership | Any = None,
    organisation=None,
    subject=None,
    subject_type: str = "",
    subject_id: str = "",
    person_id=None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records.

    `actor` is the acting membership, which names the user and the organisation (ADR 0027).
    Events without one give the organisation alone (a public report, a periodic job), or a user
    alone (signing in, second factors), or a user and the organisation the act concerns (a
    token issued by the command line or an administrator for a membership).
    `changes` must hold no personal values: pass them through `redact()`. The request id and
    source IP come from the request context (punte.core.middleware.RequestContextMiddleware).
    """
    # Refused before anything is locked or written, so the caller's transaction stays usable.
    _check_action(action)
    actor, organisation = _who(actor, organisation)
    # No savepoint inside the caller's transaction: a failed append then dooms that whole
    # transaction (the act cannot be caught and committed without its event), and every audited
    # request saves the SAVEPOINT / RELEASE round trips (bench/api_overhead). Called outside a
    # transaction, this opens one as before.
    db = _db()
    with transaction.atomic(savepoint=False):
        values = _event_values(
            _lock_a_head(db),
            action=action,
            actor=actor,
            organisation=organisation,
            subject=subject,
            subject_type=subject_type,
            subject_id=subject_id,
            person_id=person_id,
            changes=changes,
        )
        values["id"] = _append(db, values)
    return _event(values)


class UnknownEvent(LookupError):
    """An event name no app declares in its `events.py`: a typo, or a catalogue not updated."""


def catalogue() -> dict[str, Any]:
    """Every event name the installed apps declare (their `events.py`), with its meaning."""
    return _collected_catalogue()


@functools.cache
def _collected_catalogue() -> dict[str, Any]:
    return contract.collect_mapping("events", "EVENTS")


def _forget_catalogue(*, setting: str, **kwargs) -> None:
    # Settings that install another app (tests) bring its events.
    if setting == "INSTALLED_APPS":
        _collected_catalogue.cache_clear()


setting_changed.connect(_forget_catalogue)


def _check_action(action: str) -> None:
    if action not in catalogue():
        raise UnknownEvent(
            f"Unknown audit event {action!r}: declare it, with its meaning, in EVENTS of the "
            "events.py of the app that records it."
        )


def _event_values(
    head: tuple[int, int, str],
    *,
    action: str,
    actor=None,
    organisation=None,
    subject=None,
    subject_type: str = "",
    subject_id: str = "",
    person_id=None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every stored field of the entry that follows `head`, its hash included (`actor` is a
    user: see `_who`)."""
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or str(subject.pk)
    ctx = context.current()
    shard, last_seq, last_hash = head
    values = {
        "shard": shard,
        "seq": last_seq + 1,
        "prev_hash": last_hash,
        "occurred_at": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_username": getattr(actor, "username", "") or "",
        "organisation_id": getattr(organisation, "pk", None),
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "person_id": uuid.UUID(str(person_id)) if person_id is not None else None,
        "changes": _canonical(changes or {}),
        "request_id": (ctx.request_id or "")[:64],
        "source_ip": canonical_ip(ctx.source_ip),
    }
    values["hash"] = compute_hash(values)
    return values


def _who(actor, organisation) -> tuple[Any, Any]:
    """(user, organisation) of an event; a membership is told from a user by having a `user`.
    Both are read from the membership's cache when loaded with it, as the API's token loads them
    (ADR 0013): no query on the audited read."""
    user = getattr(actor, "user", None)
    if user is None:
        return actor, organisation
    if organisation is not None:
        raise TypeError("record(): give the acting membership or an organisation, not both.")
    return user, actor.organisation


def _event(values: dict[str, Any]) -> AuditEvent:
    """The instance create() would have returned, without reading the row back."""
    return AuditEvent.from_db(
        DEFAULT_DB_ALIAS, _EVENT_ATTNAMES, [values[name] for name in _EVENT_ATTNAMES]
    )


T = TypeVar("T")


def read_and_record(read: Callable[[], T | None], event: Callable[[T], dict[str, Any]]) -> T | None:
    """Run `read` and, if it found something, append `record(**event(found))` in the same
    transaction; the thing found, or None (nothing is recorded then).

    For the audited reads of the API (one record opened, one event). Called outside any
    transaction on PostgreSQL, the whole transaction travels in two round trips instead of six:
    BEGIN, the head's lock and `read`'s statement in the first, the event's INSERT, the head's
    UPDATE and COMMIT in the second (psycopg's pipeline mode; ADR 0013). `read` must run plain
    statements through `connection.cursor()` (no atomic(), no ORM writes). Inside a transaction,
    or on SQLite, it is `atomic()` + `read()` + `record()`.
    """
    db = _db()
    if db.in_atomic_block or not can_pipeline(db):
        with transaction.atomic():
            found = read()
            if found is not None:
                record(**event(found))
        return found
    return _pipelined_read_and_record(db, read, event)


def _pipelined_read_and_record(db, read, event):
    pg = db.connection
    # Opened before the pipeline, so that Django's connection health check runs before it. A
    # cursor keeps the answer of its last statement: `control` is for the statements whose
    # answer is not read; `head` reads the lock, then carries the INSERT's returned id.
    with db.cursor() as control, db.cursor() as head:
        try:
            with db.wrap_database_errors, pg.pipeline():
                control.execute("BEGIN")
                head.execute(_head_sql(db), _head_params(db))
                found = read()  # fetching its row collects the answers to BEGIN and the lock
                if found is None:
                    control.execute("ROLLBACK")
                    return None
                wanted = event(found)
                _check_action(wanted["action"])
                wanted["actor"], wanted["organisation"] = _who(
                    wanted.get("actor"), wanted.get("organisation")
                )
                values = _event_values(_held(db, head.fetchone()), **wanted)
                _queue_append(db, head, control, values)
                control.execute("COMMIT")
            # Leaving the pipeline sent a Sync and collected every answer: an error in any of
            # these statements was raised there, and the COMMIT did not happen.
        except BaseException:
            _abandon(db, pg)
            raise
        values["id"] = _inserted_id(db, head)
    return found


def _abandon(db, pg) -> None:
    """Roll back the explicit transaction a failed pipeline left open, or drop the connection if
    even that fails: the next request must never find it half-way through a transaction."""
    from psycopg.pq import TransactionStatus

    try:
        if pg.info.transaction_status != TransactionStatus.IDLE:
            pg.rollback()
    except Exception:  # noqa: BLE001 - the connection is beyond use; Django reconnects
        db.close()


# --- Verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    """The first point where one chain stops proving itself.

    `seq` is the position in the chain where the problem is; `event_id` the row found there, or
    None when the entry is missing.
    """

    shard: int
    event_id: int | None
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"chain {self.shard}, entry id={self.event_id or '-'} seq={self.seq}"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Anchor:
    """A (chain, seq, hash) published outside the database by `seal()`."""

    shard: int
    seq: int
    hash: str


@dataclass
class Progress:
    chains: int = 0
    checked: int = 0
    expected: int = 0


def _shards_with_events() -> Iterator[int]:
    """The distinct chain numbers in the trail, one index probe each (no scan of every row)."""
    shard = -1
    while True:
        found = (
            AuditEvent.objects.filter(shard__gt=shard)
            .order_by("shard")
            .values_list("shard", flat=True)
            .first()
        )
        if found is None:
            return
        shard = found
        yield shard


def _head_snapshot() -> dict[int, tuple[int, str, int | None]]:
    """Each head with the highest seq stored in its chain, read in one statement.

    One statement sees one snapshot: an entry committed with its head cannot be half-seen, so an
    entry beyond its head was put there without going through `record()`.
    """
    top = AuditEvent.objects.filter(shard=OuterRef("shard")).order_by("-seq").values("seq")[:1]
    return {
        shard: (last_seq, last_hash, max_seq)
        for shard, last_seq, last_hash, max_seq in AuditChainHead.objects.annotate(
            max_seq=Subquery(top)
        ).values_list("shard", "last_seq", "last_hash", "max_seq")
    }


_VALUE_FIELDS = ("id", "hash", *HASHED_FIELDS)


def verify(
    *,
    batch_size: int = 5000,
    anchors: Iterable[Anchor] = (),
    progress: Callable[[Progress], None] | None = None,
    state: Progress | None = None,
) -> Iterator[Breach]:
    """Check every chain up to its head as it was when verification began; yield the first breach
    found in each, in chain order. Entries appended meanwhile are left to the next run.

    One pass reads the trail in id order, which is its order on disk (entries are only ever
    appended), in batches of `batch_size`: flat memory and sequential reads over millions of
    entries. Within a chain, ids grow with seq (an append holds the chain's head until it
    commits), so the pass can follow every chain at once. A chain that does not check out is
    then walked again in seq order, to name precisely its first altered, missing or misplaced
    entry. `state` (if given) counts chains and entries; `progress` is called after each batch.
    """
    heads = _head_snapshot()
    # Read after the heads: every entry up to a head's seq was committed before, so it is here.
    max_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    anchored: dict[int, dict[int, str]] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.shard, {})[anchor.seq] = anchor.hash
    shards = sorted(set(heads) | set(_shards_with_events()) | set(anchored))
    state = state if state is not None else Progress()
    state.chains, state.expected = len(shards), sum(h[0] for h in heads.values())

    suspects = {
        shard for shard in shards if shard not in heads or (heads[shard][2] or 0) > heads[shard][0]
    }
    # shard -> [next expected seq, hash it must follow]
    walkers = {shard: [1, GENESIS] for shard in shards if shard not in suspects}
    last_id = 0
    while last_id < max_id:
        batch = list(
            AuditEvent.objects.filter(id__gt=last_id, id__lte=max_id)
            .order_by("id")
            .values_list(*_VALUE_FIELDS)[:batch_size]
        )
        if not batch:
            break
        for row in batch:
            values = dict(zip(_VALUE_FIELDS, row, strict=True))
            shard, seq = values["shard"], values["seq"]
            walker = walkers.get(shard)
            if walker is None or seq > heads[shard][0]:
                continue  # a chain already suspect, or an entry appended after the snapshot
            if (
                seq != walker[0]
                or values["prev_hash"] != walker[1]
                or compute_hash(values) != values["hash"]
                or anchored.get(shard, {}).get(seq, values["hash"]) != values["hash"]
            ):
                suspects.add(shard)
                del walkers[shard]
                continue
            walker[0], walker[1] = seq + 1, values["hash"]
        last_id = batch[-1][0]
        state.checked += len(batch)
        if progress is not None:
            progress(state)
    for shard, (next_seq, last_hash) in walkers.items():
        head_seq, head_hash, _ = heads[shard]
        sealed_beyond = any(seq >= next_seq for seq in anchored.get(shard, {}))
        if next_seq - 1 != head_seq or last_hash != head_hash or sealed_beyond:
            suspects.add(shard)
    for shard in sorted(suspects):
        breach = _verify_chain(shard, heads.get(shard), anchored.get(shard, {}), batch_size)
        if breach is not None:
            yield breach


def _verify_chain(
    shard: int,
    head: tuple[int, str, int | None] | None,
    anchored: dict[int, str],
    batch_size: int,
) -> Breach | None:
    """Walk one chain in seq order and name its first breach (slower: reads along the index)."""
    expected_seq, expected_prev = 1, GENESIS
    rows = AuditEvent.objects.filter(shard=shard)
    if head is not None:
        last_seq, last_hash, max_seq = head
        if max_seq is not None and max_seq > last_seq:
            found = rows.filter(seq__gt=last_seq).order_by("seq").values_list("id", "seq").first()
            if found is not None:
                return Breach(
                    shard,
                    found[0],
                    found[1],
                    f"entry beyond the chain's head (seq {last_seq}): it was inserted "
                    "without going through the audit trail",
                )
        rows = rows.filter(seq__lte=last_seq)
    previous_id: int | None = None
    while True:
        batch = list(
            rows.filter(seq__gte=expected_seq)
            .order_by("seq")
            .values_list(*_VALUE_FIELDS)[:batch_size]
        )
        if not batch:
            break
        for row in batch:
            values = dict(zip(_VALUE_FIELDS, row, strict=True))
            event_id, seq = values["id"], values["seq"]
            if seq != expected_seq:
                return Breach(
                    shard,
                    None,
                    expected_seq,
                    f"entry missing (deleted); the next entry present is id={event_id} seq={seq}",
                )
            if values["prev_hash"] != expected_prev:
                return Breach(
                    shard,
                    event_id,
                    seq,
                    "does not follow the entry before it"
                    f"{f' (id={previous_id})' if previous_id else ''}: entries were "
                    "swapped or moved here, or the one before was altered and re-hashed",
                )
            if compute_hash(values) != values["hash"]:
                return Breach(shard, event_id, seq, "content was altered (its hash does not match)")
            if seq in anchored and anchored[seq] != values["hash"]:
                return Breach(
                    shard,
                    event_id,
                    seq,
                    "differs from the published seal: the chain was rewritten up to here",
                )
            expected_seq, expected_prev, previous_id = seq + 1, values["hash"], event_id
    last_present = expected_seq - 1
    beyond = [seq for seq in anchored if seq > last_present]
    if beyond:
        return Breach(
            shard,
            None,
            expected_seq,
            f"entry missing (deleted): the published seal proves the chain reached seq "
            f"{max(beyond)} but it now ends at seq {last_present}",
        )
    if head is None:
        if last_present:
            return Breach(shard, None, None, "chain head is missing (deleted)")
        return None
    last_seq, last_hash, _ = head
    if last_seq != last_present:
        return Breach(
            shard,
            None,
            expected_seq,
            f"entry missing (deleted): the chain ends at seq {last_present} but its "
            f"head records seq {last_seq}",
        )
    if last_hash != expected_prev:
        return Breach(
            shard,
            None,
            last_seq,
            "the chain's head does not match its last entry: the head was altered",
        )
    return None


# --- Sealing --------------------------------------------------------------------------------


def seal() -> dict[str, Any]:
    """The current head of every chain and one SHA-256 over them, to publish outside the database.

    Store the returned document where the database's administrators cannot change it; later pass
    it to `verify(anchors=anchors_from(document))`.
    """
    heads = sorted(AuditChainHead.objects.values_list("shard", "last_seq", "last_hash"))
    listed = [{"shard": s, "seq": q, "hash": h} for s, q, h in heads if q > 0]
    digest = hashlib.sha256(
        "\n".join(f"{e['shard']}:{e['seq']}:{e['hash']}" for e in listed).encode()
    ).hexdigest()
    return {
        "sealed_at": timezone.now().astimezone(datetime.UTC).isoformat(),
        "heads": listed,
        "digest": digest,
    }


def anchors_from(document: dict[str, Any]) -> list[Anchor]:
    """Read a sealed document back; refuse one whose digest does not match its heads."""
    try:
        listed = document["heads"]
        anchors = [Anchor(int(e["shard"]), int(e["seq"]), str(e["hash"])) for e in listed]
        digest = hashlib.sha256(
            "\n".join(f"{a.shard}:{a.seq}:{a.hash}" for a in anchors).encode()
        ).hexdigest()
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("not a sealed audit document (expected 'heads' and 'digest')") from exc
    if digest != document.get("digest"):
        raise ValueError("the sealed document's digest does not match its heads")
    return anchors
