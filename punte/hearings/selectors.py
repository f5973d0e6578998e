"""Every read of hearing rooms and hearings, scoped by the acting membership (ADR 0003).

Rooms are national reference data: anyone holding `hearing_room.view` sees them all, and their
calendars as busy times. A hearing belongs to its case: it is visible, with `hearing.view`, to
whoever may see the case (cases.selectors, the same rule) and to its own participants, who may
not otherwise see the case. Outside scope a hearing is not found.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from punte.accounts.models import Membership
from punte.cases import selectors as case_selectors
from punte.core import audit
from punte.core.errors import uuid_or_404
from punte.hearings.models import Hearing, HearingParticipant, HearingRoom, HearingStatus


def room_list_visible_to(*, actor: Membership) -> QuerySet[HearingRoom]:
    if not actor.has_perm("hearing_room.view"):
        return HearingRoom.objects.none()
    return (
        HearingRoom.objects.filter(archived_at__isnull=True)
        .select_related("county", "managing_organisation")
        .prefetch_related("opening_hours")
    )


def room_get(*, actor: Membership, room_id: uuid.UUID | str) -> HearingRoom:
    room = room_list_visible_to(actor=actor).filter(pk=uuid_or_404(room_id)).first()
    if room is None:
        raise Http404
    return room


def hearing_list_visible_to(*, actor: Membership) -> QuerySet[Hearing]:
    if not actor.has_perm("hearing.view"):
        return Hearing.objects.none()
    visible_cases = case_selectors.case_list_visible_to(actor=actor).values("pk")
    taking_part = HearingParticipant.objects.filter(membership_id=actor.pk).values("hearing_id")
    return Hearing.objects.filter(Q(case_id__in=visible_cases) | Q(pk__in=taking_part))


def _with_details(hearings: QuerySet[Hearing]) -> QuerySet[Hearing]:
    return hearings.select_related(
        "room__county", "organisation", "case__owner_organisation"
    ).prefetch_related(
        Prefetch(
            "participants",
            queryset=HearingParticipant.objects.select_related("user", "organisation"),
        )
    )


def hearing_get(*, actor: Membership, hearing_id: uuid.UUID | str) -> Hearing:
    """Open one hearing (it concerns a child): 404 outside scope, an access event inside."""
    pk = uuid_or_404(hearing_id)
    with transaction.atomic():
        hearing = _with_details(hearing_list_visible_to(actor=actor)).filter(pk=pk).first()
        if hearing is None:
            raise Http404
        audit.record(
            action="hearing.viewed", actor=actor, subject=hearing, person_id=hearing.case.person_id
        )
    return hearing


def hearings_of_case(*, actor: Membership, case_id: uuid.UUID | str) -> tuple[object, list]:
    """A case (audited by the case's selector) and its hearings, for those who may see both."""
    if not actor.has_perm("hearing.view"):
        raise Http404
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    hearings = list(_with_details(Hearing.objects.filter(case=case)).order_by("starts_at"))
    return case, hearings


def hearings_in_rooms(
    *, actor: Membership, rooms, start: datetime.datetime, end: datetime.datetime
) -> list[Hearing]:
    """The booked hearings of these rooms in [start, end), for a calendar. Each carries
    `visible`: whether the actor may open it; the calendar shows the others as busy only."""
    hearings = list(
        Hearing.objects.filter(
            room__in=rooms, status=HearingStatus.BOOKED, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("room")
        .order_by("starts_at")
    )
    visible = set(
        hearing_list_visible_to(actor=actor)
        .filter(pk__in=[h.pk for h in hearings])
        .values_list("pk", flat=True)
    )
    for hearing in hearings:
        hearing.visible = hearing.pk in visible
    return hearings


def upcoming_for(*, actor: Membership, now: datetime.datetime) -> QuerySet[Hearing]:
    """Booked hearings to come that the actor takes part in (their worklist)."""
    if not actor.has_perm("hearing.view"):
        return Hearing.objects.none()
    return (
        Hearing.objects.filter(
            status=HearingStatus.BOOKED,
            ends_at__gt=now,
            participants__membership_id=actor.pk,
        )
        .select_related("room")
        .order_by("starts_at")
    )
