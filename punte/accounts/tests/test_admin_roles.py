"""The role × permission matrix: permissions are data, changed in the UI, read on every request."""

import pytest
from django.urls import reverse

from punte.accounts.models import RolePermission
from punte.accounts.permissions import ROLE_DEFINITIONS, catalogue
from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient
from punte.testing.web import verified_client


@pytest.fixture
def admin(db):
    return MembershipFactory(role_code="system_admin")


@pytest.fixture
def client(admin):
    return verified_client(admin.user)


def held(role_code):
    return set(
        RolePermission.objects.filter(role_id=role_code).values_list("permission", flat=True)
    )


def _matrix_form(client, role_code):
    """What the matrix page submits for one role's column: its ticked boxes and based_on."""
    page = client.get(reverse("accounts:admin_role_matrix"))
    column = next(c for c in page.context["columns"] if c["role"].pk == role_code)
    ticked = [
        row["code"]
        for row in page.context["rows"]
        for role, on in row["cells"]
        if role.pk == role_code and on
    ]
    return {"permissions": ticked, "based_on": column["based_on"], "return_to": "matrix"}


def test_the_matrix_shows_every_role_and_permission_with_labelled_checkboxes(client):
    page = client.get(reverse("accounts:admin_role_matrix")).content.decode()
    for code in catalogue():
        assert f"<code>{code}</code>" in page
    for role_code in ROLE_DEFINITIONS:
        assert f'form="role-form-{role_code}"' in page
        assert f'id="role-form-{role_code}"' in page
    # Each checkbox is named by its row (permission) and column (role) headers.
    assert 'aria-labelledby="role-regional_officer perm-' in page
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page


def test_removing_a_permission_takes_effect_on_the_next_request(client, admin):
    officer = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=officer)
    api = ApiClient(officer)
    assert api.get(f"/persons/{person.pk}").status_code == 200

    form = _matrix_form(client, "regional_officer")
    form["permissions"].remove("person.view")
    response = client.post(reverse("accounts:admin_role_edit", args=["regional_officer"]), form)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:admin_role_matrix")
    assert "person.view" not in held("regional_officer")
    assert api.get(f"/persons/{person.pk}").status_code == 404  # same token, next request
    event = AuditEvent.objects.get(action="role.permissions_changed", subject_id="regional_officer")
    assert event.actor_id == admin.user_id
    assert event.changes["removed"] == ["person.view"]
    assert "person.view" in event.changes["permissions"]["old"]
    assert "person.view" not in event.changes["permissions"]["new"]

    # And granting it back restores access, again from the next request.
    form = _matrix_form(client, "regional_officer")
    form["permissions"].append("person.view")
    client.post(reverse("accounts:admin_role_edit", args=["regional_officer"]), form)
    assert api.get(f"/persons/{person.pk}").status_code == 200


def test_the_per_role_page_saves_too(client):
    url = reverse("accounts:admin_role_edit", args=["evaluator"])
    initial = client.get(url).context["form"].initial
    response = client.post(
        url,
        {"permissions": [*initial["permissions"], "audit.search"], "based_on": initial["based_on"]},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    assert "audit.search" in held("evaluator")


def test_unknown_permission_codes_are_refused_and_nothing_changes(client):
    before = held("regional_officer")
    events = AuditEvent.objects.count()
    form = _matrix_form(client, "regional_officer")
    form["permissions"].append("person.delete_everything")

    response = client.post(reverse("accounts:admin_role_edit", args=["regional_officer"]), form)

    assert response.status_code == 422
    page = response.content.decode()
    assert 'href="#id_permissions_0"' in page
    assert "person.delete_everything" in page
    assert held("regional_officer") == before
    assert AuditEvent.objects.count() == events


def test_role_manage_cannot_be_removed_from_the_last_role_that_an_active_user_holds_it_by(
    client,
):
    form = _matrix_form(client, "system_admin")
    form["permissions"].remove("role.manage")
    url = reverse("accounts:admin_role_edit", args=["system_admin"])

    response = client.post(url, form)

    assert response.status_code == 422
    assert "no active user who can manage roles" in response.content.decode()
    assert "role.manage" in held("system_admin")


def test_role_manage_can_move_to_another_role_held_by_an_active_user(client):
    MembershipFactory(role_code="auditor")
    url = reverse("accounts:admin_role_edit", args=["auditor"])
    form = _matrix_form(client, "auditor")
    client.post(url, {**form, "permissions": [*form["permissions"], "role.manage"]})
    form = _matrix_form(client, "system_admin")
    form["permissions"].remove("role.manage")

    response = client.post(reverse("accounts:admin_role_edit", args=["system_admin"]), form)

    assert response.status_code == 302
    assert "role.manage" not in held("system_admin")
    assert "role.manage" in held("auditor")


def test_two_administrators_editing_one_role_keep_both_changes(client):
    MembershipFactory(role_code="system_admin")  # a second administrator
    url = reverse("accounts:admin_role_edit", args=["evaluator"])
    first = _matrix_form(client, "evaluator")
    second = _matrix_form(client, "evaluator")  # both opened the matrix before either saved

    client.post(url, {**first, "permissions": [*first["permissions"], "audit.search"]})
    client.post(url, {**second, "permissions": [*second["permissions"], "audit.verify"]})

    assert {"audit.search", "audit.verify"} <= held("evaluator")


def test_saving_an_unchanged_role_writes_no_audit_row(client):
    events = AuditEvent.objects.count()
    form = _matrix_form(client, "prosecutor")
    client.post(reverse("accounts:admin_role_edit", args=["prosecutor"]), form)
    assert AuditEvent.objects.count() == events
