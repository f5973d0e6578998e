"""manage.py create_api_token: prints only the token; every refusal exits 2 and issues nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from punte.accounts.models import ApiToken
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(*args) -> str:
    with pytest.raises(CommandError) as refused:
        _run(*args)
    assert refused.value.returncode == 2
    assert ApiToken.objects.count() == 0
    return str(refused.value)


def test_prints_only_a_working_token():
    membership = MembershipFactory(role_code="regional_officer")
    out, err = _run("--user", membership.user.username, "--name", "119 telephony", "--days", "30")
    token = out.strip()
    assert out == token + "\n"  # one line, the token and nothing else
    assert token.startswith("pnt_")
    assert membership.organisation.code in err and "119 telephony" in err
    assert token not in err
    response = ApiClient(token=token).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == membership.user.username
    stored = ApiToken.objects.get()
    assert stored.membership == membership
    assert round((stored.expires_at - stored.created_at).total_seconds() / 86400) == 30


def test_unknown_user_exits_2():
    message = _refused("--user", "nobody-here")
    assert "nobody-here" in message


def test_deactivated_user_exits_2():
    membership = MembershipFactory(user=UserFactory(is_active=False))
    assert "deactivated" in _refused("--user", membership.user.username)


def test_ambiguous_organisation_exits_2_and_lists_the_choices():
    membership = MembershipFactory()
    other = MembershipFactory(user=membership.user)
    message = _refused("--user", membership.user.username)
    assert "--organisation" in message
    assert membership.organisation.code in message and other.organisation.code in message


def test_organisation_chooses_the_membership():
    membership = MembershipFactory()
    other = MembershipFactory(user=membership.user)
    out, _ = _run("--user", membership.user.username, "--organisation", other.organisation.code)
    assert ApiToken.objects.get().membership == other
    assert ApiClient(token=out.strip()).get("/me").json()["membership"]["organisation_id"] == (
        str(other.organisation_id)
    )


def test_organisation_the_user_is_not_in_exits_2():
    membership = MembershipFactory()
    stranger_org = OrganisationFactory()
    message = _refused("--user", membership.user.username, "--organisation", stranger_org.code)
    assert stranger_org.code in message


def test_inactive_organisation_is_not_a_choice():
    membership = MembershipFactory()
    membership.organisation.is_active = False
    membership.organisation.save()
    assert "no active membership" in _refused("--user", membership.user.username)


@pytest.mark.parametrize("days", ["0", "-5", "367", "10000"])
def test_days_out_of_range_exits_2(days):
    membership = MembershipFactory()
    assert "--days" in _refused("--user", membership.user.username, "--days", days)


@pytest.mark.parametrize("name", ["   ", "x" * 101])
def test_bad_name_exits_2(name):
    membership = MembershipFactory()
    assert "--name" in _refused("--user", membership.user.username, "--name", name)


def test_non_numeric_days_is_refused():
    membership = MembershipFactory()
    with pytest.raises(CommandError):
        _run("--user", membership.user.username, "--days", "soon")
    assert ApiToken.objects.count() == 0
