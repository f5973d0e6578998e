"""The persons API end to end: record, open, and page through with cursors."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return MembershipFactory(role_code="regional_officer")


def test_record_then_open_a_person(officer):
    api = ApiClient(officer)
    created = api.post(
        "/persons",
        {
            "given_name": "Oksana",
            "family_name": "Kovalenko",
            "aliases": ["Oxana"],
            "date_of_birth": "2004-07-09",
            "sex": "female",
            "citizenship": "ua",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["citizenship"] == "UA"
    assert body["birth_year"] == 2004
    assert body["owner_organisation_id"] == str(officer.organisation_id)
    opened = api.get(f"/persons/{body['id']}")
    assert opened.status_code == 200
    assert opened.json()["family_name"] == "Kovalenko"
    assert opened.json()["aliases"] == ["Oxana"]
    assert AuditEvent.objects.filter(action="person.viewed", person_id=body["id"]).count() == 1


def _page_through(api, limit, between_pages=None):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = api.get("/persons", **params)
        assert response.status_code == 200, response.content
        page = response.json()
        assert len(page["items"]) <= limit
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages
        if between_pages:
            between_pages(pages)


def _make_120(officer):
    # Three batches of 40 recorded at the very same instant: ties on created_at must be broken
    # by id, or a page boundary inside a batch would skip or repeat persons.
    base = datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)
    for batch in range(3):
        with freeze_time(base + datetime.timedelta(hours=batch)):
            for i in range(40):
                create_person(actor=officer, family_name=f"Batch{batch}", given_name=f"P{i}")
    expected = list(Person.objects.order_by("-created_at", "-id").values_list("id", flat=True))
    assert len(expected) == 120
    return [str(pk) for pk in expected]


def test_paging_120_persons_by_50_yields_each_once_newest_first(officer):
    expected = _make_120(officer)
    seen, pages = _page_through(ApiClient(officer), 50)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 120
    assert seen == expected


def test_paging_is_stable_when_persons_are_recorded_between_pages(officer):
    expected = _make_120(officer)
    added = []

    def insert(_page):
        for _ in range(7):
            added.append(str(create_person(actor=officer, family_name="Later").pk))

    seen, _ = _page_through(ApiClient(officer), 50, between_pages=insert)
    assert seen == expected  # every original exactly once, in order; newer ones not mixed in
    assert not set(added) & set(seen)
    # A fresh walk sees everything, the newer ones first.
    fresh, _ = _page_through(ApiClient(officer), 50)
    assert fresh[: len(added)] == list(reversed(added))
    assert fresh[len(added) :] == expected


def test_last_page_has_no_cursor_and_an_exact_fit_ends_cleanly(officer):
    for i in range(4):
        create_person(actor=officer, family_name=f"Fit{i}")
    api = ApiClient(officer)
    first = api.get("/persons", limit=2).json()
    second = api.get("/persons", limit=2, cursor=first["next_cursor"]).json()
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    assert api.get("/persons", limit=4).json()["next_cursor"] is None


def test_list_shows_only_what_the_caller_may_see(officer):
    mine = create_person(actor=officer)
    create_person(actor=MembershipFactory(role_code="regional_officer"))
    items = ApiClient(officer).get("/persons").json()["items"]
    assert [item["id"] for item in items] == [str(mine.pk)]
    assert "family_name" not in items[0]  # names only when a record is opened (and audited)


def test_a_cursor_from_another_callers_walk_reveals_nothing(officer):
    stranger = MembershipFactory(role_code="regional_officer")
    for _ in range(3):
        create_person(actor=stranger)
    cursor = ApiClient(stranger).get("/persons", limit=1).json()["next_cursor"]
    response = ApiClient(officer).get("/persons", cursor=cursor)
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_unknown_person_is_404_and_not_audited(officer):
    response = ApiClient(officer).get(f"/persons/{uuid.uuid4()}")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="person.viewed").exists()


def test_the_audited_read_names_its_actor_from_the_tokens_membership(officer):
    """The event takes the acting membership, whose user and organisation came with the token's
    own statement: no query of its own reads them (the hot path, ADR 0013)."""
    person = create_person(actor=officer)
    api = ApiClient(officer)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"/persons/{person.pk}").status_code == 200
    after_token = [query["sql"] for query in queries.captured_queries[1:]]
    reads = [s for s in after_token if "accounts_user" in s or "accounts_organisation" in s]
    assert not reads, reads
    event = AuditEvent.objects.filter(action="person.viewed").get()
    assert (event.actor_id, event.actor_username, event.organisation_id) == (
        officer.user_id,
        officer.user.username,
        officer.organisation_id,
    )
