"""Follow-ups: scheduled, reminded the day before, done, and escalated once when missed."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.accounts.models import Membership
from punte.cases.models import CaseEvent, FollowUp, FollowUpStatus
from punte.cases.notify import case_url, escalate, notify_managers
from punte.cases.services.common import history, locked_case, required_text
from punte.core import audit
from punte.core.errors import ServiceError, uuid_or_404

# A reminder goes this long before the follow-up is due.
REMINDER_BEFORE = datetime.timedelta(days=1)


@transaction.atomic
def follow_up_schedule(
    *, actor: Membership, case_id, due_at: datetime.datetime, purpose: str
) -> FollowUp:
    case = locked_case(actor=actor, case_id=case_id)
    purpose = required_text(purpose, "purpose", limit=1000)
    if timezone.is_naive(due_at):
        raise ServiceError("due_at", _("Give the time with its time zone."))
    if due_at <= timezone.now():
        raise ServiceError("due_at", _("A follow-up is scheduled in the future."))
    follow_up = FollowUp.objects.create(
        case=case,
        organisation=case.owner_organisation,
        due_at=due_at,
        purpose=purpose,
        created_by=actor.user,
        modified_by=actor.user,
    )
    history(
        case,
        CaseEvent.Action.FOLLOW_UP_SCHEDULED,
        actor=actor,
        details={"follow_up": str(follow_up.pk), "due_at": due_at.isoformat()},
    )
    audit.record(
        action="follow_up.scheduled",
        actor=actor,
        subject=follow_up,
        person_id=case.person_id,
        changes={"case": str(case.pk), "due_at": due_at.isoformat()},
    )
    return follow_up


@transaction.atomic
def follow_up_done(*, actor: Membership, follow_up_id, outcome: str) -> FollowUp:
    pk = uuid_or_404(follow_up_id)
    row = FollowUp.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if row is None:
        raise Http404
    case = locked_case(actor=actor, case_id=row)
    follow_up = FollowUp.objects.select_for_update().get(pk=pk)
    if follow_up.status != FollowUpStatus.SCHEDULED:
        raise ServiceError(
            "status",
            _("This follow-up is %(status)s already.")
            % {"status": follow_up.get_status_display().lower()},
            status=409,
        )
    follow_up.outcome = required_text(outcome, "outcome", limit=2000)
    follow_up.status = FollowUpStatus.DONE
    follow_up.done_at = timezone.now()
    follow_up.modified_by = actor.user
    follow_up.save(update_fields=["outcome", "status", "done_at", "modified_by", "modified_at"])
    history(
        case,
        CaseEvent.Action.FOLLOW_UP_DONE,
        actor=actor,
        at=follow_up.done_at,
        details={"follow_up": str(follow_up.pk), "late": follow_up.done_at > follow_up.due_at},
    )
    audit.record(
        action="follow_up.done",
        actor=actor,
        subject=follow_up,
        person_id=case.person_id,
        changes={"case": str(case.pk), "outcome": audit.REDACTED},
    )
    return follow_up


@dataclass
class FollowUpRun:
    reminded: int
    escalated: int


def follow_ups_remind_and_escalate(*, now: datetime.datetime | None = None) -> FollowUpRun:
    """Remind the case managers of follow-ups due within a day, and escalate missed ones to
    the owner's supervisors (then its parent, then the national agency), once each. Each row in
    its own transaction; idempotent, so the job may run as often as it likes."""
    now = now or timezone.now()
    reminded = escalated = 0
    due_soon = FollowUp.objects.filter(
        status=FollowUpStatus.SCHEDULED,
        reminded_at__isnull=True,
        due_at__gte=now,
        due_at__lt=now + REMINDER_BEFORE,
    ).values_list("pk", flat=True)
    for pk in list(due_soon):
        reminded += _remind_one(pk, now=now)
    missed = FollowUp.objects.filter(
        status=FollowUpStatus.SCHEDULED, due_at__lt=now, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(missed):
        escalated += _escalate_one(pk, now=now)
    return FollowUpRun(reminded=reminded, escalated=escalated)


def _locked_due(pk: uuid.UUID, **conditions) -> FollowUp | None:
    return (
        FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=pk, status=FollowUpStatus.SCHEDULED, **conditions)
        .select_related("case__owner_organisation")
        .first()
    )


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


@transaction.atomic
def _remind_one(pk: uuid.UUID, *, now: datetime.datetime) -> int:
    follow_up = _locked_due(pk, reminded_at__isnull=True)
    if follow_up is None:
        return 0
    follow_up.reminded_at = now
    follow_up.save(update_fields=["reminded_at"])
    notify_managers(
        follow_up.case,
        kind="follow_up.reminder",
        message=gettext_lazy("A follow-up of case %(reference)s is due %(due)s."),
        params={"reference": follow_up.case.reference, "due": _when(follow_up.due_at)},
    )
    return 1


@transaction.atomic
def _escalate_one(pk: uuid.UUID, *, now: datetime.datetime) -> int:
    follow_up = _locked_due(pk, escalated_at__isnull=True, due_at__lt=now)
    if follow_up is None:
        return 0
    case = follow_up.case
    follow_up.escalated_at = now
    follow_up.save(update_fields=["escalated_at"])
    level, rows = escalate(
        case.owner_organisation,
        kind="follow_up.overdue",
        message=gettext_lazy(
            "Missed follow-up of case %(reference)s at %(organisation)s: it was due %(due)s."
        ),
        params={
            "reference": case.reference,
            "organisation": case.owner_organisation.name,
            "due": _when(follow_up.due_at),
        },
        url=case_url(case),
        subject=case,
    )
    history(
        case,
        CaseEvent.Action.FOLLOW_UP_ESCALATED,
        actor=None,
        at=now,
        organisation=case.owner_organisation,
        details={
            "follow_up": str(follow_up.pk),
            "level": level,
            "notified": [str(row.recipient_id) for row in rows],
        },
    )
    audit.record(
        action="follow_up.escalated",
        subject=follow_up,
        organisation=case.owner_organisation,
        person_id=case.person_id,
        changes={"level": level, "due_at": follow_up.due_at.isoformat(), "notified": len(rows)},
    )
    return 1
