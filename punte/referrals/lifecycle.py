"""The referral state machine as a table, and the deadlines of its steps.

sent -> accepted | rejected (with a reason) | withdrawn (by the sender, with a reason)
accepted -> completed | withdrawn (by the sender, with a reason)

Each allowed transition names the side that may make it and whether a reason is required.
`services.referral_transition` is the only code that applies it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from punte.referrals.models import Referral, ReferralEvent, ReferralStatus

RECEIVER = "receiver"
SENDER = "sender"


@dataclass(frozen=True)
class Transition:
    side: str  # whose organisation makes it
    permission: str
    needs_reason: bool = False


S = ReferralStatus
TRANSITIONS: dict[str, dict[str, Transition]] = {
    S.SENT: {
        S.ACCEPTED: Transition(RECEIVER, "referral.respond"),
        S.REJECTED: Transition(RECEIVER, "referral.respond", needs_reason=True),
        S.WITHDRAWN: Transition(SENDER, "referral.send", needs_reason=True),
    },
    S.ACCEPTED: {
        S.COMPLETED: Transition(RECEIVER, "referral.respond"),
        S.WITHDRAWN: Transition(SENDER, "referral.send", needs_reason=True),
    },
    S.REJECTED: {},
    S.COMPLETED: {},
    S.WITHDRAWN: {},
}

# The permission each target status needs, whatever the current state (derived from the table).
ACTION_PERMISSION: dict[str, str] = {
    to: transition.permission for row in TRANSITIONS.values() for to, transition in row.items()
}

# The step that a status opens, with the deadline key that times it.
STEP_DEADLINE: dict[str, str] = {S.SENT: "respond_hours", S.ACCEPTED: "complete_days"}


def deadlines_of(referral: Referral) -> dict[str, int]:
    """The deadlines that apply: its rule's, or the service deadlines of the rules version it
    was sent under; the child's when the person was treated as a child at sending."""
    group = "child" if referral.is_child else "adult"
    if referral.rule_id is not None:
        return referral.rule.deadlines[group]
    return referral.ruleset.service_deadlines[group]


def deadline_after(
    status: str, at: datetime.datetime, deadlines: dict[str, int]
) -> datetime.datetime | None:
    """The deadline of the step that `status` opens, counted from `at` (calendar time)."""
    key = STEP_DEADLINE.get(status)
    if key == "respond_hours":
        return at + datetime.timedelta(hours=deadlines[key])
    if key == "complete_days":
        return at + datetime.timedelta(days=deadlines[key])
    return None


def current_deadline(referral: Referral, events: list[ReferralEvent]) -> datetime.datetime | None:
    """The current step's deadline recomputed from the events alone (the transition service
    stores the same value in `due_at`; tests hold the two equal)."""
    transitions = [e for e in events if e.action != ReferralEvent.Action.ESCALATED]
    if not transitions:
        return None
    last = transitions[-1]
    return deadline_after(last.to_status, last.occurred_at, deadlines_of(referral))


def allowed_next(status: str) -> list[str]:
    return list(TRANSITIONS.get(status, {}))
