"""Who may open the administration pages: holders of the page's permission only; others get 404."""

import pytest
from django.test import Client
from django.urls import reverse

from punte.accounts.models import Role, RolePermission
from punte.accounts.services import tokens
from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.testing.web import verified_client

ORG, USER, ROLE = "organisation.manage", "user.manage", "role.manage"


def admin_pages(target):
    """(url name, kwargs, permission needed) for every administration page."""
    org = {"organisation_id": target.organisation_id}
    user = {"user_id": target.user_id}
    membership = {"membership_id": target.pk}
    token = {"token_id": target.token.pk}
    return [
        ("admin_organisation_list", {}, ORG),
        ("admin_organisation_create", {}, ORG),
        ("admin_organisation_detail", org, ORG),
        ("admin_organisation_edit", org, ORG),
        ("admin_organisation_deactivate", org, ORG),
        ("admin_organisation_reactivate", org, ORG),
        ("admin_user_list", {}, USER),
        ("admin_user_create", {}, USER),
        ("admin_user_detail", user, USER),
        ("admin_user_edit", user, USER),
        ("admin_user_deactivate", user, USER),
        ("admin_user_reactivate", user, USER),
        ("admin_user_setup_link", user, USER),
        ("admin_user_factors_reset", user, USER),
        ("admin_user_sessions_end", user, USER),
        ("admin_membership_add", user, USER),
        ("admin_membership_role", membership, USER),
        ("admin_membership_deactivate", membership, USER),
        ("admin_token_create", user, USER),
        ("admin_token_revoke", token, USER),
        ("admin_role_matrix", {}, ROLE),
        ("admin_role_edit", {"code": "regional_officer"}, ROLE),
    ]


PAGE_NAMES = [
    "admin_home",
    "admin_organisation_list",
    "admin_organisation_create",
    "admin_organisation_detail",
    "admin_organisation_edit",
    "admin_organisation_deactivate",
    "admin_organisation_reactivate",
    "admin_user_list",
    "admin_user_create",
    "admin_user_detail",
    "admin_user_edit",
    "admin_user_deactivate",
    "admin_user_reactivate",
    "admin_user_setup_link",
    "admin_user_factors_reset",
    "admin_user_sessions_end",
    "admin_membership_add",
    "admin_membership_role",
    "admin_membership_deactivate",
    "admin_token_create",
    "admin_token_revoke",
    "admin_role_matrix",
    "admin_role_edit",
]


@pytest.fixture
def target(db):
    """A user with a membership and a token: the object every page is tried on."""
    membership = MembershipFactory(role_code="regional_officer")
    membership.token = tokens.apitoken_create(
        actor=None, membership=membership, name="case system"
    ).token
    return membership


def _url(name, target):
    if name == "admin_home":
        return reverse("accounts:admin_home")
    kwargs = next(kw for n, kw, _ in admin_pages(target) if n == name)
    return reverse(f"accounts:{name}", kwargs=kwargs)


def _permission(name, target):
    if name == "admin_home":
        return None
    return next(p for n, _, p in admin_pages(target) if n == name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_admin_page_is_404_for_a_non_admin(name, target):
    # A regional officer of the same organisation: a real, verified user without the permission.
    outsider = MembershipFactory(role_code="regional_officer", organisation=target.organisation)
    client = verified_client(outsider.user)
    events = AuditEvent.objects.count()
    url = _url(name, target)

    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {"reason": "testing", "name": "x", "role": "system_admin", "permissions": ["person.view"]},
    )
    assert response.status_code == 404
    assert AuditEvent.objects.count() == events  # nothing was written


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_admin_page_opens_for_the_national_administrator(name, target):
    admin = MembershipFactory(role_code="system_admin")
    response = verified_client(admin.user).get(_url(name, target))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # pages about accounts are never cached


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_each_page_needs_its_own_permission(name, target):
    """A role holding one administration permission opens only that permission's pages."""
    for permission in (ORG, USER, ROLE):
        role = Role.objects.create(
            code=f"only-{permission.split('.')[0]}", name=permission, scope="organisation"
        )
        RolePermission.objects.create(role=role, permission=permission)
        holder = MembershipFactory(role=role)
        status = verified_client(holder.user).get(_url(name, target)).status_code
        needed = _permission(name, target)
        assert status == (200 if needed in (None, permission) else 404), (permission, status)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(target):
    response = Client().get(reverse("accounts:admin_user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_session_without_second_factor_is_sent_to_verify_it(target):
    admin = MembershipFactory(role_code="system_admin")
    client = Client()
    client.force_login(admin.user)  # password only: no OTP device in the session
    response = client.get(reverse("accounts:admin_user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa"))


@pytest.mark.django_db
def test_the_overview_links_only_to_what_the_role_may_do(target):
    role = Role.objects.create(code="user-admin", name="User admin", scope="organisation")
    RolePermission.objects.create(role=role, permission=USER)
    holder = MembershipFactory(role=role)
    page = verified_client(holder.user).get(reverse("accounts:admin_home")).content.decode()
    assert reverse("accounts:admin_user_list") in page
    assert reverse("accounts:admin_organisation_list") not in page
    assert reverse("accounts:admin_role_matrix") not in page


@pytest.mark.django_db
def test_unknown_objects_are_404_even_for_the_administrator():
    admin = MembershipFactory(role_code="system_admin")
    client = verified_client(admin.user)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/accounts/admin/users/{missing}/").status_code == 404
    assert client.get(f"/accounts/admin/organisations/{missing}/").status_code == 404
    assert client.get("/accounts/admin/roles/no-such-role/").status_code == 404


def test_the_lists_above_cover_every_administration_page():
    from punte.accounts.urls_admin import urlpatterns

    assert {p.name for p in urlpatterns if p.name.startswith("admin_")} == set(PAGE_NAMES)
