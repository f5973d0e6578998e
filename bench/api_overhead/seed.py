"""Synthetic data for the benchmark: organisations, persons with every encrypted field filled,
need-to-know grants, and one regional officer with an API token. No real personal data.

Persons (with citizenships, languages and an identity document) are written with bulk_create:
the encrypted fields still encrypt each value (`get_prep_value`), and the blind indexes are
computed as the service computes them.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from punte.accounts.models import Membership, Organisation, OrganisationType, Role, User
from punte.accounts.services.tokens import apitoken_create
from punte.core.crypto import blind_index
from punte.identification.persons.models import (
    Person,
    PersonAccess,
    PersonAccessReason,
    PersonCitizenship,
    Sex,
)

GIVEN = [
    "Ana",
    "Maria",
    "Elena",
    "Ioana",
    "Andreea",
    "Mihai",
    "Andrei",
    "Ion",
    "Olena",
    "Iryna",
    "Natalia",
    "Vasile",
    "Cristina",
    "Daria",
    "Oksana",
    "Tudor",
    "Alina",
    "Sorin",
]
FAMILY = [
    "Popescu",
    "Ionescu",
    "Popa",
    "Rusu",
    "Ceban",
    "Lungu",
    "Munteanu",
    "Moraru",
    "Kovalenko",
    "Shevchenko",
    "Stan",
    "Dumitru",
    "Tkachenko",
    "Gheorghiu",
    "Matei",
]
CITIZENSHIP = ["RO", "RO", "RO", "MD", "UA", "BG"]
LANGUAGES = ["ron", "ukr", "rus", "eng", "bul"]
NOTE = (
    "Synthetic benchmark record. Met at the regional centre after a referral from the labour "
    "inspectorate; needs interpretation and temporary accommodation; follow-up agreed."
)


@dataclass(frozen=True)
class Seeded:
    token: str
    visible_person_ids: list[str]
    persons: int
    organisations: int


def _person(rng: random.Random, org: Organisation, creator: User) -> Person:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    dob = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(17000))
    person = Person(
        owner_organisation=org,
        given_name=given,
        family_name=family,
        aliases=[f"{given[:3]}{rng.randrange(100)}"],
        date_of_birth=dob,
        birth_year=dob.year,
        sex=rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE, Sex.UNKNOWN]),
        citizenship_id=rng.choice(CITIZENSHIP),
        contact=f"+40 7{rng.randrange(10**8):08d}",
        notes=NOTE,
        identity_documents=[
            {"type": "passport", "number": f"P{rng.randrange(10**7):07d}", "issuing_country": "MD"}
        ],
        created_by=creator,
        modified_by=creator,
    )
    person.family_name_index = blind_index(family, purpose="person.family_name")
    person.given_name_index = blind_index(given, purpose="person.given_name")
    person.date_of_birth_index = blind_index(dob.isoformat(), purpose="person.date_of_birth")
    return person


def seed(*, persons: int, organisations: int = 20, seed: int = 1) -> Seeded:
    """Persons spread evenly over the organisations. The benchmark's member (regional officer,
    organisation scope, in the first organisation) sees its own organisation's persons and, by
    referral grants, as many again from the other organisations."""
    rng = random.Random(seed)
    unusable = make_password(None)
    with transaction.atomic():
        orgs = Organisation.objects.bulk_create(
            Organisation(
                code=f"bench-{i}",
                name=f"Benchmark organisation {i:02d}",
                type=OrganisationType.REGIONAL_CENTRE,
            )
            for i in range(organisations)
        )
        creators = User.objects.bulk_create(
            User(username=f"bench-creator-{i}", password=unusable) for i in range(organisations)
        )
        people: list[Person] = []
        for n in range(persons):
            i = n % organisations
            people.append(_person(rng, orgs[i], creators[i]))
        Person.objects.bulk_create(people, batch_size=2000)
        grants = [
            PersonAccess(
                person=p, organisation=p.owner_organisation, reason=PersonAccessReason.OWNER
            )
            for p in people
        ]
        own = [p for p in people if p.owner_organisation_id == orgs[0].pk]
        others = [p for p in people if p.owner_organisation_id != orgs[0].pk]
        referred = rng.sample(others, min(len(own), len(others)))
        grants += [
            PersonAccess(person=p, organisation=orgs[0], reason=PersonAccessReason.REFERRAL)
            for p in referred
        ]
        PersonAccess.objects.bulk_create(grants, batch_size=5000)
        # Citizenships (the first is Person.citizenship; a quarter hold a second one) and one or
        # two languages, as the record form stores them.
        links, spoken = [], []
        for p in people:
            links.append(PersonCitizenship(person=p, country_id=p.citizenship_id, position=0))
            second = rng.choice(CITIZENSHIP)
            if second != p.citizenship_id and rng.random() < 0.25:
                links.append(PersonCitizenship(person=p, country_id=second, position=1))
            for code in rng.sample(LANGUAGES, rng.choice([1, 2])):
                spoken.append(Person.languages.through(person=p, language_id=code))
        PersonCitizenship.objects.bulk_create(links, batch_size=5000)
        Person.languages.through.objects.bulk_create(spoken, batch_size=5000)

        reader = User.objects.create(username="bench-reader", password=unusable)
        membership = Membership.objects.create(
            user=reader, organisation=orgs[0], role=Role.objects.get(code="regional_officer")
        )
        issued = apitoken_create(actor=None, membership=membership, name="api_overhead benchmark")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would soon after a bulk load
    visible = [str(p.pk) for p in own + referred]
    rng.shuffle(visible)
    return Seeded(issued.secret, visible, persons, organisations)
