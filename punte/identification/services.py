from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.crypto import blind_index
from punte.core.errors import ServiceError
from punte.core.fields import encrypted_fields
from punte.core.models import Country
from punte.identification.models import Person, PersonAccess, PersonAccessReason, Sex


@dataclass(frozen=True)
class PersonInput:
    given_name: str | None = None
    family_name: str | None = None
    aliases: list[str] | None = None
    date_of_birth: datetime.date | None = None
    birth_year: int | None = None
    sex: str = Sex.UNKNOWN
    citizenship: str | None = None
    contact: str | None = None
    notes: str | None = None
    identity_unknown: bool = False


def _validate(data: PersonInput) -> Country | None:
    today = timezone.localdate()
    if data.date_of_birth and data.date_of_birth > today:
        raise ServiceError("date_of_birth", _("The date of birth is in the future."))
    if data.birth_year and not (today.year - 120 <= data.birth_year <= today.year):
        raise ServiceError("birth_year", _("The birth year is not plausible."))
    if data.date_of_birth and data.birth_year and data.date_of_birth.year != data.birth_year:
        raise ServiceError("birth_year", _("The birth year differs from the date of birth."))
    if data.sex not in Sex.values:
        message = _("Unknown value; expected one of %(values)s.")
        raise ServiceError("sex", message % {"values": ", ".join(Sex.values)})
    if not data.identity_unknown and not (data.given_name or data.family_name or data.aliases):
        raise ServiceError(
            "family_name", _("Give a name or an alias, or mark the identity as unknown.")
        )
    if data.citizenship is None:
        return None
    country = Country.objects.filter(alpha2=data.citizenship.upper()).first()
    if country is None:
        raise ServiceError("citizenship", _("Not an ISO 3166-1 alpha-2 country code."))
    return country


def _apply_indexes(person: Person) -> None:
    person.family_name_index = blind_index(person.family_name, purpose="person.family_name")
    person.given_name_index = blind_index(person.given_name, purpose="person.given_name")
    dob = person.date_of_birth.isoformat() if person.date_of_birth else None
    person.date_of_birth_index = blind_index(dob, purpose="person.date_of_birth")


@transaction.atomic
def person_create(*, actor: Membership, data: PersonInput) -> Person:
    if not actor.has_perm("person.create"):
        raise ServiceError(None, _("Your role may not record persons."), status=403)
    country = _validate(data)
    person = Person(
        owner_organisation=actor.organisation,
        identity_unknown=data.identity_unknown,
        given_name=data.given_name or None,
        family_name=data.family_name or None,
        aliases=data.aliases or None,
        date_of_birth=data.date_of_birth,
        birth_year=data.date_of_birth.year if data.date_of_birth else data.birth_year,
        sex=data.sex,
        citizenship=country,
        contact=data.contact or None,
        notes=data.notes or None,
        created_by=actor.user,
        modified_by=actor.user,
    )
    _apply_indexes(person)
    person.save()
    PersonAccess.objects.create(
        person=person, organisation=actor.organisation, reason=PersonAccessReason.OWNER
    )
    personal = {f.name for f in encrypted_fields(Person)}
    audit.record(
        action="person.created",
        actor=actor.user,
        organisation=actor.organisation,
        subject=person,
        person_id=person.pk,
        changes=audit.redact(
            {
                name: {"old": None, "new": getattr(person, name)}
                for name in ["given_name", "family_name", "date_of_birth", "birth_year", "sex"]
            },
            personal,
        ),
    )
    # Link the new record to its national person in the background, once it is committed.
    from punte.linkage.tasks import link_person_task

    transaction.on_commit(lambda: link_person_task.enqueue(person_id=str(person.pk)), robust=True)
    return person
