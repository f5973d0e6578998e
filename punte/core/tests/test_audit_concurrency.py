"""Many requests appending at once: every chain still verifies, no seq is taken twice, and no
transaction deadlocks - including transactions that append several events (PostgreSQL)."""

import threading

import pytest
from django.db import connection, transaction

from punte.accounts.tests.factories import MembershipFactory
from punte.core import audit
from punte.core.models import AuditEvent

THREADS = 12
TRANSACTIONS = 15
EVENTS_PER_TRANSACTION = 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_keep_every_chain_whole(settings):
    # Fewer chains than writers, so writers contend for heads and some must wait for one.
    settings.PUNTE_AUDIT_SHARDS = 4
    officer = MembershipFactory()
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait(timeout=30)
            for t in range(TRANSACTIONS):
                with transaction.atomic():
                    for e in range(EVENTS_PER_TRANSACTION):
                        audit.record(
                            action="test.concurrent",
                            actor=officer.user,
                            organisation=officer.organisation,
                            changes={"thread": n, "transaction": t, "event": e},
                        )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
    assert errors == []  # a deadlock or a duplicate (shard, seq) would surface here

    events = AuditEvent.objects.filter(action="test.concurrent")
    assert events.count() == THREADS * TRANSACTIONS * EVENTS_PER_TRANSACTION
    positions = list(AuditEvent.objects.values_list("shard", "seq"))
    assert len(positions) == len(set(positions))
    assert len(set(events.values_list("shard", flat=True))) > 1  # the load was spread
    # The events of one transaction sit together in one chain: a writer holds one head at most.
    for n in range(THREADS):
        for t in range(TRANSACTIONS):
            placed = events.filter(changes__thread=n, changes__transaction=t)
            assert placed.values("shard").distinct().count() == 1
    assert list(audit.verify()) == []
