"""Two identical POSTs with the same Idempotency-Key at the same moment, on PostgreSQL.

Each thread has its own connection and commits for real (transactional_db), so the unique
index on (principal, key) is what decides: the second request waits for the first to commit,
then replays its answer. A barrier releases both requests together.
"""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import IdempotencyRecord
from punte.identification.persons.models import Person
from punte.testing.api import ApiClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BODY = {"family_name": "Concurent", "given_name": "Ioana", "sex": "female"}


def _post_together(token: str, bodies: list[dict], key: str):
    barrier = threading.Barrier(len(bodies))
    responses: list = [None] * len(bodies)
    errors: list = []

    def run(index: int, body: dict) -> None:
        try:
            client = Client()
            payload = json.dumps(body)
            barrier.wait(timeout=30)
            responses[index] = client.post(
                "/api/v1/persons",
                payload,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            )
        except Exception as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert all(r is not None for r in responses)
    return responses


def test_two_identical_posts_at_once_create_one_person():
    token = ApiClient(MembershipFactory(role_code="regional_officer")).token
    first, second = _post_together(token, [BODY, BODY], key="same-moment")
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    assert first.content == second.content
    replayed = [r.get("Idempotent-Replayed") for r in (first, second)]
    assert sorted(replayed, key=str) == sorted([None, "true"], key=str)
    assert Person.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_different_bodies_at_once_one_wins_one_is_refused():
    token = ApiClient(MembershipFactory(role_code="regional_officer")).token
    other = {**BODY, "given_name": "Alta"}
    responses = _post_together(token, [BODY, other], key="race")
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 422], [r.content for r in responses]
    refused = next(r for r in responses if r.status_code == 422)
    assert refused.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Person.objects.count() == 1
    winner = next(r for r in responses if r.status_code == 201)
    assert Person.objects.get().pk == __import__("uuid").UUID(winner.json()["id"])
