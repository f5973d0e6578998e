"""Opening one record (hand-written SQL) and listing (queryset) apply the same scope rule.

The rule is written twice in punte/identification/persons/selectors.py; this proves, for every
role and every state a person can be in relative to the actor, that both answers agree.
"""

import datetime

import pytest
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from punte.accounts.permissions import ROLE_DEFINITIONS
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent, Country
from punte.identification.persons import selectors
from punte.identification.persons.models import Person, PersonAccess, PersonAccessReason
from punte.identification.persons.tests.factories import create_person
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def _people(actor):
    """One person in each state that the scope rule distinguishes, named by that state."""
    home, other = actor.organisation, OrganisationFactory()
    colleague = MembershipFactory(role_code="regional_officer", organisation=home)
    outsider = MembershipFactory(role_code="regional_officer", organisation=other)
    people = {
        "created by the actor here": create_person(actor=colleague, given_name="Ioana"),
        "created by the actor's user in another organisation": create_person(actor=outsider),
        "created by a colleague here": create_person(actor=colleague),
        "elsewhere, referred here": create_person(actor=outsider, contact="+40 700 000 001"),
        "elsewhere, referral revoked": create_person(actor=outsider),
        "elsewhere, referred here until tomorrow": create_person(actor=outsider),
        "elsewhere, referral expired": create_person(actor=outsider),
        "elsewhere, no grant": create_person(actor=outsider),
        "archived, created by the actor here": create_person(actor=colleague),
    }
    for key in ("created by the actor here", "archived, created by the actor here"):
        Person.objects.filter(pk=people[key].pk).update(created_by_id=actor.user_id)
    Person.objects.filter(
        pk=people["created by the actor's user in another organisation"].pk
    ).update(created_by_id=actor.user_id)
    now, day = timezone.now(), datetime.timedelta(days=1)
    for key, revoked_at, expires_at in (
        ("elsewhere, referred here", None, None),
        ("elsewhere, referral revoked", now, None),
        ("elsewhere, referred here until tomorrow", None, now + day),
        ("elsewhere, referral expired", None, now - day),
    ):
        PersonAccess.objects.create(
            person=people[key],
            organisation=home,
            reason=PersonAccessReason.REFERRAL,
            revoked_at=revoked_at,
            expires_at=expires_at,
        )
    Person.objects.filter(pk=people["archived, created by the actor here"].pk).update(
        archived_at=timezone.now()
    )
    return people


@pytest.mark.parametrize("role_code", sorted(ROLE_DEFINITIONS))
def test_opening_a_record_and_listing_agree_for_every_role_and_state(role_code):
    actor = MembershipFactory(role_code=role_code)
    people = _people(actor)
    listed = set(selectors.person_list_visible_to(actor=actor).values_list("pk", flat=True))
    for state, person in people.items():
        events_before = AuditEvent.objects.filter(action="person.viewed").count()
        try:
            with transaction.atomic():
                opened = selectors.person_get_for_view(actor=actor, person_id=person.pk)
        except Http404:
            opened = None
        assert (opened is not None) == (person.pk in listed), (role_code, state)
        viewed = AuditEvent.objects.filter(action="person.viewed").count() - events_before
        assert viewed == (1 if opened is not None else 0), (role_code, state)
        if opened is not None:
            expected = selectors.person_list_visible_to(actor=actor).get(pk=person.pk)
            for field in Person._meta.concrete_fields:
                assert getattr(opened, field.attname) == getattr(expected, field.attname), field
            assert opened.citizenship == expected.citizenship


def test_the_states_cover_every_answer():
    # Without this the agreement above could hold because everything is hidden.
    scopes = {
        "national_coordinator": None,
        "regional_officer": None,
        "first_responder": None,
    }
    for role_code in scopes:
        actor = MembershipFactory(role_code=role_code)
        people = _people(actor)
        scopes[role_code] = {
            state
            for state, person in people.items()
            if selectors.person_list_visible_to(actor=actor).filter(pk=person.pk).exists()
        }
    assert scopes["first_responder"] == {"created by the actor here"}
    assert scopes["regional_officer"] == {
        "created by the actor here",
        "created by a colleague here",
        "elsewhere, referred here",
        "elsewhere, referred here until tomorrow",
    }
    assert "elsewhere, no grant" in scopes["national_coordinator"]
    assert "archived, created by the actor here" not in scopes["national_coordinator"]


def test_the_record_page_shows_the_country_of_citizenship_by_name():
    # The one-record read does not join the country (the API needs only its code); the page
    # that shows the name loads it.
    actor = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=actor, citizenship="RO")
    client = verified_client(actor.user)
    response = client.get(reverse("identification:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert Country.objects.get(pk="RO").name in response.content.decode()
