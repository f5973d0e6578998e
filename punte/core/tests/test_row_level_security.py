"""Row-level security under the selectors (ADR 0036), on PostgreSQL.

The tests switch their connection to a role that row-level security restricts (the test
database belongs to the superuser, which it never does), then ask with the selectors out of the
way: raw querysets under each membership, and the whole permission matrix with every selector
told that the caller's scope is "all". Nothing outside the caller's real scope may come back.
"""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from punte.accounts.models import Membership, Role
from punte.accounts.permissions import ROLE_DEFINITIONS, Scope
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core import contract, rls
from punte.identification.persons.models import Person
from punte.identification.persons.selectors import person_list_visible_to
from punte.identification.screening.services import consent, decisions
from punte.identification.screening.tests.factories import (
    foreign_person,
    make_competent,
    running_period,
)
from punte.identification.signals.models import Signal
from punte.identification.signals.selectors import signal_list_visible_to
from punte.identification.signals.services.signal import SignalPersonInput
from punte.identification.signals.tests.factories import (
    create_public_report,
    create_signal,
    national_agency,
)
from punte.referrals.models import Referral
from punte.referrals.selectors import referral_list_visible_to
from punte.testing.api import ApiClient
from punte.testing.permission_matrix import CREATE, LIST, expected_status
from punte.testing.rls import subject_to_row_level_security

pytestmark = pytest.mark.postgres

# The endpoints of the apps whose tables row-level security protects (those with an rls.py):
# the matrix below bypasses their selectors and expects the database alone to hold the line.
_PROTECTED = {module.__name__.rsplit(".", 1)[0] for module in contract.modules("rls")}
ENDPOINTS = [
    endpoint
    for package, endpoints in contract.contributions("tests.endpoints", "ENDPOINTS")
    if package in _PROTECTED
    for endpoint in endpoints
]
RESTRICTED_ROLES = sorted(
    code for code, (_, scope) in ROLE_DEFINITIONS.items() if scope != Scope.ALL
)


def _matrix_cases() -> list[tuple[str, str]]:
    """One role for each scope and set of default permissions over the endpoints (roles alike
    there answer alike), against another organisation's record, and, for scope "own", against
    a colleague's: the two places the database must keep a record out of reach."""
    defaults: dict[str, set[str]] = {}
    for _, grants in contract.contributions("permissions", "DEFAULT_GRANTS"):
        for role, permissions in grants.items():
            defaults.setdefault(role, set()).update(permissions)
    used = {endpoint.permission for endpoint in ENDPOINTS}
    representatives: dict[tuple, str] = {}
    for code in RESTRICTED_ROLES:
        scope = ROLE_DEFINITIONS[code][1]
        representatives.setdefault((scope, frozenset(defaults.get(code, set()) & used)), code)
    cases = []
    for (scope, _), code in sorted(representatives.items(), key=lambda item: item[1]):
        cases.append((code, "other organisation"))
        if scope == Scope.OWN:
            cases.append((code, "own organisation"))
    return cases


# Issue 12 names these; an app adds its own in its rls.py (docs/NEW_APP.md).
REQUIRED = {
    "identification.Person",
    "identification.Person_languages",
    "identification.PersonCitizenship",
    "identification.PersonAccess",
    "identification.Signal",
    "identification.SignalPerson",
    "identification.SignalTransition",
    "identification.Screening",
    "identification.ConsentEvent",
    "identification.AnonymousNotification",
    "identification.IdentificationDecision",
    "identification.ReflectionPeriod",
    "identification.ReflectionPeriodEvent",
    "referrals.Referral",
    "referrals.ReferralEvent",
}


def _models():
    return [apps.get_model(*policy.model.split(".", 1)) for policy in rls.policies()]


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in _models()}


def _make_every_record(owner) -> None:
    """A record in every protected table: what each endpoint is tried on, and the rest."""
    for endpoint in ENDPOINTS:
        if endpoint.make_record is not None:
            endpoint.make_record(owner)
    person = foreign_person(owner, languages=["ukr"])
    create_signal(
        owner,
        people=[
            SignalPersonInput(person_id=person.pk),
            SignalPersonInput(description="A boy of about 15 who speaks Ukrainian."),
        ],
    )
    today = timezone.localdate()
    consent.consent_record(
        actor=owner,
        person=person,
        purpose="referral",
        decision="consented",
        decided_on=today,
        rights_language="uk",
    )
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    decisions.decision_record(
        actor=prosecutor,
        person=person,
        outcome="presumed_victim",
        decided_on=today,
        grounds="Indicators of forced labour.",
        exploitation_forms=["labour"],
    )
    period = running_period(person, days=30, actor=prosecutor)
    decisions.reflection_period_extend(
        actor=prosecutor,
        period=period,
        ends_on=period.ends_on + datetime.timedelta(days=10),
        reason="Still recovering.",
    )


def _ids(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def _actor_setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [rls.SETTING])
        return cursor.fetchone()[0] or ""


@pytest.mark.django_db
def test_every_table_of_personal_data_has_row_level_security_forced():
    assert {policy.model for policy in rls.policies()} >= REQUIRED
    assert rls.unprotected_tables() == []


@pytest.mark.django_db
def test_raw_querysets_show_nothing_outside_the_membership_scope():
    owner = MembershipFactory(role_code="regional_officer")
    _make_every_record(owner)
    everything = _counts()
    # The records reach every table the issue names: the test cannot pass on empty tables.
    empty = {label for label in REQUIRED if not everything[label]}
    assert not empty, empty

    strangers = [
        MembershipFactory(organisation=OrganisationFactory(), role_code=code)
        for code in RESTRICTED_ROLES
    ]
    colleague = MembershipFactory(organisation=owner.organisation, role_code="first_responder")
    national = MembershipFactory(role_code="national_coordinator")
    with subject_to_row_level_security():
        with rls.acting(None):
            assert set(_counts().values()) == {0}, "nobody sees nothing"
        for stranger in strangers:
            with rls.acting(stranger):
                assert set(_counts().values()) == {0}, stranger.role_id
        with rls.acting(colleague):
            # Scope "own": nothing a colleague recorded.
            assert _counts()["identification.Person"] == 0
        with rls.acting(owner):
            # Exactly the selector's persons; never less than any selector shows.
            assert _ids(Person.objects.filter(archived_at__isnull=True)) == _ids(
                person_list_visible_to(actor=owner)
            )
            assert _ids(Signal.objects.all()) >= _ids(signal_list_visible_to(actor=owner))
            assert _ids(Referral.objects.all()) >= _ids(referral_list_visible_to(actor=owner))
        with rls.acting(national):
            assert _counts() == everything
        with rls.system("test: the system sees every row"):
            assert _counts() == everything
        inactive = Membership.objects.get(pk=owner.pk)
        inactive.is_active = False
        with rls.system("test: deactivating a membership"):
            inactive.save(update_fields=["is_active"])
        with rls.acting(owner):
            assert set(_counts().values()) == {0}, "an inactive membership sees nothing"


@pytest.mark.django_db
def test_a_malformed_principal_sees_nothing():
    _make_every_record(MembershipFactory(role_code="regional_officer"))
    with subject_to_row_level_security(), connection.cursor() as cursor:
        for value in ("not-a-uuid", "SYSTEM", "00000000-0000-0000-0000-000000000000"):
            cursor.execute(rls.principal_sql(connection, "%s"), [value])
            cursor.execute("SELECT count(*) FROM identification_person")
            assert cursor.fetchone()[0] == 0, value
            # Set by hand, without its organisation: nothing either.
            cursor.execute("SELECT set_config(%s, %s, false)", [rls.SETTING, value])
            cursor.execute("SELECT count(*) FROM identification_person")
            assert cursor.fetchone()[0] == 0, value
        cursor.execute(rls.principal_sql(connection, "%s"), [""])


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@pytest.mark.parametrize(("role_code", "where"), _matrix_cases())
def test_permission_matrix_with_the_selectors_bypassed(monkeypatch, role_code, endpoint, where):
    """The matrix of test_permission_matrix.py, with every selector believing the caller may see
    every organisation's records: the database alone keeps the scope."""
    home = OrganisationFactory()
    elsewhere = OrganisationFactory()
    role = Role.objects.get(code=role_code)
    caller = MembershipFactory(organisation=home, role=role)
    owner_org = home if where == "own organisation" else elsewhere
    owner = MembershipFactory(organisation=owner_org, role_code="regional_officer")
    record = endpoint.make_record(owner) if endpoint.make_record else None
    client = ApiClient(caller)
    body = endpoint.body(record) if endpoint.body else None

    monkeypatch.setattr(Membership, "scope", property(lambda membership: Scope.ALL))
    with subject_to_row_level_security():
        response = client.request(endpoint.method, endpoint.path(record), body)

    expected = expected_status(
        endpoint=endpoint,
        permissions=caller.permission_codes,
        scope=role.scope,
        same_organisation=(owner_org == home),
        own_record=False,
    )
    if endpoint.kind == LIST:
        assert response.status_code == 200, response.content
        ids = {item["id"] for item in response.json()["items"]}
        listed = endpoint.record_id(record) in ids
        assert ("listed" if listed else "not listed") == expected
    elif endpoint.kind == CREATE:
        assert response.status_code == expected, response.content
    else:
        assert response.status_code == expected, response.content


@pytest.mark.django_db
def test_a_request_leaves_its_connection_acting_for_nobody():
    membership = MembershipFactory(role_code="regional_officer")
    client = ApiClient(membership)
    response = client.get("/persons")
    assert response.status_code == 200
    assert _actor_setting() == ""
    assert rls.current() == ""


@pytest.mark.django_db
def test_contexts_nest_and_restore():
    membership = MembershipFactory(role_code="regional_officer")
    with rls.acting(membership):
        assert _actor_setting() == str(membership.pk)
        with rls.system("test: nested"):
            assert _actor_setting() == rls.SYSTEM
        assert _actor_setting() == str(membership.pk)
    assert _actor_setting() == ""
    with pytest.raises(ValueError):
        rls.system(" ")


@pytest.mark.django_db(transaction=True)
def test_a_connection_opened_inside_a_context_acts_in_it():
    """The task worker closes its connection between tasks: the next one must keep acting
    as the system, not as nobody."""
    with rls.system("test: a worker reconnecting"):
        connection.close()
        assert _actor_setting() == rls.SYSTEM
    connection.close()
    assert _actor_setting() == ""


@pytest.mark.django_db
def test_the_deployment_check_names_a_role_that_escapes_row_level_security():
    from punte.core.checks import row_level_security

    # Tests connect as the superuser, which row-level security does not restrict.
    messages = row_level_security(databases=["default"])
    assert [m.id for m in messages] == ["punte.W031"]
    with subject_to_row_level_security():
        assert row_level_security(databases=["default"]) == []


@pytest.mark.django_db
def test_work_no_membership_does_runs_in_the_system_context():
    """The anonymous public report writes a signal as the system, which it declares. Acting for
    nobody, the same writes are refused: an insert raises, an update finds no row."""
    national_agency("RO-CJ")
    with subject_to_row_level_security():
        signal = create_public_report()
        with rls.system("test: reading what the public report wrote"):
            assert Signal.objects.filter(pk=signal.pk).exists()
        with rls.acting(None):
            assert Signal.objects.filter(pk=signal.pk).update(status="closed") == 0
            with (
                pytest.raises(DatabaseError, match="row-level security"),
                transaction.atomic(),
            ):
                Signal.objects.bulk_create([Signal(**_copy(signal))])


def _copy(instance) -> dict:
    fields = instance._meta.concrete_fields
    return {f.attname: getattr(instance, f.attname) for f in fields if not f.primary_key}


@pytest.mark.django_db
def test_a_context_left_by_an_error_in_a_transaction_leaves_nothing_behind():
    """An error inside `rls.system()` within a transaction: the original error reaches the
    caller, and after the rollback the connection acts as before the context."""
    with (
        pytest.raises(DatabaseError, match="division by zero"),
        transaction.atomic(),
        rls.system("test: failing inside a transaction"),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    assert _actor_setting() == ""
    with transaction.atomic():
        try:
            with rls.system("test: an error caught inside the transaction"):
                raise ValueError
        except ValueError:
            pass
        assert _actor_setting() == ""
