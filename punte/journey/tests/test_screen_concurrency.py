"""A double tap on "Next" of the first step sends the same form twice at the same moment: on
PostgreSQL, with real commits, one person and one screening are recorded and both answers lead
to the same draft (core.idempotency.page_post_once)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from punte.identification.persons.models import Person
from punte.identification.screening.models import Screening
from punte.journey.tests.e2e import cast
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(functions):
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as exc:  # the outcome, judged by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_submissions_of_the_first_step_at_once_record_one_person():
    c = cast()
    client = verified_client(c.physician.user)
    form = {
        "idempotency_key": "double-tap",
        "identity_unknown": "on",
        "sex": "unknown",
        "may_be_child": "on",
        "kind": "short",
    }
    url = reverse("journey:screen_start")
    results = _together([lambda: client.post(url, form), lambda: client.post(url, form)])
    assert all(getattr(r, "status_code", None) == 302 for r in results), results
    assert results[0].url == results[1].url
    assert Person.objects.count() == 1
    draft = Screening.objects.get()
    assert results[0].url == reverse("journey:screen_questions", args=[draft.pk])
