"""The stages of a proceeding as a table (core.lifecycle), forward only:

complaint -> investigation | final (dismissed)
investigation -> indictment | final (dismissed)
indictment -> trial
trial -> appeal | final
appeal -> final

A move to `final` carries the outcome (services.proceeding_advance). A suspect's stage is a
table of its own: suspected -> prosecuted -> convicted | acquitted.
"""

from django.utils.translation import gettext_lazy as _

from punte.core.lifecycle import StateMachine, Transition
from punte.proceedings.models import OffenderStage, Stage

S = Stage
_MOVE = Transition("proceeding.manage")

MACHINE = StateMachine(
    transitions={
        S.COMPLAINT: {S.INVESTIGATION: _MOVE, S.FINAL: _MOVE},
        S.INVESTIGATION: {S.INDICTMENT: _MOVE, S.FINAL: _MOVE},
        S.INDICTMENT: {S.TRIAL: _MOVE},
        S.TRIAL: {S.APPEAL: _MOVE, S.FINAL: _MOVE},
        S.APPEAL: {S.FINAL: _MOVE},
        S.FINAL: {},
    },
    label=lambda stage: Stage(stage).label,
    refusal=_(
        "This proceeding is at the stage %(current)s: it cannot move to %(wanted)s. "
        "Possible next stages: %(allowed)s."
    ),
    field="stage",
    state_field="stage",
    # Going back to the first stage is a refusal naming what may follow, not an unknown stage.
    statuses=tuple(Stage.values),
)

OFFENDER_MACHINE = StateMachine.from_sets(
    {
        OffenderStage.SUSPECTED: {OffenderStage.PROSECUTED},
        OffenderStage.PROSECUTED: {OffenderStage.CONVICTED, OffenderStage.ACQUITTED},
        OffenderStage.CONVICTED: set(),
        OffenderStage.ACQUITTED: set(),
    },
    label=lambda stage: OffenderStage(stage).label,
    refusal=_("This person is %(current)s: they cannot become %(wanted)s. Allowed: %(allowed)s."),
    field="stage",
    state_field="stage",
    statuses=tuple(OffenderStage.values),
)
