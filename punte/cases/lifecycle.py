"""The state machines of cases, of their transfers and of their services, as tables.

Case:     open | reopened -> closure requested (the case manager, with a reason from the list)
          closure requested -> closed (a supervisor of the owner approves)
                             | open (a supervisor refuses, saying why)
          closed -> reopened (the case manager, saying why: re-trafficking is real)
Transfer: requested -> accepted | declined (the receiver) | withdrawn (the sender)
Service:  requested -> accepted | declined (the provider) | cancelled (the case manager)
          accepted -> delivered (the provider, with dates and units) | cancelled

`services` applies them through punte.core.lifecycle (lock, check, save, event, audit).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punte.cases.models import CaseServiceStatus, CaseStatus, TransferStatus
from punte.core.lifecycle import Side, StateMachine, Transition

OWNER = Side("owner_organisation_id", _("the organisation managing the case"))
RECEIVER = Side("to_organisation_id", _("the organisation the case is offered to"))
SENDER = Side("from_organisation_id", _("the organisation that offered the case"))
PROVIDER = Side("provider_id", _("the provider asked for the service"))
CASE_MANAGER = Side("case_owner_id", _("the organisation managing the case"))

C = CaseStatus
CASE_TRANSITIONS: dict[str, dict[str, Transition]] = {
    C.OPEN: {C.CLOSURE_REQUESTED: Transition("case.manage", OWNER)},
    C.REOPENED: {C.CLOSURE_REQUESTED: Transition("case.manage", OWNER)},
    C.CLOSURE_REQUESTED: {
        C.CLOSED: Transition("case.approve_closure", OWNER),
        C.OPEN: Transition("case.approve_closure", OWNER, needs_reason=True),
    },
    C.CLOSED: {C.REOPENED: Transition("case.manage", OWNER, needs_reason=True)},
}

CASE_MACHINE = StateMachine(
    transitions=CASE_TRANSITIONS,
    label=lambda status: CaseStatus(status).label,
    refusal=_("This case is %(current)s: it cannot become %(wanted)s. Allowed now: %(allowed)s."),
)

T = TransferStatus
TRANSFER_MACHINE = StateMachine(
    transitions={
        T.REQUESTED: {
            T.ACCEPTED: Transition("case.manage", RECEIVER),
            T.DECLINED: Transition("case.manage", RECEIVER, needs_reason=True),
            T.WITHDRAWN: Transition("case.manage", SENDER, needs_reason=True),
        },
        T.ACCEPTED: {},
        T.DECLINED: {},
        T.WITHDRAWN: {},
    },
    label=lambda status: TransferStatus(status).label,
    refusal=_(
        "This transfer is %(current)s: it cannot become %(wanted)s. Allowed now: %(allowed)s."
    ),
)

S = CaseServiceStatus
SERVICE_MACHINE = StateMachine(
    transitions={
        S.REQUESTED: {
            S.ACCEPTED: Transition("case.deliver", PROVIDER),
            S.DECLINED: Transition("case.deliver", PROVIDER, needs_reason=True),
            S.CANCELLED: Transition("case.manage", CASE_MANAGER, needs_reason=True),
        },
        S.ACCEPTED: {
            S.DELIVERED: Transition("case.deliver", PROVIDER),
            S.CANCELLED: Transition("case.manage", CASE_MANAGER, needs_reason=True),
        },
        S.DECLINED: {},
        S.DELIVERED: {},
        S.CANCELLED: {},
    },
    label=lambda status: CaseServiceStatus(status).label,
    refusal=_(
        "This service is %(current)s: it cannot become %(wanted)s. Allowed now: %(allowed)s."
    ),
)

# The case's history action and audit event of each case transition.
CASE_ACTIONS: dict[str, tuple[str, str]] = {
    C.CLOSURE_REQUESTED: ("closure_requested", "case.closure_requested"),
    C.CLOSED: ("closed", "case.closed"),
    C.OPEN: ("closure_refused", "case.closure_refused"),
    C.REOPENED: ("reopened", "case.reopened"),
}
