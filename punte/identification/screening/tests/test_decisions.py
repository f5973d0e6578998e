import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.formats import date_format
from freezegun import freeze_time

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening import selectors
from punte.identification.screening.models import (
    IdentificationDecision,
    ReflectionPeriod,
    ReflectionReminder,
)
from punte.identification.screening.services import decisions
from punte.identification.screening.tests.factories import (
    foreign_person,
    make_competent,
    running_period,
)
from punte.notifications.models import Notification

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2026-11-28 09:00:00"):
        yield


@pytest.fixture
def prosecutor():
    return make_competent(MembershipFactory(role_code="prosecutor"))


def _decide(actor, person, **changes):
    arguments = {
        "actor": actor,
        "person": person,
        "outcome": "identified_victim",
        "decided_on": TODAY,
        "grounds": "Statement and labour inspection report",
        "exploitation_forms": ["labour"],
        **changes,
    }
    return decisions.decision_record(**arguments)


def test_a_prosecutor_records_a_decision_with_encrypted_grounds(prosecutor):
    person = create_person(actor=prosecutor)
    decision = _decide(prosecutor, person)
    stored = IdentificationDecision.objects.get(pk=decision.pk)
    assert (stored.outcome, stored.decided_on, stored.exploitation_forms) == (
        "identified_victim",
        TODAY,
        ["labour"],
    )
    assert stored.grounds == "Statement and labour inspection report"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT grounds FROM identification_identificationdecision WHERE id = %s",
            [decision.pk.hex if connection.vendor == "sqlite" else decision.pk],
        )
        raw = cursor.fetchone()[0]
    assert "labour inspection" not in raw
    event = AuditEvent.objects.get(action="decision.recorded")
    assert event.person_id == person.pk
    assert "labour inspection" not in str(event.changes)
    assert decisions_for(prosecutor, person) == [decision.pk]


def decisions_for(actor, person):
    return [d.pk for d in selectors.decisions_for_person(actor=actor, person=person)]


def test_the_police_is_a_competent_authority_too():
    police = make_competent(
        MembershipFactory(role_code="police_investigator"), OrganisationType.POLICE
    )
    _decide(police, create_person(actor=police), outcome="presumed_victim")
    assert IdentificationDecision.objects.count() == 1


def test_a_decision_by_an_organisation_that_is_not_a_competent_authority_changes_nothing():
    # A prosecutor's role in an NGO: the role holds decision.record, the organisation is not
    # a competent authority.
    member = MembershipFactory(role_code="prosecutor")
    person = create_person(actor=MembershipFactory(role_code="regional_officer"))
    with pytest.raises(ServiceError) as refused:
        _decide(member, person)
    assert refused.value.field == "organisation"
    assert "not a competent authority" in refused.value.message
    assert not IdentificationDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="decision.recorded").exists()


def test_a_role_without_the_permission_is_refused_even_at_a_prosecutors_office():
    officer = make_competent(MembershipFactory(role_code="regional_officer"))
    with pytest.raises(ServiceError) as refused:
        _decide(officer, create_person(actor=officer))
    assert refused.value.status == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decided_on": datetime.date(2026, 11, 29)}, "decided_on"),
        ({"outcome": "maybe"}, "outcome"),
        ({"grounds": "  "}, "grounds"),
        ({"exploitation_forms": []}, "exploitation_forms"),
        ({"exploitation_forms": ["piracy"]}, "exploitation_forms"),
    ],
)
def test_bad_decisions_are_named_and_change_nothing(prosecutor, changes, field):
    person = create_person(actor=prosecutor)
    with pytest.raises(ServiceError) as refused:
        _decide(prosecutor, person, **changes)
    assert refused.value.field == field
    assert not IdentificationDecision.objects.exists()


def test_not_a_victim_needs_no_exploitation_form(prosecutor):
    _decide(
        prosecutor, create_person(actor=prosecutor), outcome="not_a_victim", exploitation_forms=[]
    )


def test_later_decisions_supersede_and_the_history_stays(prosecutor):
    person = create_person(actor=prosecutor)
    first = _decide(
        prosecutor, person, outcome="presumed_victim", decided_on=datetime.date(2026, 11, 1)
    )
    second = _decide(prosecutor, person)
    assert decisions_for(prosecutor, person) == [second.pk, first.pk]


# --- Recovery and reflection period -------------------------------------------------------


def test_a_foreign_victim_gets_a_period_of_at_most_90_days(prosecutor):
    person = foreign_person(prosecutor)
    decision = _decide(prosecutor, person)
    with pytest.raises(ServiceError) as refused:
        decisions.reflection_period_start(
            actor=prosecutor,
            person=person,
            starts_on=TODAY,
            ends_on=TODAY + datetime.timedelta(days=90),
            decision=decision,
        )
    assert refused.value.field == "ends_on"
    # 28 Nov + 89 days: the 90th day, in the reader's form of a date
    assert date_format(datetime.date(2027, 2, 25), "DATE_FORMAT") in refused.value.message
    period = decisions.reflection_period_start(
        actor=prosecutor,
        person=person,
        starts_on=TODAY,
        ends_on=datetime.date(2027, 2, 25),
        decision=decision,
    )
    assert [(e.kind, e.ends_on) for e in period.events.all()] == [
        ("started", datetime.date(2027, 2, 25))
    ]


def test_no_period_for_a_romanian_or_unknown_citizenship(prosecutor):
    for citizenship in ("RO", None):
        person = create_person(actor=prosecutor, citizenship=citizenship)
        with pytest.raises(ServiceError) as refused:
            decisions.reflection_period_start(
                actor=prosecutor, person=person, starts_on=TODAY, ends_on=TODAY
            )
        assert refused.value.field == "person"
    assert not ReflectionPeriod.objects.exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (datetime.date(2026, 11, 29), datetime.date(2026, 12, 29), "starts_on"),
        (TODAY, datetime.date(2026, 11, 27), "ends_on"),
    ],
)
def test_bad_period_dates(prosecutor, starts_on, ends_on, field):
    with pytest.raises(ServiceError) as refused:
        decisions.reflection_period_start(
            actor=prosecutor,
            person=foreign_person(prosecutor),
            starts_on=starts_on,
            ends_on=ends_on,
        )
    assert refused.value.field == field


def test_one_period_at_a_time(prosecutor):
    person = foreign_person(prosecutor)
    running_period(person, days=30, actor=prosecutor)
    with pytest.raises(ServiceError) as refused:
        decisions.reflection_period_start(
            actor=prosecutor, person=person, starts_on=TODAY, ends_on=TODAY
        )
    assert refused.value.status == 409
    assert ReflectionPeriod.objects.count() == 1


def test_a_period_not_granted_by_a_competent_authority_is_refused():
    member = MembershipFactory(role_code="police_investigator")  # an NGO organisation
    with pytest.raises(ServiceError) as refused:
        running_period(foreign_person(member), actor=member)
    assert refused.value.field == "organisation"


def test_extension_within_90_days_then_termination(prosecutor):
    period = running_period(foreign_person(prosecutor), days=30, actor=prosecutor)
    with pytest.raises(ServiceError) as refused:
        decisions.reflection_period_extend(
            actor=prosecutor, period=period, ends_on=datetime.date(2027, 3, 1), reason="Therapy"
        )
    assert refused.value.field == "ends_on"
    with pytest.raises(ServiceError) as refused:
        decisions.reflection_period_extend(
            actor=prosecutor, period=period, ends_on=datetime.date(2027, 1, 10), reason=""
        )
    assert refused.value.field == "reason"
    decisions.reflection_period_extend(
        actor=prosecutor, period=period, ends_on=datetime.date(2027, 2, 25), reason="Therapy"
    )
    with pytest.raises(ServiceError) as refused:
        decisions.reflection_period_extend(
            actor=prosecutor, period=period, ends_on=datetime.date(2027, 2, 20), reason="Shorter"
        )
    assert refused.value.field == "ends_on"
    decisions.reflection_period_terminate(
        actor=prosecutor, period=period, on=TODAY, reason="Chose to cooperate"
    )
    period.refresh_from_db()
    assert (period.status, period.ends_on, period.terminated_on) == ("terminated", TODAY, TODAY)
    assert [e.kind for e in period.events.order_by("recorded_at", "id")] == [
        "started",
        "extended",
        "terminated",
    ]
    with pytest.raises(ServiceError) as refused:
        decisions.reflection_period_extend(
            actor=prosecutor, period=period, ends_on=datetime.date(2027, 1, 1), reason="Again"
        )
    assert refused.value.status == 409


def test_periods_ending_worklist(prosecutor):
    soon = running_period(foreign_person(prosecutor), days=10, actor=prosecutor)
    running_period(foreign_person(prosecutor), days=60, actor=prosecutor)
    assert [
        p.pk for p in selectors.reflection_periods_ending_for(actor=prosecutor, within_days=14)
    ] == [soon.pk]
    stranger = make_competent(MembershipFactory(role_code="prosecutor"))
    assert not selectors.reflection_periods_ending_for(actor=stranger, within_days=90).exists()


# --- Reminders (the cron command) -----------------------------------------------------------


def _reminders(prosecutor):
    # The end day is stored as a day (written in each reader's form), the count as a number.
    return [
        {"ends_on": params["ends_on"]["date"], "days": str(params["days"])}
        for params in Notification.objects.filter(
            recipient=prosecutor, kind="reflection_period.ending"
        )
        .order_by("created_at")
        .values_list("params", flat=True)
    ]


def test_reminders_14_and_3_days_before_the_end_each_sent_once(prosecutor):
    period = running_period(foreign_person(prosecutor), days=30, actor=prosecutor)
    assert period.ends_on == datetime.date(2026, 12, 27)
    with freeze_time("2026-12-12 06:00:00"):  # 15 days before
        call_command("send_reflection_reminders")
    assert _reminders(prosecutor) == []
    for day in ("2026-12-13 06:00:00", "2026-12-13 18:00:00", "2026-12-14 06:00:00"):
        with freeze_time(day):
            call_command("send_reflection_reminders")
    assert _reminders(prosecutor) == [{"ends_on": "2026-12-27", "days": "14"}]
    with freeze_time("2026-12-24 06:00:00"):
        call_command("send_reflection_reminders")
        call_command("send_reflection_reminders")
    assert _reminders(prosecutor) == [
        {"ends_on": "2026-12-27", "days": "14"},
        {"ends_on": "2026-12-27", "days": "3"},
    ]
    assert AuditEvent.objects.filter(action="reflection_period.reminded").count() == 2


def test_a_late_first_run_sends_only_the_nearest_reminder(prosecutor):
    running_period(foreign_person(prosecutor), days=30, actor=prosecutor)
    with freeze_time("2026-12-25 06:00:00"):
        call_command("send_reflection_reminders")
        call_command("send_reflection_reminders")
    assert _reminders(prosecutor) == [{"ends_on": "2026-12-27", "days": "2"}]
    assert sorted(ReflectionReminder.objects.values_list("days_before", "sent")) == [
        (3, True),
        (14, False),
    ]


def test_an_extension_earns_fresh_reminders_and_a_terminated_period_none(prosecutor):
    period = running_period(foreign_person(prosecutor), days=20, actor=prosecutor)
    call_command("send_reflection_reminders")  # 19 days left: nothing yet
    with freeze_time("2026-12-05 06:00:00"):
        call_command("send_reflection_reminders")  # 12 days left
        decisions.reflection_period_extend(
            actor=prosecutor, period=period, ends_on=datetime.date(2027, 1, 20), reason="Therapy"
        )
    with freeze_time("2027-01-06 06:00:00"):
        call_command("send_reflection_reminders")
    assert [r["ends_on"] for r in _reminders(prosecutor)] == ["2026-12-17", "2027-01-20"]
    other = running_period(foreign_person(prosecutor), days=20, actor=prosecutor)
    decisions.reflection_period_terminate(actor=prosecutor, period=other, on=TODAY, reason="Left")
    with freeze_time("2026-12-10 06:00:00"):
        call_command("send_reflection_reminders")
    assert len(_reminders(prosecutor)) == 2


def test_the_command_rejects_a_bad_date():
    with pytest.raises(CommandError) as refused:
        call_command("send_reflection_reminders", "--today", "yesterday")
    assert refused.value.returncode == 2
