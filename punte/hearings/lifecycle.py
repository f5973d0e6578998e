"""A hearing's state machine as a table (core.lifecycle): booked -> cancelled, and no way back
(a new booking is a new hearing, with its own invitations). Moving a hearing in time or room is
not a change of state: `services.hearing_reschedule` does it on the booked row."""

from django.utils.translation import gettext_lazy as _

from punte.core.lifecycle import StateMachine, Transition
from punte.hearings.models import HearingStatus

S = HearingStatus

MACHINE = StateMachine(
    transitions={S.BOOKED: {S.CANCELLED: Transition("hearing.book")}, S.CANCELLED: {}},
    label=lambda status: HearingStatus(status).label,
    refusal=_(
        "This hearing is %(current)s: it cannot become %(wanted)s. Allowed now: %(allowed)s."
    ),
)
