"""Every read of signals, scoped by the acting membership (outside scope is 404, ADR 0003)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from punte.accounts.models import Membership, OrganisationType
from punte.accounts.permissions import Scope
from punte.core import audit
from punte.core.errors import uuid_or_404
from punte.identification.signals.models import OPEN_STATUSES, Signal, SignalChannel, SignalStatus


def signal_list_visible_to(*, actor: Membership, permission: str = "signal.view") -> QuerySet:
    """Signals the actor may see (or, with `permission`, act on), as persons are scoped:

    - scope "all": every signal;
    - scope "organisation": those the organisation recorded or must act on now;
    - scope "own": those the user recorded for this organisation.
    """
    if not actor.has_perm(permission):
        return Signal.objects.none()
    signals = Signal.objects.filter(archived_at__isnull=True)
    if actor.scope == Scope.ALL:
        return signals
    if actor.scope == Scope.ORGANISATION:
        return signals.filter(
            Q(recording_organisation_id=actor.organisation_id)
            | Q(responsible_organisation_id=actor.organisation_id)
        )
    return signals.filter(
        created_by_id=actor.user_id, recording_organisation_id=actor.organisation_id
    )


def signal_get_for_view(*, actor: Membership, signal_id: uuid.UUID | str) -> Signal:
    """Open one signal (what was seen, about whom): 404 outside scope, an audit event inside."""
    signal_uuid = uuid_or_404(signal_id)
    with transaction.atomic():
        signal = (
            signal_list_visible_to(actor=actor)
            .select_related("county", "responsible_organisation", "recording_organisation")
            .filter(pk=signal_uuid)
            .first()
        )
        if signal is None:
            raise Http404
        audit.record(
            action="signal.viewed",
            actor=actor,
            subject=signal,
        )
    return signal


def signal_people_for(*, actor: Membership, signal: Signal) -> list[dict]:
    """The people of a signal the actor has opened. A linked person's record is named only if
    the actor may open it; otherwise the link says "recorded by another organisation"."""
    from punte.identification.persons.selectors import person_list_visible_to

    links = list(signal.people.all())
    linked = [link.person_id for link in links if link.person_id]
    visible = set(
        person_list_visible_to(actor=actor).filter(pk__in=linked).values_list("pk", flat=True)
    )
    return [
        {
            "person_id": link.person_id if link.person_id in visible else None,
            "person_hidden": link.person_id is not None and link.person_id not in visible,
            "description": link.description,
        }
        for link in links
    ]


def signal_transitions_for(*, signal: Signal) -> list:
    return list(
        signal.transitions.select_related("actor", "organisation", "assigned_to").order_by(
            "occurred_at", "id"
        )
    )


def signal_worklist_for(*, actor: Membership) -> QuerySet:
    """The open signals this membership should act on now, oldest first.

    - everyone who may act on signals: the open signals of their organisation (those it must
      act on); for a role of scope "own", only those the user recorded;
    - the national agency (its headquarters, scope "all"): also every public report still
      waiting for triage anywhere in the country, including those routed to regional centres,
      so that none is left unseen.
    """
    if not actor.has_perm("signal.triage"):
        return Signal.objects.none()
    open_signals = Signal.objects.filter(archived_at__isnull=True, status__in=OPEN_STATUSES)
    mine = Q(responsible_organisation_id=actor.organisation_id)
    if actor.scope == Scope.OWN:
        mine &= Q(created_by_id=actor.user_id)
    if actor.scope == Scope.ALL and actor.organisation.type == OrganisationType.NATIONAL_AGENCY:
        mine |= Q(
            channel=SignalChannel.PUBLIC_REPORT,
            status=SignalStatus.NEW,
            responsible_organisation__type__in=[
                OrganisationType.NATIONAL_AGENCY,
                OrganisationType.REGIONAL_CENTRE,
            ],
        )
    return open_signals.filter(mine).order_by("created_at", "id")
