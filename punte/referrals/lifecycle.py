"""The referral state machine as a table, and the deadlines of its steps.

sent -> accepted | rejected (with a reason) | withdrawn (by the sender, with a reason)
accepted -> completed | withdrawn (by the sender, with a reason)

Each allowed transition names the side that may make it and whether a reason is required.
`services.referral_transition` is the only code that applies it, through punte.core.lifecycle.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from punte.core.deadlines import Deadline, due
from punte.core.lifecycle import Side, StateMachine, Transition
from punte.referrals.models import Referral, ReferralEvent, ReferralStatus
from punte.referrals.rules import DEADLINE_UNITS, STEP_KEYS

RECEIVER = Side("receiver_organisation_id", _("the receiving organisation"))
SENDER = Side("sender_organisation_id", _("the sending organisation"))

S = ReferralStatus
TRANSITIONS: dict[str, dict[str, Transition]] = {
    S.SENT: {
        S.ACCEPTED: Transition("referral.respond", RECEIVER),
        S.REJECTED: Transition("referral.respond", RECEIVER, needs_reason=True),
        S.WITHDRAWN: Transition("referral.send", SENDER, needs_reason=True),
    },
    S.ACCEPTED: {
        S.COMPLETED: Transition("referral.respond", RECEIVER),
        S.WITHDRAWN: Transition("referral.send", SENDER, needs_reason=True),
    },
    S.REJECTED: {},
    S.COMPLETED: {},
    S.WITHDRAWN: {},
}

MACHINE = StateMachine(
    transitions=TRANSITIONS,
    label=lambda status: ReferralStatus(status).label,
    refusal=_(
        "This referral is %(current)s: it cannot become %(wanted)s. Allowed now: %(allowed)s."
    ),
)

# The permission each target status needs, whatever the current state (derived from the table).
ACTION_PERMISSION: dict[str, str] = {
    to: transition.permission for row in TRANSITIONS.values() for to, transition in row.items()
}

# The step that a status opens, whose deadline the rule gives (rules.STEP_KEYS).
STEP_DEADLINE: dict[str, str] = {S.SENT: "respond", S.ACCEPTED: "complete"}


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
    """The deadline of the step that `status` opens, counted from `at` in the unit its rule
    gives (punte.core.deadlines)."""
    step = STEP_DEADLINE.get(status)
    if step is None:
        return None
    key = next(key for key in STEP_KEYS[step] if key in deadlines)
    return due(at, Deadline(amount=deadlines[key], unit=DEADLINE_UNITS[key]))


def current_deadline(referral: Referral, events: list[ReferralEvent]) -> datetime.datetime | None:
    """The current step's deadline recomputed from the events alone (the transition service
    stores the same value in `due_at`; tests hold the two equal)."""
    transitions = [e for e in events if e.action != ReferralEvent.Action.ESCALATED]
    if not transitions:
        return None
    last = transitions[-1]
    return deadline_after(last.to_status, last.occurred_at, deadlines_of(referral))


def allowed_next(status: str) -> list[str]:
    return MACHINE.allowed_next(status)
