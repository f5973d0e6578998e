"""What referrals contribute to worklists and to a person's journey (ADR 0025): incoming
referrals, overdue ones, referrals awaiting an answer, and for competent authorities the
decisions to take; every referral's transitions on the journey."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from punte.accounts.models import Membership
from punte.core.worklist import JourneyEntry, JourneySource, WorkItem, WorklistSection
from punte.identification.persons.models import Person
from punte.identification.screening.models import IdentificationDecision
from punte.identification.screening.services.decisions import COMPETENT_AUTHORITY_TYPES
from punte.referrals.models import Referral, ReferralEvent, ReferralStatus
from punte.referrals.naming import referral_name
from punte.referrals.selectors import (
    referral_awaiting_answer,
    referral_incoming_open,
    referrals_overdue,
)

_RELATED = ("sender_organisation", "receiver_organisation", "rule", "county")


def _item(referral: Referral) -> WorkItem:
    return WorkItem(
        id=str(referral.pk),
        kind="referral",
        label=referral_name(referral),
        url=reverse("referrals:detail", args=[referral.pk]),
        occurred_at=referral.created_at,
        person_id=referral.person_id,
        due_at=referral.due_at,
        overdue=referral.due_at is not None and referral.due_at < timezone.now(),
        status=referral.get_status_display(),
    )


def _decision_item(referral: Referral) -> WorkItem:
    return WorkItem(
        id=str(referral.pk),
        kind="decision_to_take",
        label=_("Identification decision · record %(record)s · referred by %(sender)s")
        % {"record": str(referral.person_id)[:8], "sender": referral.sender_organisation.name},
        url=reverse("identification:person_detail", args=[referral.person_id]),
        occurred_at=referral.created_at,
        person_id=referral.person_id,
        status=referral.get_status_display(),
    )


def _listed(queryset):
    # The sender's note may describe the person and is not shown on a worklist: never load
    # (decrypt) it for one.
    return queryset.select_related(*_RELATED).defer("note")


def _with_deadline(queryset):
    # Open referrals always carry the deadline of their current step; the keyset needs one.
    return _listed(queryset.filter(due_at__isnull=False))


def _decisions_to_take(actor: Membership):
    """Accepted referrals to the actor's competent authority of persons about whom no
    identification decision is recorded yet (by anyone)."""
    decided = IdentificationDecision.objects.filter(
        person_id=OuterRef("person_id"), archived_at__isnull=True
    )
    return (
        referral_incoming_open(actor=actor)
        .filter(status=ReferralStatus.ACCEPTED)
        .filter(~Exists(decided))
        .select_related(*_RELATED)
        .defer("note")
    )


def _answers_or_monitors(actor: Membership) -> bool:
    return actor.has_perm("referral.respond") or actor.has_perm("referral.monitor")


def _is_competent_authority(actor: Membership) -> bool:
    return actor.organisation.type in COMPETENT_AUTHORITY_TYPES


WORKLIST_SECTIONS = [
    WorklistSection(
        key="referrals.overdue",
        title=_("Overdue referrals"),
        permission="referral.view",
        applies_to=_answers_or_monitors,
        empty_text=_("No referral is overdue. Answer incoming referrals before their deadline."),
        rows=lambda actor: _with_deadline(referrals_overdue(actor=actor)),
        item=_item,
        order=5,
        order_field="due_at",
        ascending=True,
        urgent=True,
    ),
    WorklistSection(
        key="referrals.incoming",
        title=_("Incoming referrals"),
        permission="referral.respond",
        empty_text=_(
            "No referral waits for your organisation. Referrals sent to it appear here with "
            "their deadline."
        ),
        rows=lambda actor: _with_deadline(referral_incoming_open(actor=actor)),
        item=_item,
        order=30,
        order_field="due_at",
        ascending=True,
    ),
    WorklistSection(
        key="decisions.to_take",
        title=_("Identification decisions to take"),
        permission="decision.record",
        applies_to=_is_competent_authority,
        empty_text=_(
            "Every person referred to your organisation and accepted has a decision. Accept "
            "incoming referrals to see here the persons awaiting one."
        ),
        rows=_decisions_to_take,
        item=_decision_item,
        order=40,
        ascending=True,
    ),
    WorklistSection(
        key="referrals.awaiting",
        title=_("Referrals sent, awaiting an answer"),
        permission="referral.send",
        empty_text=_("No referral you sent is waiting for an answer."),
        rows=lambda actor: _listed(referral_awaiting_answer(actor=actor)),
        item=_item,
        order=50,
    ),
]


def _referral_steps(person: Person) -> list[JourneyEntry]:
    events = (
        ReferralEvent.objects.filter(referral__person=person)
        .select_related(
            "organisation",
            "referral__sender_organisation",
            "referral__receiver_organisation",
            "referral__rule",
        )
        .order_by("occurred_at", "id")
    )
    steps = []
    for event in events:
        referral = event.referral
        details = [(_("To"), referral.receiver_organisation.name)]
        if event.reason:
            details.append((_("Reason"), event.reason))
        if event.due_at:
            due = date_format(timezone.localtime(event.due_at), "SHORT_DATETIME_FORMAT")
            details.append((_("Next step due"), due))
        steps.append(
            JourneyEntry(
                occurred_at=event.occurred_at,
                kind=f"referral.{event.action}",
                title=_("Referral %(action)s: %(purpose)s")
                % {"action": event.get_action_display().lower(), "purpose": referral.purpose_label},
                organisation=event.organisation or referral.sender_organisation,
                parties=frozenset(
                    {referral.sender_organisation_id, referral.receiver_organisation_id}
                ),
                details=tuple(details),
                url=reverse("referrals:detail", args=[referral.pk]),
            )
        )
    return steps


JOURNEY_SOURCES = [JourneySource(key="referrals.referrals", entries=_referral_steps)]
