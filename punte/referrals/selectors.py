"""Every read of referrals, scoped by the acting membership (outside scope: 404, never 403).

A referral is visible to the organisations at both ends: the sender (within the role's scope:
"own" sees the referrals its user sent) and the receiver (members whose role may respond).
A role of scope "all" holding `referral.view` sees every referral.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from punte.accounts.models import Membership
from punte.accounts.permissions import Scope
from punte.core import audit
from punte.core.api_support import MAX_LIMIT, _decode_cursor, _encode_cursor
from punte.core.errors import ServiceError
from punte.referrals.models import (
    OPEN_STATUSES,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ServiceOffering,
)

_LIST_RELATED = ("sender_organisation", "receiver_organisation", "rule", "county")


def referral_list_visible_to(*, actor: Membership) -> QuerySet[Referral]:
    if not actor.has_perm("referral.view"):
        return Referral.objects.none()
    referrals = Referral.objects.all()
    if actor.scope == Scope.ALL:
        return referrals
    incoming = (
        Q(receiver_organisation_id=actor.organisation_id)
        if actor.has_perm("referral.respond")
        else Q(pk__in=[])
    )
    if actor.scope == Scope.ORGANISATION:
        return referrals.filter(Q(sender_organisation_id=actor.organisation_id) | incoming)
    mine = Q(sender_organisation_id=actor.organisation_id, created_by_id=actor.user_id)
    return referrals.filter(mine | incoming)


def referral_get(*, actor: Membership, referral_id: uuid.UUID | str) -> Referral:
    """Open one referral (its note and history concern a person): 404 outside scope, and an
    access event inside."""
    try:
        pk = uuid.UUID(str(referral_id))
    except ValueError as exc:
        raise Http404 from exc
    with transaction.atomic():
        referral = (
            referral_list_visible_to(actor=actor)
            .select_related(*_LIST_RELATED, "ruleset", "created_by")
            .filter(pk=pk)
            .first()
        )
        if referral is None:
            raise Http404
        audit.record(
            action="referral.viewed",
            actor=actor.user,
            organisation=actor.organisation,
            subject=referral,
            person_id=referral.person_id,
        )
    return referral


def referral_events(*, referral: Referral) -> list[ReferralEvent]:
    """The history of a referral the caller already opened through referral_get."""
    return list(referral.events.select_related("actor", "organisation").order_by("occurred_at"))


# --- Worklists ------------------------------------------------------------------------------


def referral_incoming_open(*, actor: Membership) -> QuerySet[Referral]:
    """Referrals to the actor's organisation waiting for it to act (answer, then complete)."""
    if not (actor.has_perm("referral.view") and actor.has_perm("referral.respond")):
        return Referral.objects.none()
    return Referral.objects.filter(
        receiver_organisation_id=actor.organisation_id, status__in=OPEN_STATUSES
    )


def referral_awaiting_answer(*, actor: Membership) -> QuerySet[Referral]:
    """Referrals the actor's organisation sent (the user's own, for scope "own") not yet
    answered."""
    if not (actor.has_perm("referral.view") and actor.has_perm("referral.send")):
        return Referral.objects.none()
    sent = Referral.objects.filter(
        sender_organisation_id=actor.organisation_id, status=ReferralStatus.SENT
    )
    if actor.scope == Scope.OWN:
        sent = sent.filter(created_by_id=actor.user_id)
    return sent


def referrals_overdue(
    *, actor: Membership, now: datetime.datetime | None = None
) -> QuerySet[Referral]:
    """Open referrals past the deadline of their current step: every one in the country for
    the national agency (`referral.monitor`), the organisation's incoming ones otherwise."""
    now = now or timezone.now()
    if actor.has_perm("referral.monitor") and actor.has_perm("referral.view"):
        return Referral.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    return referral_incoming_open(actor=actor).filter(due_at__lt=now)


def referrals_overdue_national(*, actor: Membership) -> QuerySet[Referral]:
    """The national list only (the API's /referrals/overdue and its page): nothing without
    `referral.monitor`."""
    if not actor.has_perm("referral.monitor"):
        return Referral.objects.none()
    return referrals_overdue(actor=actor)


@dataclass
class Worklist:
    incoming: QuerySet[Referral]
    overdue: QuerySet[Referral]
    awaiting: QuerySet[Referral]


def referral_worklist_for(*, actor: Membership) -> Worklist:
    """The referral part of a role's worklist: incoming to act on (soonest deadline first),
    the overdue ones (nationally for the national agency), and the ones the actor's side sent
    that await an answer."""
    return Worklist(
        incoming=referral_incoming_open(actor=actor)
        .select_related(*_LIST_RELATED)
        .order_by("due_at", "id"),
        overdue=referrals_overdue(actor=actor)
        .select_related(*_LIST_RELATED)
        .order_by("due_at", "id"),
        awaiting=referral_awaiting_answer(actor=actor)
        .select_related(*_LIST_RELATED)
        .order_by("-created_at", "-id"),
    )


def paginate_by_deadline(
    queryset: QuerySet[Referral], *, cursor: str | None, limit: int
) -> tuple[list[Referral], str | None]:
    """Keyset pagination on (due_at, id), soonest first: the worklists' order. Rows without a
    deadline (closed referrals) do not belong in such a list and are left out."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ServiceError("limit", f"limit must be between 1 and {MAX_LIMIT}.", status=400)
    qs = queryset.filter(due_at__isnull=False).order_by("due_at", "id")
    if cursor:
        raw_due, raw_pk = _decode_cursor(cursor)
        try:
            due = datetime.datetime.fromisoformat(raw_due)
            pk = uuid.UUID(raw_pk)
        except ValueError as exc:
            raise ServiceError(
                "cursor", "This cursor is not one the API issued.", status=400
            ) from exc
        if due.tzinfo is None:
            raise ServiceError("cursor", "This cursor is not one the API issued.", status=400)
        qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=pk))
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor([rows[-1].due_at.isoformat(), str(rows[-1].pk)])
    return rows, next_cursor


def worklist_page(
    *, actor: Membership, cursor: str | None = None, limit: int = 50
) -> tuple[list[Referral], str | None]:
    """One page of the incoming worklist, with the read written to the audit trail (how many
    referrals were listed; the list names no one)."""
    with transaction.atomic():
        rows, next_cursor = paginate_by_deadline(
            referral_incoming_open(actor=actor).select_related(*_LIST_RELATED),
            cursor=cursor,
            limit=limit,
        )
        audit.record(
            action="referral.worklist_viewed",
            actor=actor.user,
            organisation=actor.organisation,
            subject_type=Referral._meta.label_lower,
            changes={"count": len(rows)},
        )
    return rows, next_cursor


# --- The service registry -------------------------------------------------------------------


def service_offering_list(
    *, county_code: str | None = None, service: str | None = None, include_archived=False
) -> QuerySet[ServiceOffering]:
    """The registry is not personal data: every signed-in member may read it."""
    offerings = ServiceOffering.objects.select_related("organisation", "county")
    if not include_archived:
        offerings = offerings.filter(archived_at__isnull=True)
    if county_code:
        offerings = offerings.filter(county_id=county_code)
    if service:
        offerings = offerings.filter(service=service)
    return offerings.order_by("county__name", "service", "organisation__name")
