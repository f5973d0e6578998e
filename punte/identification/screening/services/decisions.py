"""Identification decisions by competent authorities, and the recovery and reflection period.

Only a competent authority decides whether a person is a victim: an organisation whose type is
in COMPETENT_AUTHORITY_TYPES, acting through a role that holds `decision.record` (prosecutors and
police investigators by default). Both are data: the types here, the roles in the Role table.

A foreign victim is entitled to a recovery and reflection period of up to 90 days (Law 678/2001
art. 39^1). Its end date follows from its events (start, extensions, termination); reminders go
out before the end (`send_reflection_reminders`, run daily by cron).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from punte.accounts.models import Membership, OrganisationType
from punte.core import audit
from punte.core.errors import ServiceError
from punte.identification.persons.models import Person
from punte.identification.screening.models import (
    DecisionOutcome,
    IdentificationDecision,
    ReflectionEventKind,
    ReflectionPeriod,
    ReflectionPeriodEvent,
    ReflectionReminder,
    ReflectionStatus,
)
from punte.identification.signals.models import ExploitationForm

# Who may decide: the prosecution (DIICOT and the prosecutors' offices) and the police.
COMPETENT_AUTHORITY_TYPES = frozenset({OrganisationType.PROSECUTION, OrganisationType.POLICE})
# Law 678/2001 art. 39^1: "up to 90 days", counted here with the first and the last day.
REFLECTION_MAX_DAYS = 90
# Reminders before the end, in days; each is sent once per end date.
REFLECTION_REMINDER_DAYS = (14, 3)


def _require_competent(actor: Membership) -> None:
    if not actor.has_perm("decision.record"):
        raise ServiceError(
            None, _("Your role may not record identification decisions."), status=403
        )
    if actor.organisation.type not in COMPETENT_AUTHORITY_TYPES:
        raise ServiceError(
            "organisation",
            _(
                "%(organisation)s is not a competent authority: identification decisions and "
                "recovery and reflection periods are recorded by a prosecutor's office or the "
                "police."
            )
            % {"organisation": actor.organisation.name},
            status=403,
        )


def _validated_forms(forms: Iterable[str], *, required: bool) -> list[str]:
    forms = list(forms)
    if required and not forms:
        raise ServiceError("exploitation_forms", _("Name at least one form of exploitation."))
    for form in forms:
        if form not in ExploitationForm.values:
            raise ServiceError(
                "exploitation_forms", _("Unknown form of exploitation: %(form)s.") % {"form": form}
            )
    return sorted(set(forms), key=ExploitationForm.values.index)


@transaction.atomic
def decision_record(
    *,
    actor: Membership,
    person: Person,
    outcome: str,
    decided_on: datetime.date,
    grounds: str,
    exploitation_forms: Iterable[str] = (),
) -> IdentificationDecision:
    """Record a decision; `person` comes from a selector that checked the actor may see it."""
    _require_competent(actor)
    if outcome not in DecisionOutcome.values:
        raise ServiceError(
            "outcome",
            _("Expected one of %(values)s.") % {"values": ", ".join(DecisionOutcome.values)},
        )
    if decided_on > timezone.localdate():
        raise ServiceError("decided_on", _("The date of the decision is in the future."))
    if not (grounds or "").strip():
        raise ServiceError("grounds", _("State the grounds of the decision."))
    forms = _validated_forms(exploitation_forms, required=outcome != DecisionOutcome.NOT_A_VICTIM)
    decision = IdentificationDecision.objects.create(
        person=person,
        organisation=actor.organisation,
        outcome=outcome,
        decided_on=decided_on,
        grounds=grounds.strip(),
        exploitation_forms=forms,
        created_by=actor.user,
        modified_by=actor.user,
    )
    audit.record(
        action="decision.recorded",
        actor=actor,
        subject=decision,
        person_id=person.pk,
        changes=audit.redact(
            {
                "outcome": outcome,
                "decided_on": decided_on.isoformat(),
                "exploitation_forms": forms,
                "grounds": grounds,
            },
            {"grounds"},
        ),
    )
    return decision


# --- Recovery and reflection period ----------------------------------------------------------


def latest_end(starts_on: datetime.date) -> datetime.date:
    return starts_on + datetime.timedelta(days=REFLECTION_MAX_DAYS - 1)


def _check_end(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise ServiceError("ends_on", _("The end date is before the start date."))
    if ends_on > latest_end(starts_on):
        raise ServiceError(
            "ends_on",
            ngettext(
                "The period may last at most %(days)d day (Law 678/2001 art. 39^1): from "
                "%(start)s it ends on %(latest)s at the latest.",
                "The period may last at most %(days)d days (Law 678/2001 art. 39^1): from "
                "%(start)s it ends on %(latest)s at the latest.",
                REFLECTION_MAX_DAYS,
            )
            % {
                "days": REFLECTION_MAX_DAYS,
                "start": date_format(starts_on, "DATE_FORMAT"),
                "latest": date_format(latest_end(starts_on), "DATE_FORMAT"),
            },
        )


def _event(period, kind, *, actor, on, reason=None) -> ReflectionPeriodEvent:
    return ReflectionPeriodEvent.objects.create(
        period=period,
        kind=kind,
        occurred_on=on,
        ends_on=period.ends_on,
        reason=reason or None,
        recorded_by=actor.user,
    )


def _audit(period: ReflectionPeriod, actor: Membership, action: str, changes: dict) -> None:
    audit.record(
        action=action,
        actor=actor,
        subject=period,
        person_id=period.person_id,
        changes=changes,
    )


@transaction.atomic
def reflection_period_start(
    *,
    actor: Membership,
    person: Person,
    starts_on: datetime.date,
    ends_on: datetime.date,
    decision: IdentificationDecision | None = None,
) -> ReflectionPeriod:
    _require_competent(actor)
    # Serialise the periods of one person: at most one runs at a time.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if not person.is_foreign_national:
        raise ServiceError(
            "person",
            _(
                "The recovery and reflection period is for foreign nationals (Law 678/2001 "
                "art. 39^1); this person's citizenship is Romanian or unknown."
            ),
        )
    if starts_on > timezone.localdate():
        raise ServiceError("starts_on", _("The start date is in the future."))
    _check_end(starts_on, ends_on)
    if decision is not None and (
        decision.person_id != person.pk or decision.outcome == DecisionOutcome.NOT_A_VICTIM
    ):
        raise ServiceError(
            "decision_id",
            _("The period follows a decision about this person that they are a victim."),
        )
    running = ReflectionPeriod.objects.filter(person=person, status=ReflectionStatus.ACTIVE).first()
    if running is not None:
        if running.ends_on >= starts_on:
            raise ServiceError(
                "starts_on",
                _("A recovery and reflection period already runs until %(date)s.")
                % {"date": date_format(running.ends_on, "DATE_FORMAT")},
                status=409,
            )
        # It ran its course before this one starts: close it so that one period is active.
        running.status = ReflectionStatus.ENDED
        running.save(update_fields=["status", "modified_at"])
    period = ReflectionPeriod.objects.create(
        person=person,
        organisation=actor.organisation,
        decision=decision,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor.user,
        modified_by=actor.user,
    )
    _event(period, ReflectionEventKind.STARTED, actor=actor, on=starts_on)
    _audit(
        period,
        actor,
        "reflection_period.started",
        {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return period


def _locked_running(period: ReflectionPeriod) -> ReflectionPeriod:
    locked = ReflectionPeriod.objects.select_for_update().get(pk=period.pk)
    if locked.status != ReflectionStatus.ACTIVE or locked.ends_on < timezone.localdate():
        raise ServiceError("status", _("This recovery and reflection period is over."), status=409)
    return locked


@transaction.atomic
def reflection_period_extend(
    *, actor: Membership, period: ReflectionPeriod, ends_on: datetime.date, reason: str
) -> ReflectionPeriod:
    _require_competent(actor)
    period = _locked_running(period)
    if ends_on <= period.ends_on:
        raise ServiceError(
            "ends_on",
            _("An extension ends after the current end date (%(date)s).")
            % {"date": date_format(period.ends_on, "DATE_FORMAT")},
        )
    _check_end(period.starts_on, ends_on)
    if not (reason or "").strip():
        raise ServiceError("reason", _("State the reason."))
    old = period.ends_on
    period.ends_on = ends_on
    period.modified_by = actor.user
    period.save(update_fields=["ends_on", "modified_by", "modified_at"])
    _event(
        period, ReflectionEventKind.EXTENDED, actor=actor, on=timezone.localdate(), reason=reason
    )
    _audit(
        period,
        actor,
        "reflection_period.extended",
        {"ends_on": {"old": old.isoformat(), "new": ends_on.isoformat()}},
    )
    return period


@transaction.atomic
def reflection_period_terminate(
    *, actor: Membership, period: ReflectionPeriod, on: datetime.date, reason: str
) -> ReflectionPeriod:
    """End a period early (e.g. the person chose to cooperate, left, or the grounds ceased)."""
    _require_competent(actor)
    period = _locked_running(period)
    if on > timezone.localdate():
        raise ServiceError("on", _("The date is in the future."))
    if on < period.starts_on:
        raise ServiceError("on", _("The date is before the period started."))
    if not (reason or "").strip():
        raise ServiceError("reason", _("State the reason."))
    old = period.ends_on
    period.status = ReflectionStatus.TERMINATED
    period.terminated_on = on
    period.ends_on = on
    period.modified_by = actor.user
    period.save(update_fields=["status", "terminated_on", "ends_on", "modified_by", "modified_at"])
    _event(period, ReflectionEventKind.TERMINATED, actor=actor, on=on, reason=reason)
    _audit(
        period,
        actor,
        "reflection_period.terminated",
        {"ends_on": {"old": old.isoformat(), "new": on.isoformat()}, "status": "terminated"},
    )
    return period


# --- Reminders -------------------------------------------------------------------------------

REMINDER_MESSAGE = ngettext_lazy(
    "A recovery and reflection period ends on %(ends_on)s, in %(days)s day.",
    "A recovery and reflection period ends on %(ends_on)s, in %(days)s days.",
    "days",
)


def send_reflection_reminders(*, today: datetime.date | None = None) -> int:
    """Send the reminders due today; returns how many were sent. Safe to run any number of
    times, and concurrently: each (period, end date, lead time) is recorded once.

    When several lead times are due at once (the command did not run for a while), only the
    nearest is sent; the others are recorded as passed over, so nobody gets two at once.
    """
    from punte.notifications.services import notify

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(REFLECTION_REMINDER_DAYS))
    candidates = ReflectionPeriod.objects.filter(
        status=ReflectionStatus.ACTIVE, ends_on__gte=today, ends_on__lte=horizon
    ).values_list("pk", flat=True)
    sent = 0
    for period_id in list(candidates):
        try:
            with transaction.atomic():
                period = (
                    ReflectionPeriod.objects.select_for_update()
                    .select_related("organisation")
                    .get(pk=period_id)
                )
                if period.status != ReflectionStatus.ACTIVE:
                    continue
                left = (period.ends_on - today).days
                due = sorted(d for d in REFLECTION_REMINDER_DAYS if left <= d)
                recorded = set(
                    ReflectionReminder.objects.filter(
                        period=period, ends_on=period.ends_on
                    ).values_list("days_before", flat=True)
                )
                new = [d for d in due if d not in recorded]
                if not new:
                    continue
                nearest = min(new)
                ReflectionReminder.objects.bulk_create(
                    ReflectionReminder(
                        period=period, ends_on=period.ends_on, days_before=d, sent=d == nearest
                    )
                    for d in new
                )
                if nearest != min(due):
                    continue  # a nearer reminder was already sent
                notify(
                    kind="reflection_period.ending",
                    message=REMINDER_MESSAGE,
                    params={"ends_on": period.ends_on, "days": left},
                    subject=period,
                    url=f"/persons/{period.person_id}/decisions/",
                    organisation=period.organisation,
                    permission="decision.record",
                )
                audit.record(
                    action="reflection_period.reminded",
                    organisation=period.organisation,
                    subject=period,
                    person_id=period.person_id,
                    changes={"ends_on": period.ends_on.isoformat(), "days_before": nearest},
                )
                sent += 1
        except IntegrityError:
            # Another run recorded this reminder first: it was sent by that run.
            continue
    return sent
