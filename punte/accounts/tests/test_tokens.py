"""Bearer tokens: hashed at rest, bound to a membership, expiring, revocable."""

import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from punte.accounts.models import ApiToken
from punte.accounts.services import tokens
from punte.accounts.tests.factories import MembershipFactory, UserFactory
from punte.core.models import AuditEvent
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def _issue(membership=None, **kwargs):
    membership = membership or MembershipFactory(role_code="regional_officer")
    return tokens.apitoken_create(actor=None, membership=membership, name="119 platform", **kwargs)


def _refused(response, reason: str):
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert reason in body["detail"]


def test_a_fresh_token_authenticates_as_its_membership():
    membership = MembershipFactory(role_code="regional_officer")
    issued = _issue(membership)
    response = ApiClient(token=issued.secret).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == membership.user.username
    assert response.json()["membership"]["organisation_id"] == str(membership.organisation_id)


def test_token_expires_after_its_lifetime():
    with freeze_time("2026-03-01 10:00:00"):
        issued = _issue(days=30)
    client = ApiClient(token=issued.secret)
    with freeze_time("2026-03-31 09:59:00"):
        assert client.get("/me").status_code == 200
    with freeze_time("2026-03-31 10:00:01"):
        _refused(client.get("/me"), "expired")
        # A write is refused just the same, and nothing is written.
        _refused(client.post("/persons", {"family_name": "Expired"}), "expired")
    from punte.identification.persons.models import Person

    assert Person.objects.count() == 0


def test_default_lifetime_is_the_setting(settings):
    settings.PUNTE_API_TOKEN_DEFAULT_DAYS = 7
    with freeze_time("2026-03-01 10:00:00"):
        issued = _issue()
    assert issued.token.expires_at == datetime.datetime(2026, 3, 8, 10, tzinfo=datetime.UTC)


def test_revoked_token_is_refused_at_once_and_revocation_is_audited():
    issued = _issue()
    client = ApiClient(token=issued.secret)
    assert client.get("/me").status_code == 200
    tokens.apitoken_revoke(actor=None, token=issued.token)
    _refused(client.get("/me"), "revoked")
    assert (
        AuditEvent.objects.filter(
            action="apitoken.revoked", subject_id=str(issued.token.pk)
        ).count()
        == 1
    )
    # Revoking twice changes nothing and writes no second event.
    tokens.apitoken_revoke(actor=None, token=issued.token)
    assert AuditEvent.objects.filter(action="apitoken.revoked").count() == 1


def test_token_of_a_deactivated_user_is_refused():
    membership = MembershipFactory(role_code="regional_officer")
    client = ApiClient(token=_issue(membership).secret)
    membership.user.is_active = False
    membership.user.save(update_fields=["is_active"])
    _refused(client.get("/me"), "inactive")


def test_token_of_an_inactive_membership_is_refused():
    membership = MembershipFactory(role_code="regional_officer")
    client = ApiClient(token=_issue(membership).secret)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _refused(client.get("/me"), "inactive")


def test_token_of_an_inactive_organisation_is_refused():
    membership = MembershipFactory(role_code="regional_officer")
    client = ApiClient(token=_issue(membership).secret)
    membership.organisation.is_active = False
    membership.organisation.save(update_fields=["is_active"])
    _refused(client.get("/me"), "inactive")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pnt_0000_not-a-real-token",
        "Bearer something-else",
        "Bearer ",
        "Bearer " + "pnt_" + "x" * 500,
        "Basic dXNlcjpwYXNz",
        "pnt_only_the_token",
    ],
)
def test_malformed_or_unknown_credentials_get_401_problem(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_missing_credentials_get_401_problem(client):
    response = client.get("/api/v1/me")
    _refused(response, "Bearer")


def test_bad_token_on_a_post_is_401_not_a_csrf_403():
    """A failed bearer token must not fall through to the session check (which would answer
    403 for the missing CSRF token) nor write anything."""
    from django.test import Client

    from punte.identification.persons.models import Person

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/persons",
        json.dumps({"family_name": "Nobody"}),
        content_type="application/json",
        headers={"Authorization": "Bearer pnt_forged_token"},
    )
    assert response.status_code == 401
    assert Person.objects.count() == 0


def test_only_the_sha256_of_the_token_is_stored():
    issued = _issue()
    secret = issued.secret
    # The random part may itself hold "_" (URL-safe base64): split off the two fixed fields.
    random_part = secret.split("_", 2)[2]
    assert len(random_part) == 43  # 32 random bytes
    row = ApiToken.objects.get(pk=issued.token.pk)
    import hashlib

    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    # Nothing in the token table, nor in the audit trail, holds the secret.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        dumped = repr(cursor.fetchall())
    assert random_part not in dumped
    assert secret not in dumped
    audit = repr(list(AuditEvent.objects.values()))
    assert random_part not in audit
    assert "apitoken.created" in audit


def test_last_used_at_is_recorded():
    issued = _issue()
    assert issued.token.last_used_at is None
    with freeze_time("2026-04-01 08:00:00"):
        ApiClient(token=issued.secret).get("/me")
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == datetime.datetime(2026, 4, 1, 8, tzinfo=datetime.UTC)
    # Touched again once the resolution (a minute) has passed.
    with freeze_time("2026-04-01 09:30:00"):
        ApiClient(token=issued.secret).get("/me")
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == datetime.datetime(2026, 4, 1, 9, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize("days", [0, -1, 367])
def test_token_lifetime_is_bounded(days):
    from punte.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        _issue(days=days)
    assert refused.value.field == "days"
    assert ApiToken.objects.count() == 0


def test_no_token_for_an_inactive_account():
    from punte.core.errors import ServiceError

    membership = MembershipFactory(user=UserFactory(is_active=False))
    with pytest.raises(ServiceError):
        _issue(membership)
    membership = MembershipFactory()
    membership.organisation.is_active = False
    membership.organisation.save()
    with pytest.raises(ServiceError):
        _issue(membership)
    assert ApiToken.objects.count() == 0


def test_expiry_is_in_the_future():
    assert _issue().token.expires_at > timezone.now()
