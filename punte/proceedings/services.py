"""Every write of criminal proceedings (ADR 0027, ADR 0040). One transaction each; refusals
name the field; stages only through `lifecycle.MACHINE`."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership, Organisation, OrganisationType
from punte.cases import selectors as case_selectors
from punte.cases.models import Case, TeamMember
from punte.core import audit, lifecycle
from punte.core.errors import ServiceError, uuid_or_404
from punte.core.models import Country
from punte.proceedings.lifecycle import MACHINE, OFFENDER_MACHINE
from punte.proceedings.models import (
    AgeGroup,
    Charge,
    Offender,
    OffenderStage,
    Outcome,
    Proceeding,
    ProceedingEvent,
    ProtectionMeasure,
    Stage,
    VictimRole,
)
from punte.proceedings.offences import BY_CODE

# "1234/D/P/2026", "567/P/2025", "12345/117/2026": digits, then parts of letters or digits.
FILE_NUMBER = re.compile(r"^\d{1,7}(/[A-Z0-9]{1,6}){1,4}$")
SEXES = ("female", "male", "unknown")
MAX_MONEY = Decimal("9999999999.99")
_INVESTIGATING_ROLES = {"prosecutor", "police_investigator"}


def _file_number(value: str) -> str:
    number = (value or "").strip().upper()
    if not FILE_NUMBER.match(number):
        raise ServiceError(
            "file_number",
            _("Enter the file number as the prosecution writes it, for example 1234/D/P/2026."),
        )
    return number


def _measures(values: Sequence[str]) -> list[str]:
    unknown = [v for v in values if v not in ProtectionMeasure.values]
    if unknown:
        raise ServiceError("protection_measures", _("Choose protection measures from the list."))
    return sorted(set(values))


def _money(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ServiceError(field, _("Enter an amount in lei, for example 15000.50.")) from exc
    if amount < 0 or amount > MAX_MONEY or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(
            field, _("Enter an amount in lei of at least 0, with at most two decimals.")
        )
    return amount


def _case_for_recording(actor: Membership, case_id) -> Case:
    if not actor.has_perm("proceeding.record"):
        raise Http404
    pk = uuid_or_404(case_id)
    case = (
        case_selectors.case_list_visible_to(actor=actor)
        .select_for_update(of=("self",))
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


@transaction.atomic
def proceeding_record(
    *,
    actor: Membership,
    case_id,
    file_number: str,
    prosecuting_office_id,
    victim_role: str,
    protection_measures: Sequence[str] = (),
) -> Proceeding:
    case = _case_for_recording(actor, case_id)
    number = _file_number(file_number)
    try:
        office_pk = uuid.UUID(str(prosecuting_office_id))
    except ValueError:
        office_pk = None
    office = Organisation.objects.filter(
        pk=office_pk, type=OrganisationType.PROSECUTION, is_active=True
    ).first()
    if office is None:
        raise ServiceError("prosecuting_office_id", _("Choose the prosecuting office."))
    if victim_role not in VictimRole.values:
        raise ServiceError("victim_role", _("Choose the victim's role in the proceedings."))
    proceeding = Proceeding.objects.create(
        case=case,
        file_number=number,
        prosecuting_office=office,
        victim_role=victim_role,
        protection_measures=_measures(protection_measures),
        created_by=actor.user,
        modified_by=actor.user,
    )
    ProceedingEvent.objects.create(
        proceeding=proceeding,
        to_stage=proceeding.stage,
        occurred_at=timezone.now(),
        actor=actor.user,
        organisation_id=actor.organisation_id,
    )
    audit.record(
        action="proceeding.recorded",
        actor=actor,
        subject=proceeding,
        person_id=case.person_id,
        changes={"stage": proceeding.stage, "victim_role": victim_role},
    )
    return proceeding


def _locked_for_following(actor: Membership, proceeding_id) -> Proceeding:
    """The proceeding, locked, if the actor follows it: `proceeding.manage`, and their
    organisation is its prosecuting office or manages the case, or they are on the case's team
    as a prosecutor or police investigator."""
    if not actor.has_perm("proceeding.manage"):
        raise Http404
    pk = uuid_or_404(proceeding_id)
    proceeding = (
        Proceeding.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(pk=pk)
        .first()
    )
    if proceeding is None:
        raise Http404
    case = proceeding.case
    on_team = TeamMember.objects.filter(
        TeamMember.in_force_q(timezone.localdate()),
        case=case,
        membership_id=actor.pk,
        role__in=_INVESTIGATING_ROLES,
    ).exists()
    follows = on_team or actor.organisation_id in (
        proceeding.prosecuting_office_id,
        case.owner_organisation_id,
    )
    if not follows:
        raise Http404
    return proceeding


@transaction.atomic
def proceeding_advance(
    *,
    actor: Membership,
    proceeding_id,
    stage: str,
    outcome: str = "",
    decided_on: datetime.date | None = None,
    sentence_months: int | None = None,
    compensation_ordered=None,
) -> Proceeding:
    proceeding = _locked_for_following(actor, proceeding_id)

    def update(step: lifecycle.Step):
        if step.new != Stage.FINAL:
            if outcome:
                raise ServiceError("outcome", _("An outcome is recorded with the final decision."))
            return []
        if outcome not in Outcome.values:
            raise ServiceError("outcome", _("Choose the outcome of the final decision."))
        if decided_on is None or decided_on > timezone.localdate():
            raise ServiceError(
                "decided_on", _("Enter the date of the decision, not in the future.")
            )
        if sentence_months is not None and (outcome != Outcome.CONVICTION or sentence_months < 0):
            raise ServiceError(
                "sentence_months", _("A sentence in months goes with a conviction only.")
            )
        if sentence_months is not None and sentence_months > 12 * 30:
            raise ServiceError("sentence_months", _("Enter the sentence in months, at most 360."))
        proceeding.outcome = outcome
        proceeding.decided_on = decided_on
        proceeding.sentence_months = sentence_months
        proceeding.compensation_ordered = _money(compensation_ordered, "compensation_ordered")
        return ["outcome", "decided_on", "sentence_months", "compensation_ordered"]

    def event(step: lifecycle.Step) -> None:
        ProceedingEvent.objects.create(
            proceeding=proceeding,
            from_stage=step.old,
            to_stage=step.new,
            occurred_at=step.at,
            actor=actor.user,
            organisation_id=actor.organisation_id,
        )

    def audit_entry(step: lifecycle.Step) -> lifecycle.AuditEntry:
        return lifecycle.AuditEntry(
            action="proceeding.stage_changed",
            changes={"from": step.old, "to": step.new, "outcome": proceeding.outcome or None},
            person_id=proceeding.case.person_id,
        )

    lifecycle.apply(
        MACHINE,
        actor=actor,
        to=stage,
        row=proceeding,
        update=update,
        event=event,
        audit_entry=audit_entry,
    )
    return proceeding


@transaction.atomic
def proceeding_change(
    *,
    actor: Membership,
    proceeding_id,
    victim_role: str,
    protection_measures: Sequence[str],
    compensation_paid=None,
) -> Proceeding:
    proceeding = _locked_for_following(actor, proceeding_id)
    if victim_role not in VictimRole.values:
        raise ServiceError("victim_role", _("Choose the victim's role in the proceedings."))
    paid = _money(compensation_paid, "compensation_paid")
    if paid is not None and proceeding.compensation_ordered is None:
        raise ServiceError(
            "compensation_paid",
            _("Record the compensation ordered (with the final decision) before what was paid."),
        )
    if paid is not None and paid > proceeding.compensation_ordered:
        raise ServiceError(
            "compensation_paid", _("The amount paid cannot exceed the compensation ordered.")
        )
    proceeding.victim_role = victim_role
    proceeding.protection_measures = _measures(protection_measures)
    proceeding.compensation_paid = paid
    proceeding.modified_by = actor.user
    proceeding.save(
        update_fields=[
            "victim_role",
            "protection_measures",
            "compensation_paid",
            "modified_by",
            "modified_at",
        ]
    )
    audit.record(
        action="proceeding.changed",
        actor=actor,
        subject=proceeding,
        person_id=proceeding.case.person_id,
        changes={"victim_role": victim_role, "protection_measures": proceeding.protection_measures},
    )
    return proceeding


@transaction.atomic
def charge_add(*, actor: Membership, proceeding_id, offence: str) -> Charge:
    proceeding = _locked_for_following(actor, proceeding_id)
    if offence not in BY_CODE:
        raise ServiceError("offence", _("Choose the offence from the list."))
    if proceeding.stage == Stage.FINAL:
        raise ServiceError(
            "offence", _("The proceeding is closed by a final decision."), status=409
        )
    try:
        with transaction.atomic():
            charge = Charge.objects.create(
                proceeding=proceeding, offence=offence, added_at=timezone.now()
            )
    except IntegrityError as exc:
        raise ServiceError("offence", _("This offence is already charged."), status=409) from exc
    audit.record(
        action="proceeding.charge_added",
        actor=actor,
        subject=proceeding,
        person_id=proceeding.case.person_id,
        changes={"offence": offence},
    )
    return charge


def _profile(sex: str, age_group: str, citizenship: str) -> dict:
    if sex not in SEXES:
        raise ServiceError("sex", _("Choose the sex: female, male or unknown."))
    if age_group not in AgeGroup.values:
        raise ServiceError("age_group", _("Choose the age group from the list."))
    code = (citizenship or "").strip().upper()
    if not Country.objects.filter(pk=code).exists():
        raise ServiceError("citizenship", _("Choose the citizenship from the list of countries."))
    return {"sex": sex, "age_group": age_group, "citizenship": code}


@transaction.atomic
def offender_record(
    *,
    actor: Membership,
    proceeding_id,
    sex: str,
    age_group: str,
    citizenship: str,
    name: str = "",
    stage: str = OffenderStage.SUSPECTED,
) -> Offender:
    proceeding = _locked_for_following(actor, proceeding_id)
    profile = _profile(sex, age_group, citizenship)
    if stage not in OffenderStage.values:
        raise ServiceError("stage", _("Choose the stage from the list."))
    name = (name or "").strip()
    if len(name) > 200:
        raise ServiceError("name", _("Enter at most 200 characters."))
    offender = Offender.objects.create(
        proceeding=proceeding,
        name=name or None,
        profile=profile,
        stage=stage,
        created_by=actor.user,
        modified_by=actor.user,
    )
    audit.record(
        action="offender.recorded",
        actor=actor,
        subject=offender,
        person_id=proceeding.case.person_id,
        changes={"stage": stage},
    )
    return offender


@transaction.atomic
def offender_advance(*, actor: Membership, offender_id, stage: str) -> Offender:
    pk = uuid_or_404(offender_id)
    found = Offender.objects.filter(pk=pk).values_list("proceeding_id", flat=True).first()
    if found is None:
        raise Http404
    proceeding = _locked_for_following(actor, found)
    offender = Offender.objects.select_for_update().get(pk=pk)

    def audit_entry(step: lifecycle.Step) -> lifecycle.AuditEntry:
        return lifecycle.AuditEntry(
            action="offender.stage_changed",
            changes={"from": step.old, "to": step.new},
            person_id=proceeding.case.person_id,
        )

    lifecycle.apply(OFFENDER_MACHINE, actor=actor, to=stage, row=offender, audit_entry=audit_entry)
    return offender
