"""audit.read_and_record(): the audited read and its event in one transaction - on PostgreSQL,
outside any transaction, as one pipelined explicit transaction (BEGIN ... COMMIT in two round
trips), which these tests drive for real (transaction=True: no test transaction around them).

What must hold whatever the transport: the event exists exactly when the read returned
something; a failure anywhere (in the database or in Python) leaves no event, no moved head and
no transaction open on the connection; concurrent readers keep every chain whole.
"""

import threading

import pytest
from django.db import IntegrityError, connection
from django.http import Http404

from punte.accounts.tests.factories import MembershipFactory
from punte.core import audit
from punte.core.db.pipeline import can_pipeline
from punte.core.models import AuditChainHead, AuditEvent
from punte.identification.persons.selectors import person_get_for_view
from punte.identification.persons.tests.factories import PersonFactory


def _read_country(code: str):
    def read():
        with connection.cursor() as cursor:
            cursor.execute("SELECT alpha2 FROM core_country WHERE alpha2 = %s", [code])
            row = cursor.fetchone()
        return row[0] if row else None

    return read


def _event(officer):
    return lambda found: {
        "action": "test.read",
        "actor": officer.user,
        "organisation": officer.organisation,
        "subject_type": "core.country",
        "subject_id": found,
    }


def _heads() -> dict[int, int]:
    return dict(AuditChainHead.objects.values_list("shard", "last_seq"))


def _idle() -> bool:
    from psycopg.pq import TransactionStatus

    return connection.connection.info.transaction_status == TransactionStatus.IDLE


# Each test below runs without a test transaction (and reloads the reference data after it),
# which is slow: the cases are grouped into few tests.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pipelined_read_commits_one_chained_event_or_nothing():
    officer = MembershipFactory(role_code="regional_officer")
    assert not connection.in_atomic_block and can_pipeline(connection)

    assert audit.read_and_record(_read_country("RO"), _event(officer)) == "RO"
    event = AuditEvent.objects.get(action="test.read")
    assert (event.subject_id, event.actor_id) == ("RO", officer.user_id)
    assert _heads()[event.shard] == event.seq
    assert _idle()  # committed: nothing left open on the connection

    heads = _heads()
    assert audit.read_and_record(_read_country("??"), _event(officer)) is None
    assert AuditEvent.objects.filter(action="test.read").count() == 1
    assert _heads() == heads
    assert _idle()

    # The API's path: a record in scope is opened (decrypted) and audited, one outside is a 404.
    mine = PersonFactory(actor=officer, given_name="Olena")
    other = PersonFactory()  # another organisation's, never referred
    assert person_get_for_view(actor=officer, person_id=mine.pk).given_name == "Olena"
    with pytest.raises(Http404):
        person_get_for_view(actor=officer, person_id=other.pk)
    viewed = AuditEvent.objects.filter(action="person.viewed")
    assert list(viewed.values_list("person_id", flat=True)) == [mine.pk]
    assert list(audit.verify()) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failure_inside_rolls_the_whole_read_back(settings, monkeypatch):
    """A refused INSERT (a seq already taken) or an error in Python between the two round trips:
    the error reaches the caller, nothing is written, the head is neither moved nor left locked
    (one chain only: a lock left behind would block the next read), the connection is usable."""
    settings.PUNTE_AUDIT_SHARDS = 1
    officer = MembershipFactory()
    audit.read_and_record(_read_country("RO"), _event(officer))
    heads = _heads()
    real = audit._event_values

    def taken_seq(head, **kwargs):
        values = real(head, **kwargs)
        values["seq"] = head[1]  # the seq of the entry already at the head
        return values

    # A context of its own: undoing the whole fixture would also undo conftest's "test.*" events.
    with monkeypatch.context() as patch, pytest.raises(IntegrityError):
        patch.setattr(audit, "_event_values", taken_seq)
        audit.read_and_record(_read_country("MD"), _event(officer))
    assert _idle()

    def broken(found):
        raise RuntimeError("while building the event")

    with pytest.raises(RuntimeError):
        audit.read_and_record(_read_country("BG"), broken)
    assert _idle()

    assert not AuditEvent.objects.filter(subject_id__in=["MD", "BG"]).exists()
    assert _heads() == heads
    assert audit.read_and_record(_read_country("UA"), _event(officer)) == "UA"
    assert list(audit.verify()) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_pipelined_reads_keep_every_chain_whole(settings):
    settings.PUNTE_AUDIT_SHARDS = 3  # fewer chains than readers: some must wait for a head
    officer = MembershipFactory()
    threads_count, reads = 8, 25
    start = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(reads):
                assert audit.read_and_record(_read_country("RO"), _event(officer)) == "RO"
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a reader is stuck"
    assert errors == []
    assert AuditEvent.objects.filter(action="test.read").count() == threads_count * reads
    positions = list(AuditEvent.objects.values_list("shard", "seq"))
    assert len(positions) == len(set(positions))
    assert list(audit.verify()) == []


@pytest.mark.django_db
def test_inside_a_transaction_it_is_atomic_read_and_record():
    """In a test's transaction (and on SQLite) the plain path runs: same outcome."""
    officer = MembershipFactory()
    assert audit.read_and_record(_read_country("RO"), _event(officer)) == "RO"
    assert audit.read_and_record(_read_country("??"), _event(officer)) is None
    assert AuditEvent.objects.filter(action="test.read").count() == 1
    assert list(audit.verify()) == []
