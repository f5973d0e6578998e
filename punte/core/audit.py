"""The audit trail: append-only, hash-chained, written in the transaction of the act it records.

Entries are spread over `PUNTE_AUDIT_SHARDS` independent chains. An append locks the head of one
chain that no other transaction holds (SKIP LOCKED on PostgreSQL), so concurrent requests do not
queue behind one global "last entry", while every chain on its own still proves that nothing was
altered, removed or reordered.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from punte.core import context
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


def compute_hash(values: dict[str, Any]) -> str:
    payload = {name: _canonical(values[name]) for name in HASHED_FIELDS}
    if payload["occurred_at"] is not None:
        payload["occurred_at"] = values["occurred_at"].astimezone(datetime.UTC).isoformat()
    for key in ("actor_id", "organisation_id", "person_id"):
        payload[key] = str(payload[key]) if payload[key] is not None else None
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _lock_a_head() -> AuditChainHead:
    shards = list(range(settings.PUNTE_AUDIT_SHARDS))
    random.shuffle(shards)  # noqa: S311 - spreading load, not a secret
    heads = AuditChainHead.objects.select_for_update(
        skip_locked=connection.features.has_select_for_update_skip_locked
    )
    head = heads.filter(shard__in=shards).order_by("?").first()
    if head is None:
        # Every chain is busy (or not created yet): wait for one of them.
        shard = shards[0]
        AuditChainHead.objects.get_or_create(shard=shard)
        head = AuditChainHead.objects.select_for_update().get(shard=shard)
    return head


def redact(changes: dict[str, Any], personal_fields: set[str]) -> dict[str, Any]:
    """Replace the values of personal fields by a marker: the trail says they changed, not to what."""
    redacted: dict[str, Any] = {}
    for name, value in changes.items():
        if name in personal_fields:
            redacted[name] = REDACTED
        elif isinstance(value, dict) and set(value) <= {"old", "new"}:
            redacted[name] = {k: _canonical(v) for k, v in value.items()}
        else:
            redacted[name] = _canonical(value)
    return redacted


def record(
    *,
    action: str,
    actor=None,
    organisation=None,
    subject=None,
    subject_type: str = "",
    subject_id: str = "",
    person_id=None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records."""
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or str(subject.pk)
    ctx = context.current()
    with transaction.atomic():
        head = _lock_a_head()
        values = {
            "shard": head.shard,
            "seq": head.last_seq + 1,
            "prev_hash": head.last_hash,
            "occurred_at": timezone.now(),
            "actor_id": getattr(actor, "pk", None),
            "actor_username": getattr(actor, "username", "") or "",
            "organisation_id": getattr(organisation, "pk", None),
            "action": action,
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "person_id": person_id,
            "changes": _canonical(changes or {}),
            "request_id": ctx.request_id,
            "source_ip": ctx.source_ip,
        }
        values["hash"] = compute_hash(values)
        event = AuditEvent.objects.create(**values)
        head.last_seq = values["seq"]
        head.last_hash = values["hash"]
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class Breach:
    shard: int
    event_id: int | None
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"chain {self.shard}, entry id={self.event_id} seq={self.seq}"
        return f"{where}: {self.problem}"


def _stored_values(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def verify(batch_size: int = 5000) -> Iterator[Breach]:
    """Walk every chain; yield the first breach found in each."""
    heads = {h.shard: h for h in AuditChainHead.objects.all()}
    shards = set(heads) | set(AuditEvent.objects.values_list("shard", flat=True).distinct())
    for shard in sorted(shards):
        breach = _verify_chain(shard, heads.get(shard), batch_size)
        if breach is not None:
            yield breach


def _verify_chain(shard: int, head: AuditChainHead | None, batch_size: int) -> Breach | None:
    expected_seq, expected_prev = 1, GENESIS
    last_seen = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(shard=shard, seq__gt=last_seen).order_by("seq")[:batch_size]
        )
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return Breach(shard, event.id, event.seq, f"expected seq {expected_seq}: "
                              "an entry was deleted or reordered before this one")
            if event.prev_hash != expected_prev:
                return Breach(shard, event.id, event.seq,
                              "does not follow the entry before it (deleted, inserted or swapped)")
            if compute_hash(_stored_values(event)) != event.hash:
                return Breach(shard, event.id, event.seq, "content was altered")
            expected_seq, expected_prev = event.seq + 1, event.hash
            last_seen = event.seq
    if head is None:
        if expected_seq > 1:
            return Breach(shard, None, None, "chain head is missing")
        return None
    if head.last_seq != expected_seq - 1 or head.last_hash != expected_prev:
        return Breach(shard, None, head.last_seq,
                      f"the chain ends at seq {expected_seq - 1} but its head says "
                      f"{head.last_seq}: entries at the end were deleted")
    return None
