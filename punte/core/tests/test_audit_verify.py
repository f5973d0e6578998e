"""Tamper evidence: `verify_audit` names the first altered, deleted or reordered entry.

To tamper on PostgreSQL the tests lift the triggers, as a database administrator could
(punte.testing.audit.protection_lifted); other tests prove the triggers refuse the same acts.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from punte.accounts.tests.factories import MembershipFactory
from punte.core import audit
from punte.core.models import AuditChainHead, AuditEvent
from punte.testing.audit import protection_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(settings):
    """Six events in chain 0, in order of seq."""
    settings.PUNTE_AUDIT_SHARDS = 1
    officer = MembershipFactory()
    for n in range(6):
        audit.record(
            action=f"test.step{n}",
            actor=officer.user,
            organisation=officer.organisation,
            changes={"n": n},
        )
    return list(AuditEvent.objects.filter(shard=0).order_by("seq"))


def breaches(**kwargs):
    return list(audit.verify(**kwargs))


def only_breach(**kwargs):
    found = breaches(**kwargs)
    assert len(found) == 1, found
    return found[0]


def run_verify(*args):
    """(exit status, stdout) of `manage.py verify_audit`."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_an_untouched_trail_verifies(chain):
    assert breaches() == []
    status, out = run_verify()
    assert status == 0
    assert "Audit trail OK" in out
    assert "6 entries checked" in out


def test_altered_content_is_detected_at_that_entry(chain):
    target = chain[2]
    with protection_lifted():
        AuditEvent.objects.filter(pk=target.pk).update(action="test.innocent")
    breach = only_breach()
    assert (breach.shard, breach.event_id, breach.seq) == (0, target.pk, 3)
    assert "altered" in breach.problem
    status, out = run_verify()
    assert status == 1
    assert f"first bad entry id={target.pk} seq=3: content was altered" in out


def test_altered_changes_are_detected_too(chain):
    target = chain[4]
    with protection_lifted():
        AuditEvent.objects.filter(pk=target.pk).update(changes={"n": 99})
    breach = only_breach()
    assert (breach.event_id, breach.seq) == (target.pk, 5)


def test_an_entry_altered_and_rehashed_is_caught_by_the_next_one(chain):
    target = chain[2]
    values = {name: getattr(target, name) for name in audit.HASHED_FIELDS}
    values["action"] = "test.innocent"
    with protection_lifted():
        AuditEvent.objects.filter(pk=target.pk).update(
            action="test.innocent", hash=audit.compute_hash(values)
        )
    breach = only_breach()
    assert (breach.event_id, breach.seq) == (chain[3].pk, 4)
    assert f"(id={target.pk})" in breach.problem


def test_a_deleted_entry_in_the_middle_is_named_by_its_seq(chain):
    with protection_lifted():
        AuditEvent.objects.filter(pk=chain[2].pk).delete()
    breach = only_breach()
    assert (breach.event_id, breach.seq) == (None, 3)
    assert "missing" in breach.problem
    assert f"next entry present is id={chain[3].pk} seq=4" in breach.problem
    status, out = run_verify()
    assert status == 1
    assert "first bad entry id=- seq=3: entry missing (deleted)" in out


def test_a_deleted_last_entry_is_detected(chain):
    with protection_lifted():
        AuditEvent.objects.filter(pk=chain[-1].pk).delete()
    breach = only_breach()
    assert (breach.event_id, breach.seq) == (None, 6)
    assert "missing" in breach.problem
    assert run_verify()[0] == 1


@pytest.mark.parametrize("first, second", [(1, 2), (0, 5)])
def test_swapped_entries_are_detected_at_the_first_position_out_of_place(chain, first, second):
    a, b = chain[first], chain[second]
    with protection_lifted():  # exchange their places in the chain
        AuditEvent.objects.filter(pk=a.pk).update(seq=-1)
        AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
        AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    breach = only_breach()
    assert (breach.event_id, breach.seq) == (b.pk, a.seq)


def test_swapped_contents_are_detected(chain):
    a, b = chain[1], chain[2]
    fields = ["action", "changes", "hash", "prev_hash"]
    with protection_lifted():
        AuditEvent.objects.filter(pk=a.pk).update(**{f: getattr(b, f) for f in fields})
        AuditEvent.objects.filter(pk=b.pk).update(**{f: getattr(a, f) for f in fields})
    breach = only_breach()
    assert (breach.event_id, breach.seq) == (a.pk, 2)


def test_an_entry_slipped_in_beyond_the_head_is_detected(chain):
    last = chain[-1]
    forged = {name: getattr(last, name) for name in audit.HASHED_FIELDS}
    forged.update(seq=last.seq + 1, prev_hash=last.hash, action="test.forged")
    AuditEvent.objects.create(**forged, hash=audit.compute_hash(forged))
    breach = only_breach()
    assert breach.seq == 7
    assert "beyond the chain's head" in breach.problem


def test_a_deleted_head_is_detected(chain):
    with protection_lifted():
        AuditChainHead.objects.filter(shard=0).delete()
    breach = only_breach()
    assert breach.shard == 0
    assert "head is missing" in breach.problem


def test_verification_streams_in_small_batches(chain):
    with protection_lifted():
        AuditEvent.objects.filter(pk=chain[4].pk).update(action="test.x")
    seen = []
    breach = only_breach(batch_size=2, progress=lambda state: seen.append(state.checked))
    assert breach.seq == 5
    assert seen == [2, 4, 6]  # the trail is read two entries at a time


def test_interleaved_chains_are_each_judged_on_their_own(settings):
    settings.PUNTE_AUDIT_SHARDS = 3
    by_chain = {0: [], 1: [], 2: []}
    for n in range(12):  # round robin, so the chains interleave on disk
        setattr(connection, audit._PREFERRED_SHARD, n % 3)
        by_chain[n % 3].append(audit.record(action="test.interleaved", changes={"n": n}))
    assert {k: [e.seq for e in v] for k, v in by_chain.items()} == {
        k: [1, 2, 3, 4] for k in range(3)
    }
    assert breaches(batch_size=5) == []
    with protection_lifted():
        AuditEvent.objects.filter(pk=by_chain[1][1].pk).update(changes={"n": -1})
        AuditEvent.objects.filter(pk=by_chain[2][2].pk).delete()
    found = breaches(batch_size=5)
    assert [(b.shard, b.event_id, b.seq) for b in found] == [
        (1, by_chain[1][1].pk, 2),
        (2, None, 3),
    ]


def test_entries_appended_during_verification_are_left_to_the_next_run(chain):
    officer = MembershipFactory()

    def append(state):
        audit.record(action="test.concurrent", actor=officer.user)

    assert breaches(batch_size=2, progress=append) == []
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 3
    assert breaches() == []


def test_a_rewritten_chain_passes_alone_but_fails_against_a_published_seal(chain, tmp_path):
    seal_file = tmp_path / "seal.json"
    call_command("seal_audit", "--output", str(seal_file), stderr=io.StringIO())
    # Someone with the database to themselves drops the last two entries, rewinds the head,
    # and so leaves a chain that is consistent on its own.
    with protection_lifted():
        AuditEvent.objects.filter(pk__in=[chain[-1].pk, chain[-2].pk]).delete()
        AuditChainHead.objects.filter(shard=0).update(last_seq=4, last_hash=chain[3].hash)
    assert breaches() == []
    status, out = run_verify("--anchors", str(seal_file))
    assert status == 1
    assert "first bad entry id=- seq=5" in out
    assert "published seal" in out


def test_a_seal_matches_an_untouched_trail(chain, tmp_path):
    seal_file = tmp_path / "seal.json"
    call_command("seal_audit", "--output", str(seal_file), stderr=io.StringIO())
    document = json.loads(seal_file.read_text())
    assert document["heads"] == [{"shard": 0, "seq": 6, "hash": chain[-1].hash}]
    status, out = run_verify("--anchors", str(seal_file))
    assert status == 0, out
    assert "1 sealed heads matched" in out


def test_seal_refuses_to_overwrite_and_bad_seals_are_input_errors(chain, tmp_path):
    seal_file = tmp_path / "seal.json"
    seal_file.write_text("{}")
    with pytest.raises(CommandError) as refused:
        call_command("seal_audit", "--output", str(seal_file))
    assert refused.value.returncode == 2
    status, out = run_verify("--anchors", str(seal_file))
    assert status == 2
    assert "not a sealed audit document" in out
    document = audit.seal()
    document["heads"][0]["hash"] = "f" * 64
    seal_file.write_text(json.dumps(document))
    status, out = run_verify("--anchors", str(seal_file))
    assert (status, "digest does not match" in out) == (2, True)
    assert run_verify("--anchors", str(tmp_path / "missing.json"))[0] == 2
    assert run_verify("--batch-size", "0")[0] == 2


def test_progress_is_reported_on_stderr(chain):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(
        "verify_audit", "--batch-size", "2", "--progress-every", "2", stdout=out, stderr=err
    )
    assert "checked 2 of 6 entries (33%)" in err.getvalue()
    assert "Audit trail OK" in out.getvalue()


# --- The database refuses tampering (PostgreSQL) -------------------------------------------


def refused(statement):
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        statement()
    return str(caught.value)


def raw(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


@pytest.mark.postgres
def test_the_database_refuses_updates_and_deletes_of_the_trail(chain):
    event = chain[2]
    assert "append-only" in refused(
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="x")
    )
    event.action = "x"
    assert "append-only" in refused(event.save)
    assert "append-only" in refused(lambda: AuditEvent.objects.get(pk=chain[3].pk).delete())
    assert "append-only" in refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    assert "append-only" in refused(
        raw("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    )
    assert "append-only" in refused(raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk]))
    raw("SET CONSTRAINTS ALL IMMEDIATE")()  # else TRUNCATE fails on pending FK checks first
    assert "append-only" in refused(raw("TRUNCATE core_auditevent"))
    assert AuditEvent.objects.filter(action__startswith="test.step").count() == 6
    assert breaches() == []


@pytest.mark.postgres
def test_the_database_refuses_to_rewind_or_delete_a_chain_head(chain):
    assert "one step forward" in refused(
        lambda: AuditChainHead.objects.filter(shard=0).update(last_seq=5, last_hash=chain[4].hash)
    )
    assert "one step forward" in refused(
        lambda: AuditChainHead.objects.filter(shard=0).update(last_seq=7, last_hash="a" * 64)
    )
    assert "one step forward" in refused(raw("DELETE FROM core_auditchainhead WHERE shard = 0"))
    assert "starts empty" in refused(
        raw("INSERT INTO core_auditchainhead VALUES (900, 3, %s)", ["b" * 64])
    )
    raw("SET CONSTRAINTS ALL IMMEDIATE")()
    assert "append-only" in refused(raw("TRUNCATE core_auditchainhead"))
    assert AuditChainHead.objects.get(shard=0).last_seq == 6
    assert breaches() == []


@pytest.mark.postgres
def test_triggers_are_back_after_protection_was_lifted(chain):
    with protection_lifted():
        pass
    assert "append-only" in refused(raw("DELETE FROM core_auditevent"))
