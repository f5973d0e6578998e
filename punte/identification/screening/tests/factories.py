"""Shared set-up for the screening, consent and decision tests: the catalogue in the database,
and records made through the services (as the permission matrix needs them)."""

import datetime

from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.catalogue.schema import CATALOGUE_DIR
from punte.identification.screening.catalogue.store import load_catalogue_file
from punte.identification.screening.services import decisions, screening

VERSION = "ilo-ec-2009-v1"


def load_catalogue():
    load_catalogue_file(CATALOGUE_DIR / f"{VERSION}.yaml")
    return VERSION


def start_screening(actor, person=None, *, kind="full", lists=("adult_labour",)):
    load_catalogue()
    person = person or create_person(actor=actor)
    return screening.screening_start(actor=actor, person=person, kind=kind, lists=lists)


def completed_screening(actor, codes=(), person=None):
    draft = start_screening(actor, person)
    if codes:
        screening.screening_save_answers(
            actor=actor, screening=draft, answers=dict.fromkeys(codes, True)
        )
    return screening.screening_complete(actor=actor, screening=draft)


def make_competent(membership, kind=OrganisationType.PROSECUTION):
    """Turn the membership's organisation into a competent authority (prosecution by default)."""
    membership.organisation.type = kind
    membership.organisation.save(update_fields=["type"])
    return membership


def foreign_person(actor, **fields):
    return create_person(actor=actor, citizenship="UA", **fields)


def running_period(person, *, days=90, actor=None):
    actor = actor or make_competent(MembershipFactory(role_code="prosecutor"))
    today = timezone.localdate()
    return decisions.reflection_period_start(
        actor=actor,
        person=person,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=days - 1),
    )
