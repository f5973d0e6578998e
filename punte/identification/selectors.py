"""Every read of persons goes through here, scoped by the acting membership and audited."""

from __future__ import annotations

import datetime
import uuid

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.accounts.permissions import Scope
from punte.core import audit
from punte.core.api_support import paginate_by_cursor
from punte.core.crypto import blind_index
from punte.core.errors import ServiceError
from punte.core.rawrows import RowLoader
from punte.identification.models import Person, PersonAccess


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
            person=OuterRef("pk"), organisation_id=actor.organisation_id, revoked_at__isnull=True
        )
        return people.filter(Exists(granted))
    return people.filter(created_by_id=actor.user_id, owner_organisation_id=actor.organisation_id)


_PERSON_ROWS = RowLoader(Person)


def _visible_person_sql(*, actor: Membership, person_uuid: uuid.UUID) -> tuple[str, list]:
    """The same rule as person_list_visible_to(), for one person by primary key, as SQL:
    compiling the queryset cost more than the whole bare request (bench/api_overhead).
    Identifiers come from the models' metadata; every value is a parameter."""
    quote = connection.ops.quote_name
    person, access = Person._meta, PersonAccess._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    def param(meta, name: str, value) -> object:
        return meta.get_field(name).get_db_prep_value(value, connection)

    sql = (
        f"SELECT {_PERSON_ROWS.columns('p', connection)} "  # noqa: S608
        f"FROM {quote(person.db_table)} p "
        f"WHERE p.{column(person, 'id')} = %s AND p.{column(person, 'archived_at')} IS NULL"
    )
    params = [param(person, "id", person_uuid)]
    if actor.scope == Scope.ALL:
        return sql, params
    if actor.scope == Scope.ORGANISATION:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {quote(access.db_table)} a"  # noqa: S608
            f" WHERE a.{column(access, 'person')} = p.{column(person, 'id')}"
            f" AND a.{column(access, 'organisation')} = %s"
            f" AND a.{column(access, 'revoked_at')} IS NULL)"
        )
        return sql, [*params, param(access, "organisation", actor.organisation_id)]
    sql += (
        f" AND p.{column(person, 'created_by')} = %s"
        f" AND p.{column(person, 'owner_organisation')} = %s"
    )
    return sql, [
        *params,
        param(person, "created_by", actor.user_id),
        param(person, "owner_organisation", actor.organisation_id),
    ]


def _visible_person(*, actor: Membership, person_uuid: uuid.UUID) -> Person | None:
    """One person in the actor's scope, or None; every field decrypted with its associated data.
    Citizenship is not joined: the API needs only citizenship_id; a page that shows the
    country's name loads it when it reads `person.citizenship`."""
    if not actor.has_perm("person.view"):
        return None
    sql, params = _visible_person_sql(actor=actor, person_uuid=person_uuid)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _PERSON_ROWS.load(row, connection) if row is not None else None


def person_get_for_view(*, actor: Membership, person_id: uuid.UUID | str) -> Person:
    """Open one person's record: 404 outside the actor's scope, and an access event if inside."""
    try:
        person_uuid = uuid.UUID(str(person_id))
    except ValueError as exc:
        raise Http404 from exc
    with transaction.atomic():
        person = _visible_person(actor=actor, person_uuid=person_uuid)
        if person is None:
            raise Http404
        audit.record(
            action="person.viewed",
            actor=actor.user,
            organisation=actor.organisation,
            subject=person,
            person_id=person.pk,
        )
    return person


# --- Exact search through blind indexes ----------------------------------------------------

# The purposes must be those the services index with (punte.identification.services).
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
            actor=actor.user,
            organisation=actor.organisation,
            subject_type=Person._meta.label_lower,
            changes={"count": len(rows)},
        )
    return rows, next_cursor
