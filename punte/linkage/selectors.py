"""Reads of record linkage: the review queue, a pair, a national person, the identifier used by
statistics.

The review queue is national: it needs `linkage.review`, whatever the role's scope, and answers
404 to anyone without it. Showing a pair or a national person shows the records' identifying
data, so every such read writes "person.viewed" for each record shown (purpose
"linkage_review"), in the transaction of the read.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import uuid
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, UUIDField
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.api_support import MAX_LIMIT
from punte.core.errors import ServiceError, uuid_or_404
from punte.identification.persons.models import Person
from punte.linkage.models import NationalPerson, PersonLink, ReviewPair, ReviewStatus

PURPOSE = "linkage_review"
_BAD_CURSOR = "This cursor is not one the API issued."


def _require(actor: Membership | None, permission: str = "linkage.review") -> Membership:
    if actor is None or not actor.has_perm(permission):
        raise Http404
    return actor


def _record_views(actor: Membership, people: list[Person]) -> None:
    for person in people:
        audit.record(
            action="person.viewed",
            actor=actor,
            subject=person,
            person_id=person.pk,
            changes={"purpose": PURPOSE},
        )


# --------------------------------------------------------------------------- the queue


def reviewpair_list_visible_to(
    *, actor: Membership, status: str = ReviewStatus.PENDING
) -> QuerySet[ReviewPair]:
    """Pairs of the queue with this status, most probable first; 404 without the permission."""
    _require(actor)
    if status not in ReviewStatus.values:
        raise ServiceError("status", _("Unknown status."), status=400)
    return ReviewPair.objects.filter(status=status)


def _encode(values: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def paginate_by_probability(
    queryset: QuerySet[ReviewPair], *, cursor: str | None, limit: int
) -> tuple[list[ReviewPair], str | None]:
    """Keyset pagination on (match_probability, id), highest first; a forged cursor is a 400."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ServiceError("limit", f"limit must be between 1 and {MAX_LIMIT}.", status=400)
    qs = queryset.order_by("-match_probability", "-id")
    if cursor:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            probability, last_id = json.loads(raw)
            probability, last_id = float(probability), uuid.UUID(str(last_id))
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise ServiceError("cursor", _BAD_CURSOR, status=400) from exc
        if probability != probability:  # NaN
            raise ServiceError("cursor", _BAD_CURSOR, status=400)
        qs = qs.filter(
            Q(match_probability__lt=probability) | Q(match_probability=probability, id__lt=last_id)
        )
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode([repr(rows[-1].match_probability), str(rows[-1].pk)])
    return rows, next_cursor


def reviewpair_get(*, actor: Membership, pair_id: uuid.UUID | str) -> ReviewPair:
    """The pair without its records (to decide on it); 404 without the permission."""
    _require(actor)
    pair = ReviewPair.objects.filter(pk=uuid_or_404(pair_id)).first()
    if pair is None:
        raise Http404
    return pair


@dataclasses.dataclass
class PairForReview:
    pair: ReviewPair
    person_a: Person
    person_b: Person
    national_a: str | None
    national_b: str | None


def _people(ids: list[Any]) -> dict[str, Person]:
    rows = Person.objects.filter(pk__in=ids).select_related("citizenship", "owner_organisation")
    return {str(person.pk): person for person in rows}


def reviewpair_get_for_review(*, actor: Membership, pair_id: uuid.UUID | str) -> PairForReview:
    """A pair with both records, for an analyst to compare: both reads are audited."""
    _require(actor)
    with transaction.atomic():
        pair = ReviewPair.objects.filter(pk=uuid_or_404(pair_id)).first()
        if pair is None:
            raise Http404
        people = _people([pair.person_a_id, pair.person_b_id])
        person_a, person_b = people[str(pair.person_a_id)], people[str(pair.person_b_id)]
        nationals = dict(
            PersonLink.objects.filter(
                person_id__in=[pair.person_a_id, pair.person_b_id]
            ).values_list("person_id", "national_person_id")
        )
        _record_views(actor, [person_a, person_b])
    national_a, national_b = nationals.get(pair.person_a_id), nationals.get(pair.person_b_id)
    return PairForReview(
        pair=pair,
        person_a=person_a,
        person_b=person_b,
        national_a=str(national_a) if national_a else None,
        national_b=str(national_b) if national_b else None,
    )


# --------------------------------------------------------------------------- national persons


@dataclasses.dataclass
class NationalPersonForReview:
    national_person: NationalPerson
    links: list[PersonLink]  # each with .person loaded


def nationalperson_get_for_review(
    *, actor: Membership, national_person_id: uuid.UUID | str
) -> NationalPersonForReview:
    """A national person and its records, for an analyst: every record shown is audited."""
    _require(actor)
    with transaction.atomic():
        national = NationalPerson.objects.filter(pk=uuid_or_404(national_person_id)).first()
        if national is None:
            raise Http404
        links = list(
            PersonLink.objects.filter(national_person=national)
            .select_related("person", "person__citizenship", "person__owner_organisation")
            .order_by("person__created_at")
        )
        _record_views(actor, [link.person for link in links])
    return NationalPersonForReview(national_person=national, links=links)


def personlink_get(*, actor: Membership, person_id: uuid.UUID | str) -> PersonLink:
    """A record's link (to separate it); 404 without the permission or without a link."""
    _require(actor)
    link = PersonLink.objects.filter(person_id=uuid_or_404(person_id)).first()
    if link is None:
        raise Http404
    return link


def national_persons_of(person_ids: list[Any]) -> dict[Any, uuid.UUID]:
    """Person id -> national person id, for the records given that a run has linked."""
    return dict(
        PersonLink.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "national_person_id"
        )
    )


# --------------------------------------------------------------------------- statistics


def national_person_key(prefix: str = "") -> Coalesce:
    """An expression giving, for each Person row, the identifier statistics count once: its
    national person, or the record itself while no run has linked it.

    ``Person.objects.annotate(who=national_person_key()).values("who").distinct().count()``
    counts persons; `prefix` reaches Person through a relation ("person__").
    """
    return Coalesce(
        F(f"{prefix}national_link__national_person_id"), F(f"{prefix}id"), output_field=UUIDField()
    )


def national_person_count(queryset: QuerySet[Person] | None = None) -> int:
    """How many different persons the given records (default: every record) are."""
    queryset = Person.objects.all() if queryset is None else queryset
    return queryset.order_by().annotate(who=national_person_key()).values("who").distinct().count()


def link_status_counts() -> dict[str, int]:
    """For the queue page: how many records are linked, waiting, and pairs pending."""
    linked = PersonLink.objects.count()
    return {
        "records": Person.objects.count(),
        "linked": linked,
        "national_persons": NationalPerson.objects.filter(retired_at__isnull=True)
        .filter(links__isnull=False)
        .distinct()
        .count(),
        "pending_pairs": ReviewPair.objects.filter(status=ReviewStatus.PENDING).count(),
    }
