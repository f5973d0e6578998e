"""Every write of the cases app (one module per part of the case), re-exported here."""

from punte.cases.services.case import (
    case_approve_closure,
    case_open,
    case_refuse_closure,
    case_reopen,
    case_request_closure,
    case_transfer_decide,
    case_transfer_request,
)
from punte.cases.services.follow_ups import (
    follow_up_done,
    follow_up_schedule,
    follow_ups_remind_and_escalate,
)
from punte.cases.services.notes import restricted_note_add
from punte.cases.services.planning import GoalInput, assessment_record, plan_diff, plan_save
from punte.cases.services.provision import case_service_request, case_service_transition
from punte.cases.services.team import team_lapse_expired, team_member_add, team_member_end

__all__ = [
    "GoalInput",
    "assessment_record",
    "case_approve_closure",
    "case_open",
    "case_refuse_closure",
    "case_reopen",
    "case_request_closure",
    "case_service_request",
    "case_service_transition",
    "case_transfer_decide",
    "case_transfer_request",
    "follow_up_done",
    "follow_up_schedule",
    "follow_ups_remind_and_escalate",
    "plan_diff",
    "plan_save",
    "restricted_note_add",
    "team_lapse_expired",
    "team_member_add",
    "team_member_end",
]
