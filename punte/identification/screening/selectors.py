"""Reads of screenings, consent, decisions and reflection periods, scoped by the acting
membership: a record about a person one may not see does not exist (404, ADR 0003).

A completed screening is part of the person's file, visible to whoever may see the person and
holds `screening.view`; a draft is work in progress of the organisation conducting it, and only
its members who hold `screening.conduct` see and resume it.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from punte.accounts.models import Membership
from punte.accounts.permissions import Scope
from punte.core import audit
from punte.core.errors import uuid_or_404
from punte.identification.persons.models import Person
from punte.identification.persons.selectors import person_list_visible_to
from punte.identification.screening.models import (
    AnonymousNotification,
    IdentificationDecision,
    ReflectionPeriod,
    ReflectionStatus,
    Screening,
    ScreeningStatus,
)


def person_for_action(*, actor: Membership, person_id, permission: str) -> Person:
    """A person the actor may see and act on with `permission`, else 404 (existence never leaks)."""
    if not actor.has_perm(permission):
        raise Http404
    person = person_list_visible_to(actor=actor).filter(pk=uuid_or_404(person_id)).first()
    if person is None:
        raise Http404
    return person


def screenings_visible_to(*, actor: Membership) -> QuerySet[Screening]:
    can_view = actor.has_perm("screening.view")
    can_conduct = actor.has_perm("screening.conduct")
    if not (can_view or can_conduct):
        return Screening.objects.none()
    visible = Q()
    if can_view:
        visible |= Q(status=ScreeningStatus.COMPLETED)
    if can_conduct:
        visible |= Q(organisation_id=actor.organisation_id)
    persons = person_list_visible_to(actor=actor).values("pk")
    return (
        Screening.objects.filter(visible, person__in=persons)
        .select_related("catalogue", "organisation", "created_by", "completed_by")
        .order_by("-created_at", "-id")
    )


def screening_get_for_view(*, actor: Membership, screening_id) -> Screening:
    """Open one screening (answers and result): audited as a read of the person's data."""
    with transaction.atomic():
        screening = screenings_visible_to(actor=actor).filter(pk=uuid_or_404(screening_id)).first()
        if screening is None:
            raise Http404
        audit.record(
            action="screening.viewed",
            actor=actor,
            subject=screening,
            person_id=screening.person_id,
        )
    return screening


def screening_get_to_conduct(*, actor: Membership, screening_id) -> Screening:
    """A screening the actor may answer, stop or complete: their organisation's, in scope.

    Not locked: it is read for the page as well as for a change, and each service that changes
    it locks the row itself in its own transaction (services/screening.py, _locked_draft)."""
    if not actor.has_perm("screening.conduct"):
        raise Http404
    screening = (
        screenings_visible_to(actor=actor)
        .filter(pk=uuid_or_404(screening_id), organisation_id=actor.organisation_id)
        .first()
    )
    if screening is None:
        raise Http404
    return screening


def screenings_for_person(*, actor: Membership, person: Person) -> list[Screening]:
    """The person's screening history, newest first (the person was opened by the caller)."""
    return list(screenings_visible_to(actor=actor).filter(person=person))


def screening_drafts_for(*, actor: Membership) -> QuerySet[Screening]:
    """Worklist: drafts the actor may resume, oldest change first (the longest waiting)."""
    if not actor.has_perm("screening.conduct"):
        return Screening.objects.none()
    return (
        screenings_visible_to(actor=actor)
        .filter(status=ScreeningStatus.DRAFT, organisation_id=actor.organisation_id)
        .order_by("modified_at", "id")
    )


# --- Decisions and reflection periods --------------------------------------------------------


def decisions_for_person(*, actor: Membership, person: Person) -> list[IdentificationDecision]:
    """Decisions about a person the caller has opened, newest first (for the journey)."""
    if not actor.has_perm("person.view"):
        return []
    return list(
        IdentificationDecision.objects.filter(person=person)
        .select_related("organisation", "created_by")
        .order_by("-decided_on", "-created_at")
    )


def reflection_periods_for_person(*, actor: Membership, person: Person) -> list[ReflectionPeriod]:
    if not actor.has_perm("person.view"):
        return []
    return list(
        ReflectionPeriod.objects.filter(person=person)
        .select_related("organisation")
        .prefetch_related("events")
        .order_by("-starts_on")
    )


def reflection_periods_visible_to(*, actor: Membership) -> QuerySet[ReflectionPeriod]:
    persons = person_list_visible_to(actor=actor).values("pk")
    return ReflectionPeriod.objects.filter(person__in=persons).select_related("organisation")


def reflection_period_get_to_change(*, actor: Membership, period_id) -> ReflectionPeriod:
    """A period the actor may extend or terminate, in scope. Not locked: each service that
    changes it locks the row itself (services/decisions.py, _locked_running)."""
    if not actor.has_perm("decision.record"):
        raise Http404
    period = reflection_periods_visible_to(actor=actor).filter(pk=uuid_or_404(period_id)).first()
    if period is None:
        raise Http404
    return period


def reflection_periods_ending_for(
    *, actor: Membership, within_days: int, today: datetime.date | None = None
) -> QuerySet[ReflectionPeriod]:
    """Worklist: running periods of persons in scope that end within `within_days`, soonest
    first."""
    today = today or timezone.localdate()
    return (
        reflection_periods_visible_to(actor=actor)
        .filter(
            status=ReflectionStatus.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=within_days),
        )
        .order_by("ends_on", "id")
    )


# --- Anonymous notifications -----------------------------------------------------------------


def anonymous_notifications_visible_to(*, actor: Membership) -> QuerySet[AnonymousNotification]:
    if not actor.has_perm("consent.record"):
        return AnonymousNotification.objects.none()
    rows = AnonymousNotification.objects.select_related("county", "organisation")
    if actor.scope == Scope.ALL:
        return rows
    if actor.scope == Scope.ORGANISATION:
        return rows.filter(organisation_id=actor.organisation_id)
    return rows.filter(organisation_id=actor.organisation_id, created_by_id=actor.user_id)
