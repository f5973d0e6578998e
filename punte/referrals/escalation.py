"""Escalation of referrals whose current step is past its deadline (command
`escalate_overdue_referrals`, run from cron)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from punte.core import audit
from punte.referrals.models import OPEN_STATUSES, Referral, ReferralEvent, ReferralStatus
from punte.referrals.notify import notify_escalation


@dataclass
class EscalationResult:
    escalated: int
    by_level: dict[str, int]


def referrals_escalate_overdue(*, now: datetime.datetime | None = None) -> EscalationResult:
    """Escalate every open referral whose current step is past its deadline and not yet
    escalated, each in its own transaction. Idempotent: a step is escalated once; the next
    transition clears the mark and opens a new deadline."""
    now = now or timezone.now()
    candidates = list(
        Referral.objects.filter(
            status__in=OPEN_STATUSES, due_at__lt=now, escalated_at__isnull=True
        ).values_list("pk", flat=True)
    )
    by_level: dict[str, int] = {}
    for pk in candidates:
        level = _escalate_one(pk, now=now)
        if level:
            by_level[level] = by_level.get(level, 0) + 1
    return EscalationResult(escalated=sum(by_level.values()), by_level=by_level)


@transaction.atomic
def _escalate_one(pk: uuid.UUID, *, now: datetime.datetime) -> str | None:
    referral = (
        Referral.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=pk, status__in=OPEN_STATUSES, due_at__lt=now, escalated_at__isnull=True)
        .select_related("receiver_organisation", "sender_organisation", "rule")
        .first()
    )
    if referral is None:  # changed meanwhile, or another run holds it
        return None
    referral.escalated_at = now
    referral.save(update_fields=["escalated_at"])
    step = (
        gettext_lazy("answer")
        if referral.status == ReferralStatus.SENT
        else gettext_lazy("completion")
    )
    level, rows = notify_escalation(
        referral,
        kind="referral.overdue",
        message=gettext_lazy(
            "Overdue referral (%(purpose)s) at %(organisation)s: the %(step)s was due %(due)s."
        ),
        params={
            "purpose": referral.purpose,
            "organisation": referral.receiver_organisation.name,
            "step": step,
            "due": referral.due_at,
        },
    )
    ReferralEvent.objects.create(
        referral=referral,
        action=ReferralEvent.Action.ESCALATED,
        from_status=referral.status,
        to_status=referral.status,
        occurred_at=now,
        organisation=referral.receiver_organisation,
        due_at=referral.due_at,
        details={"level": level, "notified": [str(row.recipient_id) for row in rows]},
    )
    audit.record(
        action="referral.escalated",
        subject=referral,
        organisation=referral.receiver_organisation,
        person_id=referral.person_id,
        changes={"level": level, "due_at": referral.due_at.isoformat(), "notified": len(rows)},
    )
    return level
