"""Idempotency-Key on API POSTs: a retry replays, a reused key with another body is refused."""

import datetime

import pytest
from freezegun import freeze_time

from punte.accounts.models import Role
from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent, IdempotencyRecord
from punte.identification.persons.models import Person
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db

BODY = {"family_name": "Ionescu", "given_name": "Elena", "sex": "female"}


@pytest.fixture
def officer():
    return MembershipFactory(role_code="regional_officer")


@pytest.fixture
def api(officer):
    return ApiClient(officer)


def _post(api, body=BODY, key="key-1", path="/persons"):
    return api.post(path, body, headers={"Idempotency-Key": key})


def test_same_key_and_body_replays_the_first_response_and_writes_once(api):
    first = _post(api)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    events = AuditEvent.objects.count()
    second = _post(api)
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert Person.objects.count() == 1
    assert AuditEvent.objects.count() == events  # the replay writes no audit entry either


def test_same_key_other_body_is_422_naming_the_header_and_writes_nothing(api):
    assert _post(api).status_code == 201
    response = _post(api, {**BODY, "given_name": "Other"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Person.objects.count() == 1


def test_same_key_on_another_path_is_refused(api):
    assert _post(api).status_code == 201
    assert _post(api, path="/persons?x=1").status_code == 422
    assert Person.objects.count() == 1


def test_keys_are_scoped_per_token(officer):
    """Two clients choosing the same key get two records, and neither sees the other's."""
    first, second = ApiClient(officer), ApiClient(officer)
    a = _post(first)
    b = _post(second)
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b
    assert a.json()["id"] != b.json()["id"]
    assert Person.objects.count() == 2
    assert IdempotencyRecord.objects.filter(key="key-1").count() == 2


def test_keys_of_different_organisations_do_not_collide():
    a = _post(ApiClient(MembershipFactory(role_code="regional_officer")))
    b = _post(ApiClient(MembershipFactory(role_code="regional_officer")))
    assert a.json()["owner_organisation_id"] != b.json()["owner_organisation_id"]
    assert Person.objects.count() == 2


def test_posts_without_a_key_are_not_deduplicated(api):
    assert api.post("/persons", BODY).status_code == 201
    assert api.post("/persons", BODY).status_code == 201
    assert Person.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["k" * 256, " ", "x" * 1000])
def test_invalid_key_is_400_and_writes_nothing(api, key):
    response = _post(api, key=key)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Person.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_longest_allowed_key_works(api):
    assert _post(api, key="k" * 255).status_code == 201
    assert _post(api, key="k" * 255)["Idempotent-Replayed"] == "true"


def test_client_errors_are_stored_and_replayed(api):
    """Decision (the IETF draft allows it): a request the handler refused keeps its answer, so a
    retry is told the same; a corrected request needs a new key."""
    bad = {"family_name": "A", "birth_year": "old"}
    first = _post(api, bad, key="bad-1")
    assert first.status_code == 422
    again = _post(api, bad, key="bad-1")
    assert again.status_code == 422
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == "application/problem+json"
    # The corrected body under the same key is a different request: refused.
    assert _post(api, BODY, key="bad-1").json()["title"] == "Idempotency-Key reused"
    assert _post(api, BODY, key="good-1").status_code == 201
    assert Person.objects.count() == 1


def test_permission_refusal_is_replayed():
    evaluator = MembershipFactory(role=Role.objects.get(code="evaluator"))
    assert not evaluator.has_perm("person.create")
    viewer = ApiClient(evaluator)
    first = _post(viewer)
    assert first.status_code == 403
    again = _post(viewer)
    assert again.status_code == 403
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == 0


def test_server_errors_are_not_stored_so_a_retry_runs_again(api, monkeypatch):
    from punte.identification.persons import api as identification_api

    real = identification_api.services.person_create

    def half_then_crash(**kwargs):
        real(**kwargs)  # the write happens ...
        raise RuntimeError("disk on fire")  # ... and then the request fails

    monkeypatch.setattr(identification_api.services, "person_create", half_then_crash)
    assert _post(api).status_code == 500
    assert Person.objects.count() == 0  # rolled back with the request
    assert IdempotencyRecord.objects.count() == 0
    monkeypatch.setattr(identification_api.services, "person_create", real)
    retry = _post(api)
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Person.objects.count() == 1


def test_unauthenticated_requests_store_nothing(client):
    for _ in range(2):
        response = client.post(
            "/api/v1/persons",
            BODY,
            content_type="application/json",
            headers={"Authorization": "Bearer pnt_forged", "Idempotency-Key": "k"},
        )
        assert response.status_code == 401
    assert IdempotencyRecord.objects.count() == 0


def test_refusals_before_the_handler_store_nothing(api):
    assert _post(api, path="/me").status_code == 405
    assert _post(api, path="/nowhere").status_code == 404
    assert IdempotencyRecord.objects.count() == 0


def test_oversized_body_with_a_key_is_413_and_stores_nothing(api):
    raw = '{"notes": "' + "x" * (1024 * 1024) + '"}'
    response = api.post("/persons", raw=raw, headers={"Idempotency-Key": "huge"})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert IdempotencyRecord.objects.count() == 0


def test_gets_ignore_the_key(api):
    api.post("/persons", BODY)
    response = api.client.get("/api/v1/persons", headers={**api.headers, "Idempotency-Key": "g"})
    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.count() == 0


def test_key_expires_after_the_retention_time(api, settings):
    settings.PUNTE_IDEMPOTENCY_TTL_HOURS = 24
    start = datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)
    with freeze_time(start):
        assert _post(api).status_code == 201
    with freeze_time(start + datetime.timedelta(hours=23)):
        assert _post(api)["Idempotent-Replayed"] == "true"
        assert _post(api, {**BODY, "given_name": "X"}).status_code == 422
    with freeze_time(start + datetime.timedelta(hours=25)):
        fresh = _post(api, {**BODY, "given_name": "X"})
        assert fresh.status_code == 201
        assert "Idempotent-Replayed" not in fresh
    assert Person.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_stored_responses_hold_no_personal_data_in_clear(api):
    from django.db import connection

    created = _post(api, {**BODY, "contact": "+40 700 000 111", "date_of_birth": "2003-04-05"})
    assert created.status_code == 201
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {IdempotencyRecord._meta.db_table}")  # noqa: S608
        dumped = repr(cursor.fetchall())
    for secret in ("Ionescu", "Elena", "+40 700 000 111", "2003-04-05"):
        assert secret not in dumped
        assert secret.encode() in created.content  # while the client did get it
    # The fingerprint is keyed: a bare SHA-256 of what was sent does not match it.
    import hashlib
    import json

    sent = json.dumps({**BODY, "contact": "+40 700 000 111", "date_of_birth": "2003-04-05"})
    record = IdempotencyRecord.objects.get()
    assert record.request_hash not in {
        hashlib.sha256(sent.encode()).hexdigest(),
        hashlib.sha256(b"POST\0/api/v1/persons\0" + sent.encode()).hexdigest(),
    }
    replay = _post(api, {**BODY, "contact": "+40 700 000 111", "date_of_birth": "2003-04-05"})
    assert replay.content == created.content


def test_a_stored_response_cannot_be_moved_to_another_key(api):
    _post(api, key="a")
    _post(api, {**BODY, "given_name": "Other"}, key="b")
    a, b = IdempotencyRecord.objects.get(key="a"), IdempotencyRecord.objects.get(key="b")
    # Copying b's sealed answer (and fingerprint) under a does not make a replay b's answer.
    IdempotencyRecord.objects.filter(pk=a.pk).update(
        response_body=b.response_body, request_hash=b.request_hash
    )
    response = _post(api, {**BODY, "given_name": "Other"}, key="a")
    assert response.status_code == 409
    assert "Other" not in response.content.decode()


def test_unreadable_stored_response_asks_for_a_new_key(api, settings):
    assert _post(api).status_code == 201
    settings.PUNTE_ENCRYPTION_KEYS = {"other": b"\0" * 32}
    settings.PUNTE_ENCRYPTION_PRIMARY_KEY_ID = "other"
    response = _post(api)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Person.objects.count() == 1
