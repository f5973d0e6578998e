"""The catalogue of audit events: every name recorded is declared, with its meaning."""

import pytest
from django.db import connection

from punte.core import audit, contract
from punte.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def test_a_name_no_app_declares_is_refused_and_nothing_is_appended():
    before = AuditEvent.objects.count()
    with pytest.raises(audit.UnknownEvent, match="referral.snet"):
        audit.record(action="referral.snet", subject_type="referrals.referral", subject_id="1")
    assert AuditEvent.objects.count() == before


def test_an_audited_read_with_an_unknown_event_is_refused():
    def read():
        return "found"

    with pytest.raises(audit.UnknownEvent):
        audit.read_and_record(read, lambda found: {"action": "person.peeked"})


def test_a_declared_name_is_recorded():
    event = audit.record(action="referral.sent", subject_type="referrals.referral", subject_id="1")
    assert event.action == "referral.sent"


def test_every_declared_event_has_a_meaning_and_a_dotted_name():
    events = contract.collect_mapping("events", "EVENTS")
    assert events == audit.catalogue()
    assert {"referral.sent", "person.viewed", "retention.erased", "auth.login"} <= set(events)
    for name, meaning in events.items():
        assert "." in name and name == name.lower(), name
        assert str(meaning).strip(), name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pipelined_audited_read_with_an_unknown_event_is_refused_and_leaves_nothing_open():
    from psycopg.pq import TransactionStatus

    from punte.core.db.pipeline import can_pipeline

    def read():
        with connection.cursor() as cursor:
            cursor.execute("SELECT alpha2 FROM core_country WHERE alpha2 = 'RO'")
            return cursor.fetchone()[0]

    connection.ensure_connection()
    assert can_pipeline(connection)
    heads = dict(AuditChainHead.objects.values_list("shard", "last_seq"))
    with pytest.raises(audit.UnknownEvent):
        audit.read_and_record(read, lambda found: {"action": "country.peeked"})
    assert connection.connection is None or (
        connection.connection.info.transaction_status == TransactionStatus.IDLE
    )
    assert dict(AuditChainHead.objects.values_list("shard", "last_seq")) == heads
    assert audit.read_and_record(read, lambda found: {"action": "audit.searched"}) == "RO"
