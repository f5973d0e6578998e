"""Every read of persons goes through here, scoped by the acting membership and audited."""

from __future__ import annotations

import dataclasses
import datetime
import uuid

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punte.accounts.models import Membership
from punte.accounts.permissions import Scope
from punte.core import audit
from punte.core.api_support import paginate_by_cursor
from punte.core.crypto import blind_index
from punte.core.errors import ServiceError, uuid_or_404
from punte.core.models import Language
from punte.core.rawrows import RowLoader, load_related_rows, related_rows_sql, set_prefetched
from punte.identification.persons.models import (
    Person,
    PersonAccess,
    PersonCitizenship,
    _full_years,
)


def person_list_visible_to(*, actor: Membership) -> QuerySet[Person]:
    # The scope rule is written twice, here as a queryset and in _visible_person_sql() as SQL
    # for the one-record read; test_person_scope_paths.py proves they agree for every scope
    # and grant state. Change both together.
    if not actor.has_perm("person.view"):
        return Person.objects.none()
    people = Person.objects.filter(archived_at__isnull=True).select_related("citizenship")
    if actor.scope == Scope.ALL:
        return people
    if actor.scope == Scope.ORGANISATION:
        granted = PersonAccess.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
            person=OuterRef("pk"),
            organisation_id=actor.organisation_id,
            revoked_at__isnull=True,
        )
        return people.filter(Exists(granted))
    return people.filter(created_by_id=actor.user_id, owner_organisation_id=actor.organisation_id)


_PERSON_ROWS = RowLoader(Person)
_UUID = Person._meta.pk


_VISIBLE_PERSON_SQL: dict[tuple[str, str], str] = {}


def _visible_person_sql(db, scope: str) -> str:
    """The same rule as person_list_visible_to(), for one person by primary key, as SQL:
    compiling the queryset cost more than the whole bare request (bench/api_overhead).
    Identifiers come from the models' metadata; every value is a parameter (the person's id,
    then the organisation and the moment for the organisation scope, the user and organisation
    for own)."""
    sql = _VISIBLE_PERSON_SQL.get((db.vendor, scope))
    if sql is not None:
        return sql
    quote = db.ops.quote_name
    person, access = Person._meta, PersonAccess._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    sql = (
        f"SELECT {_PERSON_ROWS.columns('p', db)}, "  # noqa: S608
        f"{_related_rows_sql(db, column(person, 'id'))} "
        f"FROM {quote(person.db_table)} p "
        f"WHERE p.{column(person, 'id')} = %s AND p.{column(person, 'archived_at')} IS NULL"
    )
    if scope == Scope.ORGANISATION:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {quote(access.db_table)} a"  # noqa: S608
            f" WHERE a.{column(access, 'person')} = p.{column(person, 'id')}"
            f" AND a.{column(access, 'organisation')} = %s"
            f" AND a.{column(access, 'revoked_at')} IS NULL"
            f" AND (a.{column(access, 'expires_at')} IS NULL"
            f" OR a.{column(access, 'expires_at')} > %s))"
        )
    elif scope != Scope.ALL:
        sql += (
            f" AND p.{column(person, 'created_by')} = %s"
            f" AND p.{column(person, 'owner_organisation')} = %s"
        )
    _VISIBLE_PERSON_SQL[(db.vendor, scope)] = sql
    return sql


def _visible_person_params(db, actor: Membership, person_uuid: uuid.UUID) -> list:
    # Every key here is a UUID column: prepared as the model's UUIDField prepares it.
    def key(value) -> object:
        return _UUID.get_db_prep_value(value, db)

    if actor.scope == Scope.ALL:
        return [key(person_uuid)]
    if actor.scope == Scope.ORGANISATION:
        now = PersonAccess._meta.get_field("expires_at").get_db_prep_value(timezone.now(), db)
        return [key(person_uuid), key(actor.organisation_id), now]
    return [key(person_uuid), key(actor.user_id), key(actor.organisation_id)]


# The record's citizenships and languages come in the same statement as the record (the API
# and the page show them): two queries fewer per opened record.
_CITIZENSHIP_FIELDS = ("id", "person", "country", "position")
_LANGUAGE_FIELDS = ("code", "alpha2", "name")
Languages = Person.languages.through


def _related_rows_sql(db, person_id: str) -> str:
    """Identifiers from the models' metadata only. `person_id` is p's quoted key column."""
    quote = db.ops.quote_name
    links = Languages._meta
    citizenships = related_rows_sql(
        PersonCitizenship,
        _CITIZENSHIP_FIELDS,
        where=f"r.{quote(PersonCitizenship._meta.get_field('person').column)} = p.{person_id}",
        order_by=("position",),
        connection=db,
    )
    language_key = quote(Language._meta.pk.column)
    languages = related_rows_sql(
        Language,
        _LANGUAGE_FIELDS,
        join=(
            f"JOIN {quote(links.db_table)} pl "
            f"ON pl.{quote(links.get_field('language').column)} = r.{language_key}"
        ),
        where=f"pl.{quote(links.get_field('person').column)} = p.{person_id}",
        order_by=("name", "code"),
        connection=db,
    )
    return f"{citizenships}, {languages}"


def _visible_person(*, actor: Membership, person_uuid: uuid.UUID) -> Person | None:
    """One person in the actor's scope, or None; every field decrypted with its associated data,
    its citizenships and languages loaded as prefetch_related() would load them.
    Citizenship is not joined: the API needs only citizenship_id; a page that shows the
    country's name loads it when it reads `person.citizenship`."""
    if not actor.has_perm("person.view"):
        return None
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: this path reads it dozens of times
    with db.cursor() as cursor:
        cursor.execute(
            _visible_person_sql(db, actor.scope), _visible_person_params(db, actor, person_uuid)
        )
        row = cursor.fetchone()
    if row is None:
        return None
    found = _PERSON_ROWS.load(row[: len(_PERSON_ROWS)], db)
    citizenships, languages = row[len(_PERSON_ROWS) :]
    links = load_related_rows(
        PersonCitizenship,
        _CITIZENSHIP_FIELDS,
        citizenships,
        order_by=("position",),
        connection=db,
    )
    for link in links:
        PersonCitizenship.person.field.set_cached_value(link, found)
    set_prefetched(found, "citizenship_links", links)
    set_prefetched(
        found,
        "languages",
        load_related_rows(
            Language, _LANGUAGE_FIELDS, languages, order_by=("name", "code"), connection=db
        ),
    )
    return found


def person_get_for_view(*, actor: Membership, person_id: uuid.UUID | str) -> Person:
    """Open one person's record: 404 outside the actor's scope, and an access event if inside."""
    person_uuid = uuid_or_404(person_id)
    # The read and its person.viewed event in one transaction (two round trips on PostgreSQL).
    person = audit.read_and_record(
        lambda: _visible_person(actor=actor, person_uuid=person_uuid),
        lambda person: {
            "action": "person.viewed",
            "actor": actor,
            "subject": person,
            "person_id": person.pk,
        },
    )
    if person is None:
        raise Http404
    return person


# --- Exact search through blind indexes ----------------------------------------------------

# The purposes must be those the services index with (punte.identification.persons.services).
_SEARCH_INDEXES = {
    "family_name": ("family_name_index", "person.family_name"),
    "given_name": ("given_name_index", "person.given_name"),
    "date_of_birth": ("date_of_birth_index", "person.date_of_birth"),
}


def person_search_visible_to(
    *,
    actor: Membership,
    family_name: str | None = None,
    given_name: str | None = None,
    date_of_birth: datetime.date | None = None,
) -> QuerySet[Person]:
    """Persons in the actor's scope matching every criterion given, exactly.

    Matching compares keyed hashes of normalised values (crypto.blind_index), so it ignores
    case, diacritics, cedilla/comma forms (ş/ș, ţ/ț) and extra spaces, and never decrypts.
    A blank criterion counts as not given; at least one is required.
    """
    values = {
        "family_name": family_name,
        "given_name": given_name,
        "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
    }
    criteria = {}
    for name, value in values.items():
        column, purpose = _SEARCH_INDEXES[name]
        digest = blind_index(value, purpose=purpose)
        if digest:  # "" is the index of "no value": searching for it would match everyone
            criteria[column] = digest
    if not criteria:
        raise ServiceError(
            "family_name", _("Give at least one of family_name, given_name or date_of_birth.")
        )
    return person_list_visible_to(actor=actor).filter(**criteria)


def person_search_results(
    *,
    actor: Membership,
    family_name: str | None = None,
    given_name: str | None = None,
    date_of_birth: datetime.date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Person], str | None]:
    """One page of search results, and the audit event "person.searched" with its count only:
    the criteria are names, and the audit trail never holds personal values."""
    queryset = person_search_visible_to(
        actor=actor, family_name=family_name, given_name=given_name, date_of_birth=date_of_birth
    )
    with transaction.atomic():
        rows, next_cursor = paginate_by_cursor(queryset, cursor=cursor, limit=limit)
        audit.record(
            action="person.searched",
            actor=actor,
            subject_type=Person._meta.label_lower,
            changes={"count": len(rows)},
        )
    return rows, next_cursor


# --- Telling rows of a list apart ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PersonRow:
    """What a list shows of one person: enough to tell rows apart without opening them, never
    more than the viewer may see (person_list_rows)."""

    person: Person
    initials: str  # "" when the viewer may not see them, or no name is known
    age: str
    county: str


def _initials(person: Person) -> str:
    if person.identity_unknown:
        return ""
    names = [n for n in (person.given_name, person.family_name) if n and n.strip()]
    return " ".join(f"{n.strip()[0].upper()}." for n in names)


def person_age_words(person: Person, *, on: datetime.date) -> str:
    """The person's age as a list may show it: in years, "about" when estimated."""
    if person.date_of_birth is not None:
        years = _full_years(person.date_of_birth, on)
        return ngettext("%(years)d year", "%(years)d years", years) % {"years": years}
    if person.approximate_age is not None:
        estimated_on = person.age_estimated_on or on
        years = person.approximate_age + max(0, _full_years(estimated_on, on))
        return ngettext("about %(years)d year", "about %(years)d years", years) % {"years": years}
    if person.birth_year is not None:
        years = on.year - person.birth_year
        return ngettext("about %(years)d year", "about %(years)d years", years) % {"years": years}
    if person.may_be_child:
        return _("may be a child")
    return ""


def person_list_rows(*, actor: Membership, people: list[Person]) -> list[PersonRow]:
    """Rows of a list of persons the actor may see (from person_list_visible_to).

    Initials are shown only for records the actor's organisation holds a need-to-know grant
    on (recorded them, accepted a referral, team): within an organisation's or one's own scope
    that is every row; a national scope (oversight) sees initials only where its organisation
    has such a grant, and otherwise opens the record, which is audited. Age, sex, citizenship,
    county and date are not identifying alone and were already shown.
    """
    if actor.scope == Scope.ALL:
        granted = set(
            PersonAccess.objects.filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
                person_id__in=[p.pk for p in people],
                organisation_id=actor.organisation_id,
                revoked_at__isnull=True,
            ).values_list("person_id", flat=True)
        )
    else:
        granted = {p.pk for p in people}
    today = timezone.localdate()
    return [
        PersonRow(
            person=person,
            initials=_initials(person) if person.pk in granted else "",
            age=person_age_words(person, on=today),
            county=(
                person.owner_organisation.county.name if person.owner_organisation.county_id else ""
            ),
        )
        for person in people
    ]
