"""Every read of persons goes through here, scoped by the acting membership and audited."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from punte.accounts.models import Membership
from punte.accounts.permissions import Scope
from punte.core import audit
from punte.identification.models import Person, PersonAccess


def person_list_visible_to(*, actor: Membership) -> QuerySet[Person]:
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


def person_get_for_view(*, actor: Membership, person_id: uuid.UUID | str) -> Person:
    """Open one person's record: 404 outside the actor's scope, and an access event if inside."""
    try:
        person_uuid = uuid.UUID(str(person_id))
    except ValueError as exc:
        raise Http404 from exc
    with transaction.atomic():
        person = person_list_visible_to(actor=actor).filter(pk=person_uuid).first()
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
