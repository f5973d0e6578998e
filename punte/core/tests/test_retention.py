"""Retention rules and `manage.py apply_retention`, with time frozen where the periods end."""

import datetime
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from punte.accounts.models import UserSession
from punte.accounts.tests.factories import MembershipFactory, UserFactory
from punte.core import retention
from punte.core.fields import encrypted_fields
from punte.core.models import AuditEvent, IdempotencyRecord
from punte.core.tests.test_fields import ENCRYPTED, raw_row
from punte.identification.persons import selectors
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.UTC)
PERSON_DAYS = 3653


def run(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def archived_person(actor=None, **fields) -> Person:
    person = create_person(
        actor=actor,
        given_name="Teodora",
        family_name="Sârbu",
        contact="teodora.sarbu@example.test",
        notes="Synthetic note",
        aliases=["Teo"],
        **fields,
    )
    Person.objects.filter(pk=person.pk).update(
        archived_at=timezone.now(), archive_reason="Duplicate of a record about Teodora Sârbu"
    )
    return person


# --- the rules themselves -----------------------------------------------------------------------


def test_rules_are_discovered_from_every_app_and_valid():
    names = {rule.name for rule in retention.discover()}
    assert names == {
        "core.idempotency_record.erase_expired",
        "accounts.user_session.erase_ended",
        "accounts.sign_in_throttle.erase",
        "identification.person.anonymise_archived",
        "identification.public_report_attempt.erase",
        "identification.public_report_form_use.erase",
        "identification.screening.clear_notes",
        "identification.consent_event.clear_notes",
        "identification.reflection_period_event.clear_reasons",
        "identification.signal.clear_closed",
        "identification.signal_person.clear_closed",
        "identification.signal_transition.clear_closed",
        "django_tasks.task_result.erase_finished",
        "axes.access_attempt.erase",
        "axes.access_failure_log.erase",
        "cases.case.clear_notes",
        "cases.case_event.clear_reasons",
        "cases.transfer.clear_reasons",
        "cases.assessment.clear",
        "cases.plan_version.clear_summary",
        "cases.plan_goal.clear_text",
        "cases.service.clear_notes",
        "cases.follow_up.clear_text",
        "cases.team_member.clear_reason",
        "cases.restricted_note.clear_text",
        "axes.access_log.erase",
        "notifications.notification.erase",
        "referrals.referral.clear_notes",
        "referrals.referral_event.clear_reasons",
        "linkage.review_pair.clear_reasons",
        "linkage.link_decision.clear_reasons",
        "hearings.hearing.clear_notes",
        "proceedings.proceeding.clear_file_number",
        "proceedings.offender.clear_name",
        "documents.case_document.erase",
    }


def test_person_anonymisation_clears_every_encrypted_field_and_every_blind_index():
    (rule,) = [r for r in retention.discover() if r.record_type == "identification.Person"]
    indexes = {f.name for f in Person._meta.concrete_fields if f.name.endswith("_index")}
    assert {f.name for f in encrypted_fields(Person)} | indexes <= set(rule.clear_fields)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"record_type": "identification.Nobody"}, "no model"),
        ({"age_field": "archived_on"}, "no field"),
        ({"age_field": "birth_year"}, "DateTimeField"),
        ({"clear_fields": ("nickname",)}, "no field"),
        ({"action": "shred"}, "action"),
        ({"clear_fields": (), "set_values": {}}, "needs fields"),
        ({"period": retention.Period("PUNTE_NO_SUCH_SETTING")}, "PUNTE_NO_SUCH_SETTING"),
    ],
)
def test_a_mistaken_rule_is_refused_with_a_reason(changes, message):
    fields = {
        "name": "x",
        "record_type": "identification.Person",
        "age_field": "archived_at",
        "period": retention.Period("PUNTE_RETENTION_PERSON_ANONYMISE_DAYS"),
        "action": retention.ANONYMISE,
        "clear_fields": ("notes",),
        **changes,
    }
    with pytest.raises(ImproperlyConfigured, match=message):
        retention.RetentionRule(**fields).validate()


# --- persons ------------------------------------------------------------------------------------


def test_an_archived_person_is_due_only_when_the_period_has_passed():
    with freeze_time(T0):
        person = archived_person()
        create_person(family_name="Activ")  # never archived: never due
    with freeze_time(T0 + datetime.timedelta(days=PERSON_DAYS - 1)):
        early = run("--dry-run", "--rule", "identification.person.anonymise_archived")
    with freeze_time(T0 + datetime.timedelta(days=PERSON_DAYS + 1)):
        late = run("--dry-run", "--rule", "identification.person.anonymise_archived")
    assert "would anonymise 0 record(s)" in early
    assert "would anonymise 1 record(s)" in late
    assert str(person.pk) in late


def test_dry_run_shows_ids_never_names_and_changes_nothing():
    with freeze_time(T0):
        person = archived_person()
    stored = raw_row(person, ENCRYPTED)
    events = AuditEvent.objects.count()
    with freeze_time(T0 + datetime.timedelta(days=PERSON_DAYS + 1)):
        output = run("--dry-run")
    for name in ("Teodora", "Sârbu", "Sarbu", "teodora.sarbu", "Teo"):
        assert name not in output
    assert raw_row(person, ENCRYPTED) == stored
    assert AuditEvent.objects.count() == events
    assert "Nothing was changed" in output


def test_applying_anonymises_the_person_and_keeps_what_statistics_count():
    with freeze_time(T0):
        member = MembershipFactory(role_code="regional_officer")
        person = archived_person(actor=member, date_of_birth=datetime.date(2004, 6, 1))
    later = T0 + datetime.timedelta(days=PERSON_DAYS + 1)
    with freeze_time(later):
        output = run()
    assert "identification.person.anonymise_archived: anonymised 1 record(s)" in output

    again = Person.objects.get(pk=person.pk)
    assert all(getattr(again, name) is None for name in ENCRYPTED)
    assert (again.family_name_index, again.given_name_index, again.date_of_birth_index) == (
        "",
        "",
        "",
    )
    assert again.identity_unknown is True
    assert again.archive_reason == ""
    # Statistics still count the person by sex, birth year and citizenship.
    assert (again.sex, again.birth_year, again.citizenship_id) == ("female", 2004, "RO")
    # Changed by the system, now; not by the last user who edited it.
    assert again.modified_at == later and again.modified_by_id is None

    event = AuditEvent.objects.get(action="retention.anonymised")
    assert event.person_id == person.pk and event.subject_id == str(person.pk)
    assert event.changes["rule"] == "identification.person.anonymise_archived"
    assert "Teodora" not in str(event.changes) and "Sârbu" not in str(event.changes)

    # The blind indexes are gone: a search by the old name no longer reaches the record.
    Person.objects.filter(pk=person.pk).update(archived_at=None)
    assert not selectors.person_search_visible_to(actor=member, family_name="Sarbu").exists()


def test_a_second_run_has_nothing_left_to_do():
    with freeze_time(T0):
        archived_person()
    with freeze_time(T0 + datetime.timedelta(days=PERSON_DAYS + 1)):
        run()
        output = run("--dry-run")
    assert "would anonymise 0 record(s)" in output
    assert AuditEvent.objects.filter(action="retention.anonymised").count() == 1


def test_a_record_restored_from_the_archive_is_not_anonymised():
    with freeze_time(T0):
        person = archived_person()
    Person.objects.filter(pk=person.pk).update(archived_at=None)
    with freeze_time(T0 + datetime.timedelta(days=PERSON_DAYS + 1)):
        run()
    assert Person.objects.get(pk=person.pk).given_name == "Teodora"


def test_records_are_processed_in_batches_each_audited():
    with freeze_time(T0):
        people = [archived_person() for _ in range(5)]
    with freeze_time(T0 + datetime.timedelta(days=PERSON_DAYS + 1)):
        output = run("--batch-size", "2", "--rule", "identification.person.anonymise_archived")
    assert "2 record(s) anonymised so far" in output
    assert "4 record(s) anonymised so far" in output
    assert "anonymised 5 record(s)" in output
    audited = AuditEvent.objects.filter(action="retention.anonymised")
    assert set(audited.values_list("person_id", flat=True)) == {p.pk for p in people}


# --- idempotency records ------------------------------------------------------------------------


def idempotency_record(key: str) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        principal="token:abc", key=key, method="POST", path="/api/v1/persons", request_hash="0"
    )


def test_idempotency_records_are_erased_after_their_window():
    with freeze_time(T0):
        old = idempotency_record("k1")
    with freeze_time(T0 + datetime.timedelta(hours=20)):
        recent = idempotency_record("k2")
    with freeze_time(T0 + datetime.timedelta(hours=25)):
        output = run("--rule", "core.idempotency_record.erase_expired")
    assert "erased 1 record(s)" in output
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    event = AuditEvent.objects.get(action="retention.erased")
    assert event.subject_type == "core.idempotencyrecord" and event.subject_id == str(old.pk)


@override_settings(PUNTE_IDEMPOTENCY_TTL_HOURS=48)
def test_the_period_follows_the_setting():
    with freeze_time(T0):
        idempotency_record("k1")
    with freeze_time(T0 + datetime.timedelta(hours=25)):
        run()
    assert IdempotencyRecord.objects.count() == 1


# --- login sessions -----------------------------------------------------------------------------


def login_session(user, key: str, *, expires: datetime.datetime | None) -> UserSession:
    if expires is not None:
        Session.objects.create(session_key=key, session_data="", expire_date=expires)
    return UserSession.objects.create(session_key=key, user=user, ip_address="192.0.2.7")


def test_sessions_that_ended_are_erased_and_live_ones_kept():
    user = UserFactory()
    week = datetime.timedelta(days=7)
    with freeze_time(T0):
        login_session(user, "live" * 8, expires=T0 + 2 * week)
        login_session(user, "expired" + "x" * 25, expires=T0 + datetime.timedelta(hours=1))
        login_session(user, "gone" * 8, expires=None)  # logged out elsewhere
    with freeze_time(T0 + week):
        dry = run("--dry-run", "--rule", "accounts.user_session.erase_ended")
        run("--rule", "accounts.user_session.erase_ended")
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["live" * 8]
    # A session key is a secret: neither the output nor the audit trail shows it.
    assert "would erase 2 record(s)" in dry and str(user.pk) in dry
    assert "gone" not in dry and "expired" not in dry
    events = AuditEvent.objects.filter(action="retention.erased")
    assert events.count() == 2
    assert set(events.values_list("subject_id", flat=True)) == {str(user.pk)}


# --- the command --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rule", "no.such.rule"], "Unknown rule"),
        (["--batch-size", "0"], "at least 1"),
    ],
)
def test_bad_options_exit_with_status_2(args, message):
    with pytest.raises(CommandError, match=message) as error:
        run(*args)
    assert error.value.returncode == 2


@override_settings(PUNTE_RETENTION_PERSON_ANONYMISE_DAYS=-5)
def test_a_misconfigured_period_exits_with_status_2_naming_the_setting():
    with pytest.raises(CommandError, match="PUNTE_RETENTION_PERSON_ANONYMISE_DAYS") as error:
        run("--dry-run")
    assert error.value.returncode == 2
