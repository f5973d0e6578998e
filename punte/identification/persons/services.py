from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.crypto import blind_index
from punte.core.errors import ServiceError, uuid_or_404
from punte.core.fields import encrypted_fields
from punte.core.models import Country, Language
from punte.identification.persons import hooks
from punte.identification.persons.models import (
    DocumentType,
    Person,
    PersonAccess,
    PersonAccessReason,
    PersonCitizenship,
    Sex,
)

MAX_AGE = 120
MAX_CITIZENSHIPS = 5
MAX_LANGUAGES = 10
MAX_DOCUMENTS = 10
MAX_DOCUMENT_NUMBER = 64


@dataclass(frozen=True)
class IdentityDocumentInput:
    type: str
    number: str
    issuing_country: str | None = None


@dataclass(frozen=True)
class PersonInput:
    given_name: str | None = None
    family_name: str | None = None
    aliases: list[str] | None = None
    date_of_birth: datetime.date | None = None
    birth_year: int | None = None
    approximate_age: int | None = None
    age_estimated_on: datetime.date | None = None
    may_be_child: bool = False
    sex: str = Sex.UNKNOWN
    # The primary citizenship alone (kept for clients written before `citizenships`).
    citizenship: str | None = None
    citizenships: list[str] | None = None
    languages: list[str] | None = None
    identity_documents: list[IdentityDocumentInput] = field(default_factory=list)
    contact: str | None = None
    notes: str | None = None
    identity_unknown: bool = False


@dataclass(frozen=True)
class _Checked:
    countries: list[Country]
    languages: list[Language]
    documents: list[dict]


def _validate(data: PersonInput) -> _Checked:
    today = timezone.localdate()
    if data.date_of_birth and data.date_of_birth > today:
        raise ServiceError("date_of_birth", _("The date of birth is in the future."))
    if data.birth_year and not (today.year - MAX_AGE <= data.birth_year <= today.year):
        raise ServiceError("birth_year", _("The birth year is not plausible."))
    if data.date_of_birth and data.birth_year and data.date_of_birth.year != data.birth_year:
        raise ServiceError("birth_year", _("The birth year differs from the date of birth."))
    if data.approximate_age is not None:
        if not 0 <= data.approximate_age <= MAX_AGE:
            message = _("An approximate age is between 0 and %(max)d years.") % {"max": MAX_AGE}
            raise ServiceError("approximate_age", message)
        if data.date_of_birth:
            raise ServiceError(
                "approximate_age",
                _("Give either the date of birth or an approximate age, not both."),
            )
    if data.age_estimated_on is not None:
        if data.approximate_age is None:
            raise ServiceError(
                "age_estimated_on", _("The date of the estimate goes with an approximate age.")
            )
        if data.age_estimated_on > today:
            raise ServiceError("age_estimated_on", _("The date of the estimate is in the future."))
    if data.may_be_child and data.date_of_birth:
        raise ServiceError(
            "may_be_child",
            _(
                "A date of birth settles the age. If it is in doubt, remove it and give an "
                "approximate age instead."
            ),
        )
    if data.sex not in Sex.values:
        message = _("Unknown value; expected one of %(values)s.")
        raise ServiceError("sex", message % {"values": ", ".join(Sex.values)})
    if not data.identity_unknown and not (data.given_name or data.family_name or data.aliases):
        raise ServiceError(
            "family_name", _("Give a name or an alias, or mark the identity as unknown.")
        )
    return _Checked(
        countries=_countries(data),
        languages=_languages(data.languages or []),
        documents=_documents(data.identity_documents or []),
    )


def _countries(data: PersonInput) -> list[Country]:
    codes = [c.strip().upper() for c in (data.citizenships or [])]
    field_name = "citizenships"
    if data.citizenship:
        primary = data.citizenship.strip().upper()
        if codes and primary not in codes:
            raise ServiceError(
                "citizenship", _("The primary citizenship must be one of the citizenships.")
            )
        if not codes:
            codes, field_name = [primary], "citizenship"
        else:
            codes = [primary, *[c for c in codes if c != primary]]
    if len(codes) > MAX_CITIZENSHIPS:
        message = _("At most %(limit)d citizenships.") % {"limit": MAX_CITIZENSHIPS}
        raise ServiceError("citizenships", message)
    found = {c.alpha2: c for c in Country.objects.filter(alpha2__in=codes)}
    countries: list[Country] = []
    for index, code in enumerate(codes):
        if code not in found:
            name = field_name if field_name == "citizenship" else f"citizenships.{index}"
            raise ServiceError(name, _("Not an ISO 3166-1 alpha-2 country code."))
        if found[code] not in countries:
            countries.append(found[code])
    return countries


def _languages(codes: list[str]) -> list[Language]:
    if len(codes) > MAX_LANGUAGES:
        message = _("At most %(limit)d languages.") % {"limit": MAX_LANGUAGES}
        raise ServiceError("languages", message)
    wanted = [c.strip().lower() for c in codes]
    found = {lang.code: lang for lang in Language.objects.filter(code__in=wanted)}
    languages: list[Language] = []
    for index, code in enumerate(wanted):
        if code not in found:
            raise ServiceError(f"languages.{index}", _("Not an ISO 639-3 language code."))
        if found[code] not in languages:
            languages.append(found[code])
    return languages


def _documents(documents: list[IdentityDocumentInput]) -> list[dict]:
    if len(documents) > MAX_DOCUMENTS:
        message = _("At most %(limit)d identity documents.") % {"limit": MAX_DOCUMENTS}
        raise ServiceError("identity_documents", message)
    checked = []
    for index, document in enumerate(documents):
        where = f"identity_documents.{index}"
        if document.type not in DocumentType.values:
            message = _("Unknown document type; expected one of %(values)s.")
            raise ServiceError(
                f"{where}.type", message % {"values": ", ".join(DocumentType.values)}
            )
        number = (document.number or "").strip()
        if not number or len(number) > MAX_DOCUMENT_NUMBER:
            message = _("Give the document number (at most %(limit)d characters).")
            raise ServiceError(f"{where}.number", message % {"limit": MAX_DOCUMENT_NUMBER})
        country = None
        if document.issuing_country:
            country = document.issuing_country.strip().upper()
            if not Country.objects.filter(alpha2=country).exists():
                raise ServiceError(
                    f"{where}.issuing_country", _("Not an ISO 3166-1 alpha-2 country code.")
                )
        checked.append({"type": document.type, "number": number, "issuing_country": country})
    return checked


def _apply_indexes(person: Person) -> None:
    person.family_name_index = blind_index(person.family_name, purpose="person.family_name")
    person.given_name_index = blind_index(person.given_name, purpose="person.given_name")
    dob = person.date_of_birth.isoformat() if person.date_of_birth else None
    person.date_of_birth_index = blind_index(dob, purpose="person.date_of_birth")


_CLEAR_FIELDS = [
    "birth_year",
    "approximate_age",
    "age_estimated_on",
    "may_be_child",
    "sex",
    "identity_unknown",
]
_PERSONAL_FIELDS = [
    "given_name",
    "family_name",
    "aliases",
    "date_of_birth",
    "contact",
    "notes",
    "identity_documents",
]


def _assign(person: Person, data: PersonInput, checked: _Checked) -> None:
    person.identity_unknown = data.identity_unknown
    person.given_name = data.given_name or None
    person.family_name = data.family_name or None
    person.aliases = data.aliases or None
    person.date_of_birth = data.date_of_birth
    person.birth_year = data.date_of_birth.year if data.date_of_birth else data.birth_year
    person.approximate_age = data.approximate_age
    person.age_estimated_on = (
        (data.age_estimated_on or timezone.localdate())
        if data.approximate_age is not None
        else None
    )
    person.may_be_child = data.may_be_child
    person.sex = data.sex
    person.citizenship = checked.countries[0] if checked.countries else None
    person.contact = data.contact or None
    person.notes = data.notes or None
    person.identity_documents = checked.documents or None


def _save_relations(person: Person, checked: _Checked) -> None:
    PersonCitizenship.objects.filter(person=person).delete()
    PersonCitizenship.objects.bulk_create(
        [
            PersonCitizenship(person=person, country=country, position=index)
            for index, country in enumerate(checked.countries)
        ]
    )
    person.languages.set(checked.languages)


def _snapshot(person: Person) -> dict:
    values = {name: getattr(person, name) for name in _CLEAR_FIELDS + _PERSONAL_FIELDS}
    values["citizenships"] = person.citizenship_codes
    values["languages"] = sorted(person.languages.values_list("code", flat=True))
    return values


@transaction.atomic
def person_create(*, actor: Membership, data: PersonInput) -> Person:
    if not actor.has_perm("person.create"):
        raise ServiceError(None, _("Your role may not record persons."), status=403)
    checked = _validate(data)
    person = Person(
        owner_organisation=actor.organisation,
        created_by=actor.user,
        modified_by=actor.user,
    )
    _assign(person, data, checked)
    _apply_indexes(person)
    person.save()
    _save_relations(person, checked)
    person_access_grant(
        actor=actor,
        person_id=person.pk,
        organisation_id=actor.organisation_id,
        reason=PersonAccessReason.OWNER,
    )
    personal = {f.name for f in encrypted_fields(Person)}
    audit.record(
        action="person.created",
        actor=actor,
        subject=person,
        person_id=person.pk,
        changes=audit.redact(
            {
                name: {"old": None, "new": getattr(person, name)}
                for name in ["given_name", "family_name", "date_of_birth", *_CLEAR_FIELDS]
            }
            | {"citizenships": {"old": None, "new": [c.alpha2 for c in checked.countries]}},
            personal,
        ),
    )
    transaction.on_commit(
        lambda: hooks.person_recorded.send(sender=Person, person_id=str(person.pk)), robust=True
    )
    return person


@transaction.atomic
def person_update(*, actor: Membership, person_id, data: PersonInput) -> Person:
    """Replace what is known about a person by `data` (the whole record, as the edit form and
    PUT send it). Outside the actor's scope, or without person.change: not found."""
    from punte.identification.persons.selectors import person_list_visible_to

    person_uuid = uuid_or_404(person_id)
    if not actor.has_perm("person.change"):
        raise Http404
    person = (
        person_list_visible_to(actor=actor)
        .select_for_update(of=("self",))
        .filter(pk=person_uuid)
        .first()
    )
    if person is None:
        raise Http404
    checked = _validate(data)
    before = _snapshot(person)
    _assign(person, data, checked)
    _apply_indexes(person)
    person.modified_by = actor.user
    person.save()
    _save_relations(person, checked)
    after = _snapshot(person)
    changed = {
        name: {"old": before[name], "new": after[name]}
        for name in after
        if before[name] != after[name]
    }
    identity = frozenset(changed.keys() & hooks.IDENTITY_FIELDS)
    if identity:
        transaction.on_commit(
            lambda: hooks.person_identity_changed.send(
                sender=Person, person_id=str(person.pk), fields=identity
            ),
            robust=True,
        )
    if changed:
        # Names, dates of birth, contact and documents: the trail says they changed, not how.
        personal = {f.name for f in encrypted_fields(Person)}
        audit.record(
            action="person.changed",
            actor=actor,
            subject=person,
            person_id=person.pk,
            changes=audit.redact(changed, personal),
        )
    return person


# --- Access to a person ----------------------------------------------------------------------


def _access_changes(organisation_id, reason: str, source, expires_at) -> dict:
    changes = {"organisation": str(organisation_id), "reason": reason}
    if source is not None:
        changes[source._meta.model_name] = str(source.pk)
    if expires_at is not None:
        changes["expires_at"] = expires_at.isoformat()
    return changes


def _outlasts(wanted: datetime.datetime | None, current: datetime.datetime | None) -> bool:
    """Whether an end `wanted` gives more time than the grant's `current` end (None: no end)."""
    if current is None:
        return False
    return wanted is None or wanted > current


@transaction.atomic
def person_access_grant(
    *,
    actor: Membership,
    person_id,
    organisation_id,
    reason: str,
    source=None,
    expires_at: datetime.datetime | None = None,
) -> PersonAccess:
    """Let an organisation open a person's record, for a reason (PersonAccessReason), because of
    `source` (the referral, the case: any model instance), until `expires_at` (None: no end).

    The caller decides who may give access (accepting a referral, joining a team): this only
    records it. An organisation holds one standing grant per person and reason: granting again
    returns it, lengthened if the new end is later, never shortened (revoking does that). Each
    grant and lengthening writes "person.access_granted", except the owner's grant, which the
    person's own "person.created" records.
    """
    standing = {
        "person_id": person_id,
        "organisation_id": organisation_id,
        "reason": reason,
        "revoked_at__isnull": True,
    }
    grant = PersonAccess.objects.select_for_update().filter(**standing).first()
    if grant is None:
        try:
            with transaction.atomic():
                grant = PersonAccess.objects.create(
                    person_id=person_id,
                    organisation_id=organisation_id,
                    reason=reason,
                    source_type=source._meta.label_lower if source is not None else "",
                    source_id=str(source.pk) if source is not None else "",
                    expires_at=expires_at,
                )
        except IntegrityError:
            # A concurrent grant made it first (the one-standing-grant constraint).
            grant = PersonAccess.objects.select_for_update().get(**standing)
        else:
            if reason != PersonAccessReason.OWNER:
                _record_access(
                    "person.access_granted",
                    actor,
                    person_id,
                    changes=_access_changes(organisation_id, reason, source, expires_at),
                )
            return grant
    if _outlasts(expires_at, grant.expires_at):
        grant.expires_at = expires_at
        grant.save(update_fields=["expires_at"])
        _record_access(
            "person.access_granted",
            actor,
            person_id,
            changes=_access_changes(organisation_id, reason, source, expires_at)
            | {"lengthened": True},
        )
    return grant


@transaction.atomic
def person_access_revoke(
    *, actor: Membership, person_id, organisation_id, reason: str, source=None
) -> int:
    """End an organisation's standing grant to a person for a reason, writing
    "person.access_revoked" if there was one; `source` is what ended it (the withdrawn
    referral). The number of grants ended (0 or 1)."""
    revoked = PersonAccess.objects.filter(
        person_id=person_id,
        organisation_id=organisation_id,
        reason=reason,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    if revoked:
        _record_access(
            "person.access_revoked",
            actor,
            person_id,
            changes=_access_changes(organisation_id, reason, source, None),
        )
    return revoked


def _record_access(action: str, actor: Membership, person_id, *, changes: dict) -> None:
    audit.record(
        action=action,
        actor=actor,
        subject_type=Person._meta.label_lower,
        subject_id=str(person_id),
        person_id=person_id,
        changes=changes,
    )
