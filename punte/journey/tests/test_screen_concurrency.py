"""A double tap on "Next" of the first step sends the same form twice at the same moment: on
PostgreSQL, with real commits, one person and one screening are recorded and both answers lead
to the same draft (core.idempotency.page_post_once)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from punte.identification.persons.models import Person
from punte.identification.screening.models import Screening
from punte.journey.tests.e2e import cast
from punte.testing.concurrency import run_together
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(functions):
    return run_together(functions, return_exceptions=True)


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
