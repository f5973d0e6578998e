import datetime

import factory

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons import services


def create_person(actor=None, **fields):
    """A person recorded through the service, so grants, indexes and audit are as in real use."""
    actor = actor or MembershipFactory(role_code="regional_officer")
    data = {
        "given_name": "Ana",
        "family_name": "Popescu",
        "date_of_birth": datetime.date(2001, 5, 17),
        "sex": "female",
        "citizenship": "RO",
    }
    data.update(fields)
    return services.person_create(actor=actor, data=services.PersonInput(**data))


class PersonFactory(factory.Factory):
    """factory_boy front for create_person: PersonFactory(actor=m, family_name='Ionescu')."""

    class Meta:
        model = dict

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return create_person(**kwargs)

    _build = _create
