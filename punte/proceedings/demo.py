"""Synthetic criminal proceedings for the demo (a demo step, core.contract): the first child's
case gets a trafficking-in-minors file at the county's DIICOT office, under investigation, with
one suspect. Idempotent: a case with a proceeding is left alone."""

from __future__ import annotations

from django.db import transaction

from punte.accounts.models import Organisation, OrganisationType
from punte.cases.models import ACTIVE_STATUSES, Case
from punte.core.contract import DemoStep
from punte.proceedings import services
from punte.proceedings.models import Proceeding


def _for_the_first_child_case(memberships) -> None:
    case = (
        Case.objects.filter(is_child=True, status__in=ACTIVE_STATUSES)
        .order_by("created_at")
        .first()
    )
    if case is None or Proceeding.objects.filter(case=case).exists():
        return
    office = (
        Organisation.objects.filter(type=OrganisationType.PROSECUTION, county_id=case.county_id)
        .order_by("code")
        .first()
    )
    recorder = next(
        (
            m
            for m in memberships.values()
            if m.organisation_id == case.owner_organisation_id and m.has_perm("proceeding.record")
        ),
        None,
    )
    prosecutor = memberships.get("prosecutor")
    if office is None or recorder is None:
        return
    proceeding = services.proceeding_record(
        actor=recorder,
        case_id=case.pk,
        file_number="1207/D/P/2026",
        prosecuting_office_id=office.pk,
        victim_role="injured_party",
        protection_measures=["identity_protected", "heard_by_video"],
    )
    if prosecutor is None or prosecutor.organisation_id != office.pk:
        return
    services.proceeding_advance(
        actor=prosecutor, proceeding_id=proceeding.pk, stage="investigation"
    )
    services.charge_add(actor=prosecutor, proceeding_id=proceeding.pk, offence="trafficking_minors")
    services.offender_record(
        actor=prosecutor,
        proceeding_id=proceeding.pk,
        sex="male",
        age_group="35-44",
        citizenship="RO",
        name="Suspect fictiv",
    )


@transaction.atomic
def _step(context) -> None:
    _for_the_first_child_case(context.memberships)


DEMO = [DemoStep("proceedings", 75, _step)]
