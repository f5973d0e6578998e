"""The administration services on their own: permission, validation, audit, concurrency."""

import threading

import pytest
from django.db import connection

from punte.accounts.models import Membership, Organisation, Role, RolePermission, User
from punte.accounts.services import memberships, organisations, roles, users
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent


def _role_with(*permissions, code="custom"):
    role = Role.objects.create(code=code, name=code, scope="organisation")
    for permission in permissions:
        RolePermission.objects.create(role=role, permission=permission)
    return role


def _org_input(**overrides):
    data = {"name": "IPJ Iași", "code": "ipj-iasi", "type": "police", "county_id": "RO-IS"}
    data.update(overrides)
    return organisations.OrganisationInput(**data)


def _user_input(user, **overrides):
    return users.UserInput(**{**users.user_values(user), **overrides})


@pytest.mark.django_db
def test_every_administration_service_checks_the_actors_permission():
    outsider = MembershipFactory(role_code="regional_officer")
    member = MembershipFactory()
    role = Role.objects.get(code="regional_officer")
    calls = [
        lambda: organisations.organisation_create(actor=outsider, data=_org_input()),
        lambda: organisations.organisation_update(
            actor=outsider, organisation=member.organisation, data=_org_input()
        ),
        lambda: organisations.organisation_set_active(
            actor=outsider, organisation=member.organisation, active=False, reason="x"
        ),
        lambda: users.user_create(
            actor=outsider,
            username="new.user",
            data=_user_input(member.user, email="n@example.test"),
            organisation=member.organisation,
            role=role,
        ),
        lambda: users.user_update(
            actor=outsider, user=member.user, data=_user_input(member.user, last_name="X")
        ),
        lambda: users.user_reactivate(actor=outsider, user=member.user, reason="x"),
        lambda: users.user_setup_link_issue(
            actor=outsider, user=member.user, build_url=lambda u, t: "x"
        ),
        lambda: memberships.membership_add(
            actor=outsider, user=member.user, organisation=OrganisationFactory(), role=role
        ),
        lambda: memberships.membership_change_role(
            actor=outsider, membership=member, role=Role.objects.get(code="prosecutor")
        ),
        lambda: memberships.membership_deactivate(actor=outsider, membership=member, reason="x"),
        lambda: roles.role_permissions_set(actor=outsider, role=role, permissions=[]),
    ]
    events = AuditEvent.objects.count()
    for call in calls:
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.status == 403
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_organisation_create_normalises_and_audits():
    admin = MembershipFactory(role_code="system_admin")
    organisation = organisations.organisation_create(
        actor=admin, data=_org_input(name="  IPJ Iași ", code="IPJ-Iasi", email="A@IPJ.example")
    )
    assert (organisation.name, organisation.code, organisation.email) == (
        "IPJ Iași",
        "ipj-iasi",
        "a@ipj.example",
    )
    event = AuditEvent.objects.get(action="organisation.created")
    assert event.organisation_id == admin.organisation_id
    assert event.changes["county_id"] == {"old": None, "new": "RO-IS"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"code": "-bad"}, "code"),
        ({"type": "bakery"}, "type"),
        ({"county_id": "RO-ZZ"}, "county"),
        ({"email": "no"}, "email"),
        ({"parent_id": "00000000-0000-0000-0000-000000000001"}, "parent"),
    ],
)
def test_organisation_input_is_validated_by_the_service_too(overrides, field):
    admin = MembershipFactory(role_code="system_admin")
    with pytest.raises(ServiceError) as refused:
        organisations.organisation_create(actor=admin, data=_org_input(**overrides))
    assert refused.value.field == field
    assert not Organisation.objects.filter(code="ipj-iasi").exists()


@pytest.mark.django_db
def test_an_unchanged_save_or_a_repeated_deactivation_writes_nothing():
    admin = MembershipFactory(role_code="system_admin")
    organisation = organisations.organisation_create(actor=admin, data=_org_input())
    events = AuditEvent.objects.count()
    organisations.organisation_update(actor=admin, organisation=organisation, data=_org_input())
    assert AuditEvent.objects.count() == events
    organisations.organisation_set_active(
        actor=admin, organisation=organisation, active=False, reason="closed"
    )
    organisations.organisation_set_active(
        actor=admin, organisation=organisation, active=False, reason="closed again"
    )
    assert AuditEvent.objects.filter(action="organisation.deactivated").count() == 1


@pytest.mark.django_db
def test_without_based_on_the_submitted_values_win():
    admin = MembershipFactory(role_code="system_admin")
    member = MembershipFactory(user__last_name="Pop")
    users.user_update(
        actor=admin, user=member.user, data=_user_input(member.user, last_name="Popa")
    )
    member.user.refresh_from_db()
    assert member.user.last_name == "Popa"


@pytest.mark.django_db
def test_deactivating_the_last_role_manager_is_refused_whoever_asks():
    # Someone who may manage users but not roles must not be able to lock the roles for good.
    only_admin = MembershipFactory(role_code="system_admin")
    user_manager = MembershipFactory(role=_role_with("user.manage", "organisation.manage"))
    with pytest.raises(ServiceError) as refused:
        users.user_deactivate(actor=user_manager.user, user=only_admin.user, reason="x")
    assert refused.value.status == 409
    only_admin.user.refresh_from_db()
    assert only_admin.user.is_active
    with pytest.raises(ServiceError):
        organisations.organisation_set_active(
            actor=user_manager, organisation=only_admin.organisation, active=False, reason="x"
        )
    with pytest.raises(ServiceError):
        memberships.membership_deactivate(actor=user_manager, membership=only_admin, reason="x")
    assert Membership.objects.get(pk=only_admin.pk).is_active
    # A second administrator makes it possible.
    MembershipFactory(role_code="system_admin")
    users.user_deactivate(actor=user_manager.user, user=only_admin.user, reason="left")
    only_admin.user.refresh_from_db()
    assert not only_admin.user.is_active


@pytest.mark.django_db
def test_user_create_refuses_a_deactivated_organisation_and_duplicate_addresses():
    admin = MembershipFactory(role_code="system_admin")
    member = MembershipFactory(user__email="used@example.test")
    closed = OrganisationFactory(is_active=False)
    role = Role.objects.get(code="ngo_caseworker")
    data = users.UserInput(first_name="A", last_name="B", email="new@example.test")
    with pytest.raises(ServiceError) as refused:
        users.user_create(
            actor=admin, username="ab", data=data, organisation=member.organisation, role=role
        )
    assert refused.value.field == "username"  # too short
    with pytest.raises(ServiceError) as refused:
        users.user_create(actor=admin, username="a.b", data=data, organisation=closed, role=role)
    assert refused.value.field == "organisation"
    with pytest.raises(ServiceError) as refused:
        users.user_create(
            actor=admin,
            username="a.b",
            data=users.UserInput(first_name="A", last_name="B", email="USED@example.test"),
            organisation=member.organisation,
            role=role,
        )
    assert refused.value.field == "email"
    assert not User.objects.filter(username="a.b").exists()


# Concurrency on PostgreSQL: real transactions in threads, each with its own connection.


def _in_threads(*calls):
    """Run the calls at the same moment, each in its own thread; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_changing_different_fields_of_one_user_keep_both_changes():
    first_admin = MembershipFactory(role_code="system_admin")
    second_admin = MembershipFactory(role_code="system_admin")
    member = MembershipFactory(user__last_name="Pop", user__email="ana@example.test")
    shown = users.user_values(member.user)  # both forms were opened on this state

    results = _in_threads(
        lambda: users.user_update(
            actor=first_admin,
            user=member.user,
            data=users.UserInput(**{**shown, "last_name": "Popa"}),
            based_on=shown,
        ),
        lambda: users.user_update(
            actor=second_admin,
            user=member.user,
            data=users.UserInput(**{**shown, "email": "ana.p@example.test"}),
            based_on=shown,
        ),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    member.user.refresh_from_db()
    assert (member.user.last_name, member.user.email) == ("Popa", "ana.p@example.test")
    assert AuditEvent.objects.filter(action="user.changed").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_changing_the_same_field_one_wins_and_the_other_is_told():
    first_admin = MembershipFactory(role_code="system_admin")
    second_admin = MembershipFactory(role_code="system_admin")
    member = MembershipFactory(user__last_name="Pop")
    shown = users.user_values(member.user)

    results = _in_threads(
        *[
            (
                lambda admin, name: (
                    lambda: users.user_update(
                        actor=admin,
                        user=member.user,
                        data=users.UserInput(**{**shown, "last_name": name}),
                        based_on=shown,
                    )
                )
            )(admin, name)
            for admin, name in ((first_admin, "Popa"), (second_admin, "Popescu"))
        ]
    )

    refused = [r for r in results if isinstance(r, ServiceError)]
    saved = [r for r in results if isinstance(r, User)]
    assert len(refused) == 1 and len(saved) == 1, results
    assert refused[0].field == "last_name" and refused[0].status == 409
    member.user.refresh_from_db()
    assert member.user.last_name == saved[0].last_name
    assert AuditEvent.objects.filter(action="user.changed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_editing_one_role_at_once_keep_both_grants():
    first_admin = MembershipFactory(role_code="system_admin")
    second_admin = MembershipFactory(role_code="system_admin")
    role = Role.objects.get(code="evaluator")
    shown = sorted(RolePermission.objects.filter(role=role).values_list("permission", flat=True))

    _in_threads(
        lambda: roles.role_permissions_set(
            actor=first_admin, role=role, permissions=[*shown, "audit.search"], based_on=shown
        ),
        lambda: roles.role_permissions_set(
            actor=second_admin, role=role, permissions=[*shown, "audit.verify"], based_on=shown
        ),
    )

    granted = set(RolePermission.objects.filter(role=role).values_list("permission", flat=True))
    assert {"audit.search", "audit.verify"} <= granted


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_role_managers_cannot_both_give_up_role_manage_at_once():
    """Each sees the other still holding role.manage; only the lock stops both from dropping it."""
    RolePermission.objects.create(role_id="auditor", permission="role.manage")
    admin = MembershipFactory(role_code="system_admin")
    auditor = MembershipFactory(role_code="auditor")

    def drop(actor, code):
        role = Role.objects.get(code=code)
        current = list(
            RolePermission.objects.filter(role=role).values_list("permission", flat=True)
        )
        remaining = [p for p in current if p != "role.manage"]
        return lambda: roles.role_permissions_set(actor=actor, role=role, permissions=remaining)

    results = _in_threads(drop(admin, "system_admin"), drop(auditor, "auditor"))

    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(refused) == 1, results
    assert roles.role_managers().exists()


@pytest.mark.django_db
def test_a_user_manager_cannot_hand_out_administration_powers_they_lack():
    MembershipFactory(role_code="system_admin")
    user_manager = MembershipFactory(role=_role_with("user.manage"))
    admin_role = Role.objects.get(code="system_admin")
    member = MembershipFactory()
    with pytest.raises(ServiceError) as refused:
        memberships.membership_change_role(
            actor=user_manager, membership=user_manager, role=admin_role
        )
    assert refused.value.field == "role"
    assert "organisation.manage, role.manage" in refused.value.message
    with pytest.raises(ServiceError):
        memberships.membership_add(
            actor=user_manager,
            user=member.user,
            organisation=OrganisationFactory(),
            role=admin_role,
        )
    with pytest.raises(ServiceError):
        users.user_create(
            actor=user_manager,
            username="new.admin",
            data=users.UserInput(first_name="N", last_name="A", email="new.admin@example.test"),
            organisation=member.organisation,
            role=admin_role,
        )
    user_manager.refresh_from_db()
    assert user_manager.role_id == "custom"
    # Ordinary roles, and roles holding only powers the manager has, remain theirs to give.
    memberships.membership_change_role(
        actor=user_manager, membership=member, role=Role.objects.get(code="prosecutor")
    )
