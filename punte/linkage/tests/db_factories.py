"""Test data for linkage inside the database: a trained model, a background population, pairs.

The model is trained once per test process on synthetic records from the engine's generator
(about five seconds); each test stores it as the active model. Linking needs a population of
realistic size around the records a test is about: the model's term-frequency adjustments read
name and date frequencies from the records being linked, and in a table of twenty records every
name looks common (see the report of ADR 0011). `background_persons` adds synthetic persons
quickly (bulk insert, no audit) under an organisation of their own.
"""

from __future__ import annotations

import datetime
import functools

from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import Country
from punte.identification.persons.models import Person, PersonAccess, PersonAccessReason
from punte.identification.persons.tests.factories import create_person
from punte.linkage.models import (
    LinkMethod,
    NationalPerson,
    PersonLink,
    ReviewPair,
    ReviewReason,
    ordered_pair,
)

_SEX = {"F": "female", "M": "male"}


@functools.lru_cache(maxsize=1)
def trained_model():
    import pandas as pd

    from punte.linkage.engine import features, generator, linking, normalise

    benchmark = generator.generate(records=600, sources=3, seed=1)
    frame = pd.DataFrame(benchmark.records)
    frame["date_of_birth"] = [normalise.parse_date(d) for d in frame["date_of_birth"]]
    scorer = linking.Scorer(features.prepare(frame))
    scorer.close()
    return scorer.model


def install_model():
    from punte.linkage import services

    return services.linkagemodel_store(trained=trained_model())


def background_persons(count: int = 150, *, seed: int = 7) -> list[Person]:
    """`count` synthetic persons (with the generator's own duplicates among them)."""
    from punte.linkage.engine import generator, normalise

    organisation = OrganisationFactory()
    countries = set(Country.objects.values_list("alpha2", flat=True))
    people = []
    for record in generator.generate(records=count, sources=3, seed=seed).records:
        date = normalise.parse_date(record["date_of_birth"])
        full = date is not None and date.day is not None
        people.append(
            Person(
                owner_organisation=organisation,
                given_name=record["first_name"] or None,
                family_name=record["last_name"] or None,
                date_of_birth=datetime.date(date.year, date.month, date.day) if full else None,
                birth_year=date.year if date else None,
                sex=_SEX.get(record["sex"], "unknown"),
                citizenship_id=record["citizenship"]
                if record["citizenship"] in countries
                else None,
            )
        )
    Person.objects.bulk_create(people)
    PersonAccess.objects.bulk_create(
        [
            PersonAccess(person=p, organisation=organisation, reason=PersonAccessReason.OWNER)
            for p in people
        ]
    )
    return people


def make_review_pair(owner=None, **fields) -> ReviewPair:
    """Two records of `owner`'s organisation proposed as one person."""
    owner = owner or MembershipFactory(role_code="regional_officer")
    one = create_person(actor=owner, given_name="Ilinca", family_name="Pârvu")
    two = create_person(actor=owner, given_name="Ilinca", family_name="Parvu", date_of_birth=None)
    a, b = ordered_pair(one.pk, two.pk)
    values = {
        "match_probability": 0.8,
        "reason": ReviewReason.UNCERTAIN,
        "model_version": "test",
        "proposed_at": datetime.datetime.now(datetime.UTC),
        "comparison": [{"comparison": "first_name", "level": "given name exactly equal"}],
    }
    values.update(fields)
    return ReviewPair.objects.create(person_a_id=a, person_b_id=b, **values)


def link_together(*people, method: str = LinkMethod.MODEL) -> NationalPerson:
    """Give the records one national person, as a run would."""
    national = NationalPerson.objects.create()
    now = datetime.datetime.now(datetime.UTC)
    for person in people:
        PersonLink.objects.update_or_create(
            person=person,
            defaults={
                "national_person": national,
                "match_probability": 0.99 if len(people) > 1 else None,
                "method": method if len(people) > 1 else LinkMethod.SINGLETON,
                "linked_at": now,
            },
        )
    return national


def make_linked_record(owner=None) -> Person:
    """A record linked to another one of the same organisation; returns the first record."""
    owner = owner or MembershipFactory(role_code="regional_officer")
    one = create_person(actor=owner, given_name="Sorin", family_name="Vlad")
    two = create_person(actor=owner, given_name="SORIN", family_name="VLAD")
    link_together(one, two)
    return one
