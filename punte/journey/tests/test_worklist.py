"""The worklist as composed from sections: visibility by permission, counts, first items,
cursor pages in the section's order, empty states; on the home page and in the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from punte.accounts.tests.factories import MembershipFactory
from punte.core.worklist import WorkItem, WorklistSection
from punte.identification.persons.selectors import person_list_visible_to
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def _item(person) -> WorkItem:
    return WorkItem(
        id=str(person.pk),
        kind="person",
        label=f"Record {str(person.pk)[:8]}",
        url=reverse("identification:person_detail", args=[person.pk]),
        occurred_at=person.created_at,
        person_id=person.pk,
        status="open",
    )


def _section(**overrides) -> WorklistSection:
    values = {
        "key": "test.persons",
        "title": "Persons to look at",
        "permission": "person.view",
        "empty_text": "Nothing to look at: record a person.",
        "rows": lambda actor: person_list_visible_to(actor=actor),
        "item": _item,
    }
    values.update(overrides)
    return WorklistSection(**values)


def test_the_home_page_shows_each_visible_section_with_count_first_items_and_links(
    contributions,
):
    contributions.sections.append(_section())
    contributions.sections.append(
        _section(key="test.audits", title="Audits", permission="audit.search")
    )
    member = MembershipFactory(role_code="regional_officer")
    people = [create_person(actor=member) for _ in range(7)]

    page = verified_client(member.user).get("/").content.decode()

    assert "Your worklist" in page
    assert "Persons to look at" in page and "(7)" in page
    assert "Audits" not in page  # the role lacks audit.search
    newest_first = [str(p.pk) for p in reversed(people)][:5]
    for person_id in newest_first:
        assert reverse("identification:person_detail", args=[person_id]) in page
    assert str(people[0].pk) not in page  # the oldest is beyond the first five
    assert reverse("journey:worklist_section", args=["test.persons"]) in page
    assert "the first 5 of 7" in page  # the table's caption


def test_an_empty_section_says_what_to_do(contributions):
    contributions.sections.append(_section())
    member = MembershipFactory(role_code="regional_officer")
    page = verified_client(member.user).get("/").content.decode()
    assert "Nothing to look at: record a person." in page
    assert "(0)" in page


def test_a_role_without_any_section_is_told_so(contributions):
    contributions.sections.append(_section())
    member = MembershipFactory(role_code="evaluator")
    page = verified_client(member.user).get("/").content.decode()
    assert "Your role has no worklist" in page
    assert "Persons to look at" not in page


def test_a_section_may_apply_to_some_memberships_only(contributions):
    contributions.sections.append(
        _section(applies_to=lambda actor: actor.organisation.type == "prosecution")
    )
    ngo = MembershipFactory(role_code="regional_officer")
    prosecutor = MembershipFactory(role_code="prosecutor", organisation__type="prosecution")
    assert "Persons to look at" not in verified_client(ngo.user).get("/").content.decode()
    assert "Persons to look at" in verified_client(prosecutor.user).get("/").content.decode()


def test_the_section_page_walks_every_item_with_the_cursor(contributions):
    contributions.sections.append(_section())
    member = MembershipFactory(role_code="regional_officer")
    people = [create_person(actor=member) for _ in range(30)]
    client = verified_client(member.user)
    url = reverse("journey:worklist_section", args=["test.persons"])

    first = client.get(url)
    assert first.status_code == 200
    assert "30 items" in first.content.decode()
    assert first.context["page"].next_cursor
    second = client.get(url, {"cursor": first.context["page"].next_cursor})
    seen = [i.id for i in first.context["page"].items] + [
        i.id for i in second.context["page"].items
    ]
    assert seen == [str(p.pk) for p in reversed(people)]
    assert second.context["page"].next_cursor is None


def test_a_forged_cursor_shows_the_first_page_with_a_message(contributions):
    contributions.sections.append(_section())
    member = MembershipFactory(role_code="regional_officer")
    create_person(actor=member)
    url = reverse("journey:worklist_section", args=["test.persons"])
    response = verified_client(member.user).get(url, {"cursor": "not-a-cursor"})
    assert response.status_code == 200
    assert "This page link is not valid" in response.content.decode()
    assert len(response.context["page"].items) == 1


def test_a_section_the_role_may_not_see_is_not_found(contributions):
    contributions.sections.append(_section(permission="audit.search"))
    member = MembershipFactory(role_code="regional_officer")
    client = verified_client(member.user)
    assert client.get(reverse("journey:worklist_section", args=["test.persons"])).status_code == 404
    assert client.get(reverse("journey:worklist_section", args=["nothing"])).status_code == 404


def test_deadline_sections_page_soonest_first(contributions):
    # Ascending keyset: the oldest row first, and the cursor continues from there.
    contributions.sections.append(_section(ascending=True))
    member = MembershipFactory(role_code="regional_officer")
    people = [create_person(actor=member) for _ in range(4)]
    api = ApiClient(member)
    first = api.get("/worklist/test.persons", limit=3).json()
    assert [i["id"] for i in first["items"]] == [str(p.pk) for p in people[:3]]
    second = api.get("/worklist/test.persons", limit=3, cursor=first["next_cursor"]).json()
    assert [i["id"] for i in second["items"]] == [str(people[3].pk)]
    assert second["next_cursor"] is None and second["count"] == 4


def test_the_api_answers_every_visible_section(contributions):
    contributions.sections.append(_section())
    contributions.sections.append(
        _section(key="test.audits", title="Audits", permission="audit.search")
    )
    member = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=member)

    body = ApiClient(member).get("/worklist").json()

    assert [s["key"] for s in body["sections"]] == ["test.persons"]
    section = body["sections"][0]
    assert section["count"] == 1
    assert section["items"][0]["id"] == str(person.pk)
    assert section["items"][0]["person_id"] == str(person.pk)
    assert section["empty_text"] == "Nothing to look at: record a person."


def test_the_api_refuses_a_bad_cursor_and_an_unknown_section(contributions):
    contributions.sections.append(_section())
    member = MembershipFactory(role_code="regional_officer")
    api = ApiClient(member)
    bad = api.get("/worklist/test.persons", cursor="xyz")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "cursor"
    assert api.get("/worklist/nope").status_code == 404
    assert api.get("/worklist/test.persons", limit=0).status_code == 400


def test_worklists_are_scoped_by_the_acting_membership(contributions):
    # The section reads through the app's selector: a colleague's record is visible to an
    # organisation-scoped role, not to an own-scoped one, and nothing of another organisation.
    contributions.sections.append(_section())
    home = MembershipFactory(role_code="regional_officer")
    colleague = MembershipFactory(role_code="clinician", organisation=home.organisation)
    stranger = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=home)
    ids = lambda m: [i["id"] for i in ApiClient(m).get("/worklist").json()["sections"][0]["items"]]  # noqa: E731
    assert ids(home) == [str(person.pk)]
    assert ids(colleague) == []
    assert ids(stranger) == []
