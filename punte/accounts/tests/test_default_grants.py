"""The roles' defaults come from every app's permissions.py, and one idempotent step after each
migrate keeps the Role table in step with them without undoing an administrator's changes."""

import importlib

import pytest
from django.core.management import call_command

from punte.accounts.models import DefaultGrantOffered, Role, RolePermission
from punte.accounts.permissions import catalogue, roles
from punte.cases import permissions as cases_permissions
from punte.core.models import AuditEvent
from punte.documents import permissions as documents_permissions
from punte.hearings import permissions as hearings_permissions
from punte.proceedings import permissions as proceedings_permissions
from punte.referrals import permissions as referral_permissions

pytestmark = pytest.mark.django_db

# The catalogue and the roles as accounts/permissions.py wrote them by hand before each app
# declared its own: (name, scope, default permissions). Discovery must give exactly these.
ROLES_BEFORE_DISCOVERY = {
    "system_admin": (
        "Administrator (national agency)",
        "organisation",
        [
            "organisation.view",
            "organisation.manage",
            "user.manage",
            "role.manage",
            "audit.verify",
            "service.manage",
        ],
    ),
    "national_coordinator": (
        "National coordinator",
        "all",
        [
            "organisation.view",
            "person.view",
            "signal.view",
            "signal.triage",
            "screening.view",
            "dashboard.national",
            "referral.view",
            "referral.monitor",
        ],
    ),
    "regional_officer": (
        "Regional centre officer",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "screening.conduct",
            "screening.view",
            "consent.record",
            "dashboard.national",
            "referral.view",
            "referral.send",
            "referral.respond",
        ],
    ),
    "first_responder": (
        "First responder",
        "own",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "screening.conduct",
            "screening.view",
            "consent.record",
            "referral.view",
            "referral.send",
        ],
    ),
    "police_investigator": (
        "Police investigator",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "screening.conduct",
            "screening.view",
            "consent.record",
            "decision.record",
            "referral.view",
            "referral.send",
            "referral.respond",
        ],
    ),
    "prosecutor": (
        "Prosecutor",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "screening.view",
            "decision.record",
            "referral.view",
            "referral.send",
            "referral.respond",
        ],
    ),
    "child_protection_officer": (
        "Child protection officer",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "screening.conduct",
            "screening.view",
            "consent.record",
            "referral.view",
            "referral.send",
            "referral.respond",
        ],
    ),
    "child_protection_supervisor": (
        "Child protection supervisor",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "screening.conduct",
            "screening.view",
            "consent.record",
            "referral.view",
            "referral.send",
            "referral.respond",
            "referral.escalation",
        ],
    ),
    "helpline_operator": (
        "119 helpline operator",
        "own",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "referral.view",
            "referral.send",
        ],
    ),
    "clinician": (
        "Emergency physician",
        "own",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "screening.conduct",
            "screening.view",
            "consent.record",
            "referral.view",
            "referral.send",
        ],
    ),
    "ngo_caseworker": (
        "NGO caseworker",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "screening.conduct",
            "screening.view",
            "consent.record",
            "referral.view",
            "referral.send",
            "referral.respond",
        ],
    ),
    "service_provider": (
        "Service provider",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "referral.view",
            "referral.send",
            "referral.respond",
        ],
    ),
    "fund_commission_member": (
        "Emergency fund commission member",
        "own",
        ["organisation.view"],
    ),
    "cyber_investigator": (
        "Cyber investigator",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "referral.view",
            "referral.send",
        ],
    ),
    "alert_issuer": (
        "Missing-child alert issuer",
        "own",
        ["organisation.view"],
    ),
    "evaluator": (
        "Independent evaluator",
        "own",
        ["organisation.view"],
    ),
    "data_protection_officer": (
        "Data protection officer",
        "own",
        ["organisation.view", "audit.view_person_access", "audit.search", "audit.verify"],
    ),
    "auditor": (
        "Auditor",
        "own",
        ["organisation.view", "audit.search", "audit.verify"],
    ),
    "data_analyst": (
        "Data analyst (national agency)",
        "all",
        ["organisation.view", "linkage.review", "linkage.run", "dashboard.national"],
    ),
    "unit_supervisor": (
        "Head of unit (supervisor)",
        "organisation",
        [
            "organisation.view",
            "person.view",
            "person.create",
            "person.change",
            "signal.view",
            "signal.create",
            "signal.triage",
            "referral.escalation",
            "referral.view",
            "referral.send",
            "referral.respond",
        ],
    ),
}
PERMISSIONS_BEFORE_DISCOVERY = [
    "audit.search",
    "audit.verify",
    "audit.view_person_access",
    "consent.record",
    "dashboard.national",
    "decision.record",
    "linkage.review",
    "linkage.run",
    "organisation.manage",
    "organisation.view",
    "person.change",
    "person.create",
    "person.view",
    "referral.escalation",
    "referral.monitor",
    "referral.respond",
    "referral.send",
    "referral.view",
    "role.manage",
    "screening.conduct",
    "screening.view",
    "service.manage",
    "signal.create",
    "signal.triage",
    "signal.view",
    "user.manage",
]


# Apps added since discovery contribute their defaults on top of the roles written by hand.
ADDED_SINCE = (
    cases_permissions,
    hearings_permissions,
    proceedings_permissions,
    documents_permissions,
)


def _defaults(code: str) -> set[str]:
    return set(ROLES_BEFORE_DISCOVERY[code][2]).union(
        *(app.DEFAULT_GRANTS.get(code, ()) for app in ADDED_SINCE)
    )


def _all_defaults() -> dict[str, set[str]]:
    return {code: _defaults(code) for code in ROLES_BEFORE_DISCOVERY}


def _held() -> dict[str, set[str]]:
    held: dict[str, set[str]] = {}
    for code, permission in RolePermission.objects.values_list("role_id", "permission"):
        held.setdefault(code, set()).add(permission)
    return held


def test_the_discovered_roles_are_those_written_by_hand_before():
    # A role holds a set of permissions (checks ask "is it in"); the order in which the apps
    # contribute them carries no meaning, and no permission is listed twice.
    discovered = {
        code: (str(name), scope, sorted(permissions))
        for code, (name, scope, permissions) in roles().items()
    }
    assert all(len(set(p)) == len(p) for _n, _s, p in roles().values())
    assert discovered == {
        code: (name, scope, sorted(_defaults(code)))
        for code, (name, scope, _permissions) in ROLES_BEFORE_DISCOVERY.items()
    }
    added = [code for app in ADDED_SINCE for code in app.PERMISSIONS]
    assert sorted(catalogue()) == sorted(PERMISSIONS_BEFORE_DISCOVERY + added)


def test_a_migrated_database_gives_every_role_exactly_its_defaults():
    assert set(Role.objects.values_list("code", flat=True)) == set(ROLES_BEFORE_DISCOVERY)
    assert _held() == _all_defaults()


def test_migrate_again_does_not_restore_a_grant_the_administrator_removed():
    RolePermission.objects.filter(role_id="regional_officer", permission="referral.send").delete()
    RolePermission.objects.create(role_id="auditor", permission="person.view")
    call_command("migrate", verbosity=0)
    held = _held()
    assert "referral.send" not in held["regional_officer"]
    assert "person.view" in held["auditor"]


def test_a_default_an_app_adds_reaches_existing_roles_on_the_next_migrate(monkeypatch):
    # Removed by the administrator earlier: the new default does not bring it back.
    RolePermission.objects.filter(role_id="prosecutor", permission="referral.send").delete()
    monkeypatch.setitem(
        referral_permissions.DEFAULT_GRANTS, "auditor", ["referral.view", "referral.monitor"]
    )
    call_command("migrate", verbosity=0)
    held = _held()
    assert {"referral.view", "referral.monitor"} <= held["auditor"]
    assert "referral.send" not in held["prosecutor"]
    [granted] = AuditEvent.objects.filter(action="role.default_permissions_granted")
    assert (granted.subject_id, granted.changes) == (
        "auditor",
        {"added": ["referral.monitor", "referral.view"]},
    )
    # Offered once: taken away by the administrator, it stays away on the migrate after.
    RolePermission.objects.filter(role_id="auditor", permission="referral.monitor").delete()
    call_command("migrate", verbosity=0)
    assert "referral.monitor" not in _held()["auditor"]


def test_reset_restores_exactly_the_defaults():
    RolePermission.objects.filter(role_id="regional_officer", permission="referral.send").delete()
    RolePermission.objects.create(role_id="auditor", permission="person.view")
    call_command("seed_roles", "--reset", verbosity=0)
    assert _held() == _all_defaults()


def test_a_database_made_before_the_ledger_keeps_what_its_administrator_removed():
    # The state of a database migrated by the code before the ledger: roles with their defaults
    # (one removed by an administrator), nothing recorded as offered.
    from django.apps import apps

    record_offered = importlib.import_module(
        "punte.accounts.migrations.0004_default_grant_offered"
    ).record_offered
    DefaultGrantOffered.objects.all().delete()
    RolePermission.objects.filter(role_id="clinician", permission="screening.conduct").delete()
    record_offered(apps, None)
    call_command("migrate", verbosity=0)
    assert "screening.conduct" not in _held()["clinician"]
    assert DefaultGrantOffered.objects.filter(role_id="clinician").count() == len(
        _defaults("clinician")
    )
