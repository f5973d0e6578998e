"""Users, memberships and API tokens in the administration UI."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from punte.accounts.models import ApiToken, Membership, User
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

STRONG_PASSWORD = "lantern orchard violet compass"


@pytest.fixture
def admin(db):
    return MembershipFactory(role_code="system_admin")


@pytest.fixture
def client(admin):
    return verified_client(admin.user)


def _create_form(org, **overrides):
    data = {
        "username": "ioana.m",
        "first_name": "Ioana",
        "last_name": "Marinescu",
        "email": "ioana.m@dgaspc-cluj.example",
        "preferred_language": "ro",
        "organisation": str(org.pk),
        "role": "child_protection_officer",
    }
    data.update(overrides)
    return data


def _link_from(message) -> str:
    return re.search(r"https?://\S+/accounts/welcome/\S+/", message.body).group(0)


def test_create_a_user_with_a_first_membership_and_a_set_password_link(
    client, admin, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="DGASPC Cluj")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:admin_user_create"), _create_form(organisation))

    user = User.objects.get(username="ioana.m")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:admin_user_detail", args=[user.pk])
    assert not user.has_usable_password()  # nobody but the person chooses it
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role_id) == (
        organisation,
        "child_protection_officer",
    )
    # Audit: the account and its membership; personal values of staff are not copied into it.
    created = AuditEvent.objects.get(action="user.created", subject_id=str(user.pk))
    assert created.changes["username"] == {"old": None, "new": "ioana.m"}
    assert created.changes["last_name"] == "[personal data]"
    assert "Marinescu" not in str(created.changes)
    assert AuditEvent.objects.filter(
        action="membership.created", subject_id=str(membership.pk)
    ).exists()
    # The link went to the person, in their language, and not to the administrator's screen.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ioana.m@dgaspc-cluj.example"]
    link = _link_from(mail.outbox[0])
    detail = client.get(response["Location"]).content.decode()
    assert link not in detail
    assert "ioana.m@dgaspc-cluj.example" in detail


def test_the_link_sets_a_password_once_and_checks_the_validators(
    client, admin, django_capture_on_commit_callbacks
):
    from django.test import Client

    organisation = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:admin_user_create"), _create_form(organisation))
    link = _link_from(mail.outbox[0])
    person = Client()

    # The token moves from the URL into the session (no leak through Referer).
    response = person.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert "set-password" in form_url
    # A weak password is refused, naming the field.
    response = person.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert 'href="#id_new_password2"' in response.content.decode()
    assert not User.objects.get(username="ioana.m").has_usable_password()

    response = person.post(
        form_url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    user = User.objects.get(username="ioana.m")
    assert user.check_password(STRONG_PASSWORD)
    assert AuditEvent.objects.filter(action="user.password_set", subject_id=str(user.pk)).exists()
    # Used once: the same link no longer works.
    again = Client().get(link)
    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()


def test_a_new_link_replaces_the_old_one_and_signs_the_person_out(
    client, django_capture_on_commit_callbacks
):
    member = MembershipFactory()
    member_client = verified_client(member.user)
    url = reverse("accounts:admin_user_setup_link", args=[member.user_id])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    first = _link_from(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    second = _link_from(mail.outbox[-1])

    member.user.refresh_from_db()
    assert not member.user.has_usable_password()  # the old password no longer works
    assert member_client.get("/").status_code == 302  # signed out
    from django.test import Client

    assert "This link does not work" in Client().get(first, follow=True).content.decode()
    assert Client().get(second).status_code == 302  # the newest link works


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "taken"}, "username", "This username is taken."),
        ({"username": "has space"}, "username", "Use letters, digits and the characters"),
        ({"email": "nope"}, "email", "Enter the e-mail address in the form name@example.org"),
        ({"email": ""}, "email", "Enter the e-mail address"),
        ({"organisation": ""}, "organisation", "Select the organisation"),
        ({"role": "emperor"}, "role", "Select one of the options offered for role in this"),
        ({"preferred_language": "xx"}, "preferred_language", "Select one of the options offered"),
    ],
)
def test_bad_input_on_create_names_the_field_and_writes_nothing(client, overrides, field, message):
    MembershipFactory(user__username="taken")
    organisation = OrganisationFactory()
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())

    response = client.post(
        reverse("accounts:admin_user_create"), _create_form(organisation, **overrides)
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert f'href="#id_{field}"' in page
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before
    assert len(mail.outbox) == 0


def test_edit_a_user(client, admin):
    member = MembershipFactory(user__first_name="Ana", user__last_name="Pop")
    url = reverse("accounts:admin_user_edit", args=[member.user_id])
    based_on = client.get(url).context["form"].initial["based_on"]

    response = client.post(
        url,
        {
            "first_name": "Ana",
            "last_name": "Popa",
            "email": "ana.popa@example.test",
            "preferred_language": "en",
            "based_on": based_on,
        },
    )

    assert response.status_code == 302
    member.user.refresh_from_db()
    assert (member.user.last_name, member.user.preferred_language) == ("Popa", "en")
    event = AuditEvent.objects.get(action="user.changed", subject_id=str(member.user_id))
    assert event.changes["preferred_language"] == {"old": "", "new": "en"}
    assert event.changes["last_name"] == "[personal data]"
    assert "first_name" not in event.changes


def test_a_stale_form_does_not_undo_another_administrators_change(client, admin):
    member = MembershipFactory(user__first_name="Ana", user__last_name="Pop")
    url = reverse("accounts:admin_user_edit", args=[member.user_id])
    stale = client.get(url).context["form"].initial  # admin 1 opens the form
    other_admin = verified_client(MembershipFactory(role_code="system_admin").user)
    fresh = other_admin.get(url).context["form"].initial  # admin 2 opens it too, and saves
    other_admin.post(url, {**fresh, "last_name": "Popescu"})

    # Admin 1 changes only the e-mail address, from the form opened before admin 2 saved.
    response = client.post(url, {**stale, "email": "ana.new@example.test"})

    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.last_name == "Popescu"  # not reverted to "Pop"
    assert member.user.email == "ana.new@example.test"
    # Both changing the same field differently is refused, naming it, not silently overwritten.
    response = client.post(url, {**stale, "last_name": "Pope"})
    assert response.status_code == 422
    assert 'href="#id_last_name"' in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.last_name == "Popescu"


def test_deactivating_a_user_signs_them_out_everywhere_at_once(client, admin):
    member = MembershipFactory(role_code="regional_officer")
    laptop, phone = verified_client(member.user), verified_client(member.user)
    token = ApiClient(member)
    person = create_person(actor=member)
    assert laptop.get("/").status_code == 200
    assert token.get(f"/persons/{person.pk}").status_code == 200
    sessions = Session.objects.count()

    url = reverse("accounts:admin_user_deactivate", args=[member.user_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Left the service"})

    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.is_active
    for device in (laptop, phone):
        response = device.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert Session.objects.count() == sessions - 2  # the sessions themselves are gone
    assert token.get(f"/persons/{person.pk}").status_code == 401
    event = AuditEvent.objects.get(action="user.deactivated", subject_id=str(member.user_id))
    assert event.changes["reason"] == "Left the service"
    assert event.changes["sessions_ended"] == 2
    assert event.changes["tokens_revoked"] == 1
    assert event.actor_id == admin.user_id


def test_deactivation_needs_a_reason_and_cannot_target_oneself(client, admin):
    member = MembershipFactory()
    url = reverse("accounts:admin_user_deactivate", args=[member.user_id])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 422
    assert 'href="#id_reason"' in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.is_active

    own = reverse("accounts:admin_user_deactivate", args=[admin.user_id])
    response = client.post(own, {"reason": "testing"})
    assert response.status_code == 422
    assert "your own account" in response.content.decode()


def test_reactivate_a_user(client):
    member = MembershipFactory(user__is_active=False)
    url = reverse("accounts:admin_user_reactivate", args=[member.user_id])
    client.post(url, {"reason": "Came back from leave"})
    member.user.refresh_from_db()
    assert member.user.is_active
    event = AuditEvent.objects.get(action="user.reactivated")
    assert event.changes == {
        "is_active": {"old": False, "new": True},
        "reason": "Came back from leave",
    }


def test_list_searches_names_and_filters_by_organisation_and_status(client):
    police = OrganisationFactory(name="IPJ Cluj")
    MembershipFactory(
        user__username="dan.c", user__first_name="Dan", user__last_name="Cozma", organisation=police
    )
    MembershipFactory(user__username="ema.r", user__first_name="Ema", user__last_name="Radu")
    MembershipFactory(
        user__username="old.one",
        user__last_name="Vechi",
        user__is_active=False,
        organisation=police,
    )
    url = reverse("accounts:admin_user_list")

    def usernames(**params):
        return {u.username for u in client.get(url, params).context["page_obj"]}

    assert usernames(q="cozma") == {"dan.c"}
    assert usernames(q="ema") == {"ema.r"}
    assert usernames(organisation=str(police.pk)) == {"dan.c", "old.one"}
    assert usernames(organisation=str(police.pk), active="no") == {"old.one"}


# Memberships


def test_add_change_end_and_restore_a_membership(client, admin):
    member = MembershipFactory(role_code="regional_officer")
    ngo = OrganisationFactory(name="Salvați Copiii")

    response = client.post(
        reverse("accounts:admin_membership_add", args=[member.user_id]),
        {"organisation": str(ngo.pk), "role": "ngo_caseworker"},
    )
    assert response.status_code == 302
    second = Membership.objects.get(user=member.user, organisation=ngo)
    assert second.role_id == "ngo_caseworker"

    client.post(
        reverse("accounts:admin_membership_role", args=[second.pk]), {"role": "service_provider"}
    )
    second.refresh_from_db()
    assert second.role_id == "service_provider"
    event = AuditEvent.objects.get(action="membership.role_changed", subject_id=str(second.pk))
    assert event.changes == {"role": {"old": "ngo_caseworker", "new": "service_provider"}}

    issued = ApiClient(second)
    client.post(
        reverse("accounts:admin_membership_deactivate", args=[second.pk]),
        {"reason": "Project ended"},
    )
    second.refresh_from_db()
    assert not second.is_active
    assert ApiToken.objects.get(membership=second).revoked_at is not None
    assert issued.get("/persons").status_code == 401
    member.refresh_from_db()
    assert member.is_active  # the other membership is untouched

    # Adding the organisation again brings the ended membership back (one per organisation).
    client.post(
        reverse("accounts:admin_membership_add", args=[member.user_id]),
        {"organisation": str(ngo.pk), "role": "ngo_caseworker"},
    )
    second.refresh_from_db()
    assert second.is_active and second.role_id == "ngo_caseworker"
    assert Membership.objects.filter(user=member.user).count() == 2


def test_a_second_active_membership_in_the_same_organisation_is_refused(client):
    member = MembershipFactory()
    response = client.post(
        reverse("accounts:admin_membership_add", args=[member.user_id]),
        {"organisation": str(member.organisation_id), "role": "ngo_caseworker"},
    )
    assert response.status_code == 422
    assert 'href="#id_organisation"' in response.content.decode()
    member.refresh_from_db()
    assert member.role_id == "regional_officer"


def test_the_last_role_manager_cannot_give_up_the_role(client, admin):
    response = client.post(
        reverse("accounts:admin_membership_role", args=[admin.pk]), {"role": "regional_officer"}
    )
    assert response.status_code == 422
    assert "no active user who can manage roles" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role_id == "system_admin"
    # With a second administrator, the first may step down.
    MembershipFactory(role_code="system_admin")
    response = client.post(
        reverse("accounts:admin_membership_role", args=[admin.pk]), {"role": "regional_officer"}
    )
    assert response.status_code == 302


def test_an_administrator_cannot_end_the_membership_they_act_in(client, admin):
    MembershipFactory(role_code="system_admin")
    response = client.post(
        reverse("accounts:admin_membership_deactivate", args=[admin.pk]), {"reason": "testing"}
    )
    assert response.status_code == 422
    admin.refresh_from_db()
    assert admin.is_active


# API tokens


def test_issue_a_token_shows_the_secret_once_and_it_works(client, admin):
    member = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=member)
    url = reverse("accounts:admin_token_create", args=[member.user_id])

    response = client.post(url, {"membership": str(member.pk), "name": "Case system", "days": "30"})

    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    secret = response.context["issued"].secret
    assert secret in response.content.decode()
    token = ApiToken.objects.get(membership=member)
    assert token.token_hash != secret and secret not in str(token.__dict__)
    assert ApiClient(token=secret).get(f"/persons/{person.pk}").status_code == 200
    # The user's page lists the token by prefix and name, never the secret.
    detail = client.get(reverse("accounts:admin_user_detail", args=[member.user_id]))
    page = detail.content.decode()
    assert token.prefix in page and "Case system" in page
    assert secret not in page


def test_token_input_is_checked(client):
    member = MembershipFactory()
    url = reverse("accounts:admin_token_create", args=[member.user_id])
    response = client.post(url, {"membership": str(member.pk), "name": "x", "days": "900"})
    assert response.status_code == 422
    assert 'href="#id_days"' in response.content.decode()
    # A membership of someone else cannot be chosen on this user's page.
    stranger = MembershipFactory()
    response = client.post(url, {"membership": str(stranger.pk), "name": "x", "days": "30"})
    assert response.status_code == 422
    assert 'href="#id_membership"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_a_token(client, admin):
    member = MembershipFactory()
    api = ApiClient(member)
    token = ApiToken.objects.get(membership=member)
    assert api.get("/persons").status_code == 200

    response = client.post(reverse("accounts:admin_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert api.get("/persons").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="apitoken.revoked", actor=admin.user).exists()


def test_the_user_list_costs_the_same_number_of_queries_for_3_or_40_users(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("accounts:admin_user_list")).status_code == 200
        return len(captured)

    MembershipFactory.create_batch(2)
    few = queries()
    MembershipFactory.create_batch(37)
    assert queries() == few
