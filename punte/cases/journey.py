"""What cases contribute to worklists and to a person's journey (ADR 0025): missed and coming
follow-ups, closures to approve, cases offered to the organisation, services to answer and to
deliver (the provider's worklist), the organisation's active cases; every step of a case's
history on the journey."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punte.accounts.models import Membership
from punte.cases import selectors
from punte.cases.models import CaseEvent, CaseService, FollowUp
from punte.core.worklist import JourneyEntry, JourneySource, WorkItem, WorklistSection
from punte.identification.persons.models import Person
from punte.referrals.models import ServiceType


def _case_label(case) -> str:
    return _("Case %(reference)s · %(county)s · record %(record)s") % {
        "reference": case.reference,
        "county": case.county.name,
        "record": str(case.person_id)[:8],
    }


def _follow_up_item(follow_up: FollowUp) -> WorkItem:
    return WorkItem(
        id=str(follow_up.pk),
        kind="follow_up",
        label=_("Follow-up · %(case)s") % {"case": _case_label(follow_up.case)},
        url=reverse("cases:detail", args=[follow_up.case_id]),
        occurred_at=follow_up.created_at,
        person_id=follow_up.case.person_id,
        due_at=follow_up.due_at,
        overdue=follow_up.due_at < timezone.now(),
        status=follow_up.get_status_display(),
    )


def _case_item(case) -> WorkItem:
    return WorkItem(
        id=str(case.pk),
        kind="case",
        label=_case_label(case),
        url=reverse("cases:detail", args=[case.pk]),
        occurred_at=case.created_at,
        person_id=case.person_id,
        status=case.get_status_display(),
    )


def _transfer_item(transfer) -> WorkItem:
    return WorkItem(
        id=str(transfer.pk),
        kind="case_transfer",
        label=_("Case offered by %(organisation)s · %(case)s")
        % {"organisation": transfer.from_organisation.name, "case": _case_label(transfer.case)},
        url=reverse("cases:detail", args=[transfer.case_id]),
        occurred_at=transfer.created_at,
        person_id=transfer.case.person_id,
        status=transfer.get_status_display(),
    )


def _service_item(service: CaseService) -> WorkItem:
    return WorkItem(
        id=str(service.pk),
        kind="case_service",
        label=_("%(service)s for %(organisation)s · %(county)s")
        % {
            "service": ServiceType(service.service).label,
            "organisation": service.requested_by_organisation.name,
            "county": service.case.county.name,
        },
        url=reverse("cases:service", args=[service.pk]),
        occurred_at=service.created_at,
        status=service.get_status_display(),
    )


def _follow_ups(queryset):
    return queryset.select_related("case__county").defer("purpose", "outcome")


def _services(queryset):
    return queryset.select_related("requested_by_organisation", "case__county").defer(
        "request_note", "reason"
    )


def _manages(actor: Membership) -> bool:
    return actor.has_perm("case.manage") or actor.has_perm("case.monitor")


WORKLIST_SECTIONS = [
    WorklistSection(
        key="cases.follow_ups_overdue",
        title=_("Missed follow-ups"),
        permission="case.view",
        applies_to=_manages,
        empty_text=_("No follow-up is missed."),
        rows=lambda actor: _follow_ups(selectors.follow_ups_overdue(actor=actor)),
        item=_follow_up_item,
        order=6,
        order_field="due_at",
        ascending=True,
        urgent=True,
    ),
    WorklistSection(
        key="cases.closures",
        title=_("Case closures to approve"),
        permission="case.approve_closure",
        empty_text=_("No closure waits for your approval."),
        rows=lambda actor: selectors.closures_to_approve(actor=actor).select_related("county"),
        item=_case_item,
        order=20,
        order_field="modified_at",
        ascending=True,
    ),
    WorklistSection(
        key="cases.transfers",
        title=_("Cases offered to your organisation"),
        permission="case.manage",
        empty_text=_("No case is offered to your organisation."),
        rows=lambda actor: selectors.transfers_offered(actor=actor).select_related(
            "from_organisation", "case__county"
        ),
        item=_transfer_item,
        order=21,
    ),
    WorklistSection(
        key="cases.services_to_answer",
        title=_("Services asked of your organisation"),
        permission="case.deliver",
        empty_text=_("No service request waits for an answer."),
        rows=lambda actor: _services(selectors.services_to_answer(actor=actor)),
        item=_service_item,
        order=31,
        ascending=True,
    ),
    WorklistSection(
        key="cases.services_to_deliver",
        title=_("Services to deliver"),
        permission="case.deliver",
        empty_text=_("No accepted service waits for its delivery to be recorded."),
        rows=lambda actor: _services(selectors.services_to_deliver(actor=actor)),
        item=_service_item,
        order=32,
        ascending=True,
    ),
    WorklistSection(
        key="cases.follow_ups_due",
        title=_("Follow-ups this week"),
        permission="case.manage",
        empty_text=_("No follow-up is due this week."),
        rows=lambda actor: _follow_ups(selectors.follow_ups_due(actor=actor)),
        item=_follow_up_item,
        order=45,
        order_field="due_at",
        ascending=True,
    ),
    WorklistSection(
        key="cases.active",
        title=_("Active cases"),
        permission="case.manage",
        empty_text=_("Your organisation manages no active case."),
        rows=lambda actor: selectors.cases_active(actor=actor).select_related("county"),
        item=_case_item,
        order=60,
    ),
]


def _case_steps(person: Person) -> list[JourneyEntry]:
    events = (
        CaseEvent.objects.filter(case__person=person)
        .select_related("organisation", "case__owner_organisation")
        .order_by("occurred_at", "id")
    )
    steps = []
    for event in events:
        case = event.case
        details = [(_("Managed by"), case.owner_organisation.name)]
        if event.reason:
            details.append((_("Reason"), event.reason))
        organisation = event.organisation or case.owner_organisation
        steps.append(
            JourneyEntry(
                occurred_at=event.occurred_at,
                kind=f"case.{event.action}",
                title=_("Assistance case: %(action)s") % {"action": event.get_action_display()},
                organisation=organisation,
                # Who took the step and who managed the case see it in full; others in outline.
                parties=frozenset({organisation.pk, case.owner_organisation_id}),
                status=case.get_status_display(),
                details=tuple(details),
                url=reverse("cases:detail", args=[case.pk]),
            )
        )
    return steps


JOURNEY_SOURCES = [JourneySource(key="cases.cases", entries=_case_steps)]
