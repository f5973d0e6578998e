"""Needs and risk assessments, and the individual assistance plan's versions."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership, Organisation
from punte.cases.models import (
    Assessment,
    CaseEvent,
    GoalStatus,
    Level,
    NeedArea,
    PlanGoal,
    PlanVersion,
)
from punte.cases.services.common import as_uuid, history, locked_case, optional_text
from punte.core import audit
from punte.core.errors import ServiceError


@transaction.atomic
def assessment_record(
    *,
    actor: Membership,
    case_id,
    assessed_on: datetime.date,
    needs: dict[str, dict],
    retrafficking_risk: str,
    risk_factors: str | None = None,
) -> Assessment:
    """Record a needs and risk assessment: a level (and a note) for every area of need, and the
    risk of re-trafficking. Earlier assessments stay as they were."""
    case = locked_case(actor=actor, case_id=case_id)
    if assessed_on > timezone.localdate():
        raise ServiceError("assessed_on", _("An assessment cannot be dated in the future."))
    unknown = set(needs) - set(NeedArea.values)
    if unknown:
        raise ServiceError(f"needs.{sorted(unknown)[0]}", _("Not an area of need."))
    cleaned = {}
    for area in NeedArea.values:
        entry = needs.get(area)
        if not entry or entry.get("level") not in Level.values:
            raise ServiceError(
                f"needs.{area}.level",
                _("Give the level of need for %(area)s.") % {"area": NeedArea(area).label},
            )
        cleaned[area] = {
            "level": entry["level"],
            "note": optional_text(entry.get("note"), f"needs.{area}.note", limit=2000),
        }
    if retrafficking_risk not in Level.values:
        raise ServiceError("retrafficking_risk", _("Give the risk of re-trafficking."))
    assessment = Assessment.objects.create(
        case=case,
        organisation=actor.organisation,
        assessed_on=assessed_on,
        needs=cleaned,
        retrafficking_risk=retrafficking_risk,
        risk_factors=optional_text(risk_factors, "risk_factors") or None,
        created_by=actor.user,
        modified_by=actor.user,
    )
    history(
        case,
        CaseEvent.Action.ASSESSMENT_RECORDED,
        actor=actor,
        details={"assessment": str(assessment.pk), "risk": retrafficking_risk},
    )
    audit.record(
        action="case.assessed",
        actor=actor,
        subject=case,
        person_id=case.person_id,
        changes={
            "assessment": str(assessment.pk),
            "levels": {area: value["level"] for area, value in cleaned.items()},
            "retrafficking_risk": retrafficking_risk,
        },
    )
    return assessment


@dataclass(frozen=True)
class GoalInput:
    area: str
    goal: str
    responsible_organisation_id: uuid.UUID | str
    starts_on: datetime.date
    due_on: datetime.date
    status: str = GoalStatus.PLANNED
    # The goal's key in the previous version, when this is that goal changed; none for a new one.
    key: uuid.UUID | str | None = None


@transaction.atomic
def plan_save(
    *,
    actor: Membership,
    case_id,
    goals: list[GoalInput],
    review_on: datetime.date | None = None,
    summary: str | None = None,
) -> PlanVersion:
    """Save the plan as a new version with all its goals; no version is ever changed. A goal
    given with the key of a goal of the latest version continues it (the comparison shows it
    changed); a goal left out is removed from this version on."""
    case = locked_case(actor=actor, case_id=case_id)
    if not goals:
        raise ServiceError("goals", _("A plan needs at least one goal."))
    summary = optional_text(summary, "summary", limit=2000)
    latest = case.plan_versions.aggregate(latest=Max("number"))["latest"] or 0
    previous_keys = (
        set(
            PlanGoal.objects.filter(version__case=case, version__number=latest).values_list(
                "key", flat=True
            )
        )
        if latest
        else set()
    )
    organisations = _organisations(goals)
    checked = []
    seen: set[uuid.UUID] = set()
    for index, goal in enumerate(goals):
        checked.append(_check_goal(goal, index, organisations, previous_keys, seen))
    if review_on is not None and review_on < timezone.localdate():
        raise ServiceError("review_on", _("The review date cannot be in the past."))
    now = timezone.now()
    version = PlanVersion.objects.create(
        case=case,
        number=latest + 1,
        saved_at=now,
        saved_by=actor.user,
        organisation=actor.organisation,
        review_on=review_on,
        summary=summary or None,
    )
    PlanGoal.objects.bulk_create(
        [
            PlanGoal(version=version, saved_at=now, position=position, **fields)
            for position, fields in enumerate(checked, start=1)
        ]
    )
    history(
        case,
        CaseEvent.Action.PLAN_SAVED,
        actor=actor,
        at=now,
        details={"version": version.number, "goals": len(checked)},
    )
    audit.record(
        action="case.plan_saved",
        actor=actor,
        subject=case,
        person_id=case.person_id,
        changes={"version": version.number, "goals": len(checked)},
    )
    return version


def _organisations(goals: list[GoalInput]) -> dict[uuid.UUID, Organisation]:
    ids = {as_uuid(g.responsible_organisation_id) for g in goals} - {None}
    return {o.pk: o for o in Organisation.objects.filter(pk__in=ids, is_active=True)}


def _check_goal(
    goal: GoalInput,
    index: int,
    organisations: dict,
    previous_keys: set,
    seen: set,
) -> dict:
    field = f"goals.{index}"
    if goal.area not in NeedArea.values:
        raise ServiceError(f"{field}.area", _("Not an area of need."))
    text = (goal.goal or "").strip()
    if not text:
        raise ServiceError(f"{field}.goal", _("Say what the goal is."))
    if len(text) > 2000:
        raise ServiceError(f"{field}.goal", _("At most %(limit)d characters.") % {"limit": 2000})
    organisation = organisations.get(as_uuid(goal.responsible_organisation_id))
    if organisation is None:
        raise ServiceError(
            f"{field}.responsible_organisation_id", _("No such active organisation.")
        )
    if goal.due_on < goal.starts_on:
        raise ServiceError(f"{field}.due_on", _("The due date cannot be before the start."))
    if goal.status not in GoalStatus.values:
        raise ServiceError(f"{field}.status", _("Not a goal status."))
    key = None
    if goal.key:
        key = as_uuid(goal.key)
        if key not in previous_keys:
            raise ServiceError(f"{field}.key", _("No such goal in the latest plan version."))
    key = key or uuid.uuid4()
    if key in seen:
        raise ServiceError(f"{field}.key", _("This goal is given twice."))
    seen.add(key)
    return {
        "key": key,
        "area": goal.area,
        "goal": text,
        "responsible_organisation": organisation,
        "starts_on": goal.starts_on,
        "due_on": goal.due_on,
        "status": goal.status,
    }


# --- Comparing two versions -------------------------------------------------------------------

_COMPARED = ("area", "goal", "responsible_organisation_id", "starts_on", "due_on", "status")


@dataclass(frozen=True)
class GoalChange:
    """One goal between two versions: added, removed, changed (with the fields that changed)
    or unchanged."""

    kind: str  # "added" | "removed" | "changed" | "unchanged"
    before: PlanGoal | None
    after: PlanGoal | None
    fields: tuple[str, ...] = ()


def plan_diff(older: PlanVersion, newer: PlanVersion) -> list[GoalChange]:
    """Compare two versions' goals by key, in the newer version's order, removed goals last."""
    before = {g.key: g for g in older.goals.all()}
    after = {g.key: g for g in newer.goals.all()}
    changes = []
    for key, goal in after.items():
        old = before.get(key)
        if old is None:
            changes.append(GoalChange("added", None, goal))
            continue
        changed = tuple(f for f in _COMPARED if getattr(old, f) != getattr(goal, f))
        changes.append(GoalChange("changed" if changed else "unchanged", old, goal, changed))
    changes.extend(
        GoalChange("removed", goal, None) for key, goal in before.items() if key not in after
    )
    return changes
