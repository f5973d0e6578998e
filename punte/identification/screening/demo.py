"""Synthetic screenings, consent, decisions and a reflection period for the demo (punte/demo).

Each step goes through the services, as a user's would, so the audit trail, the worklists and
the journey show them. Idempotent: a demo person who already has what is made here is skipped.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from punte.accounts.models import Membership
from punte.core.contract import DemoStep
from punte.identification.persons.models import Person
from punte.identification.screening.catalogue.schema import CATALOGUE_DIR
from punte.identification.screening.catalogue.store import load_catalogue_file
from punte.identification.screening.models import ConsentEvent, IdentificationDecision, Screening
from punte.identification.screening.services import consent, decisions, screening

# Adults, sexual exploitation: sold into debt bondage (coercive recruitment), three medium
# exploitative conditions, dependency and an unknown area at destination (test_assessment.py).
_PRESUMED_ADULT_SEXUAL = [
    "AS-CR-01",
    "AS-CR-04",
    "AS-EX-02",
    "AS-EX-03",
    "AS-EX-04",
    "AS-VD-01",
    "AS-VD-02",
    "AS-VD-06",
]


def _person(actor: Membership, *, given=None, alias=None) -> Person | None:
    for person in Person.objects.filter(created_by=actor.user, archived_at__isnull=True):
        if (given and person.given_name == given) or (alias and alias in (person.aliases or [])):
            return person
    return None


def _screen(actor, person, *, kind, lists=(), answers=None, complete=True, stop=None) -> bool:
    if Screening.objects.filter(person=person).exists():
        return False
    draft = screening.screening_start(actor=actor, person=person, kind=kind, lists=lists)
    if answers:
        screening.screening_save_answers(actor=actor, screening=draft, answers=answers)
    if stop:
        screening.screening_suspend(actor=actor, screening=draft, reason=stop[0], note=stop[1])
    elif complete:
        screening.screening_complete(actor=actor, screening=draft)
    return True


def load(memberships: dict[str, Membership]) -> int:
    """Add the demo's mechanism records; returns how many persons received something."""
    load_catalogue_file(CATALOGUE_DIR / "ilo-ec-2009-v1.yaml")
    today = timezone.localdate()
    made = 0
    police = memberships.get("police_investigator")
    if police is not None:
        olena = _person(police, given="Olena")
        if olena is not None:
            made += _screen(
                police,
                olena,
                kind="full",
                lists=["adult_sexual"],
                answers=dict.fromkeys(_PRESUMED_ADULT_SEXUAL, True),
            )
            if not ConsentEvent.objects.filter(person=olena).exists():
                consent.consent_record(
                    actor=police,
                    person=olena,
                    purpose="referral",
                    decision="consented",
                    decided_on=today,
                    rights_language="uk",
                )
            if not IdentificationDecision.objects.filter(person=olena).exists():
                decision = decisions.decision_record(
                    actor=police,
                    person=olena,
                    outcome="presumed_victim",
                    decided_on=today - datetime.timedelta(days=80),
                    grounds="Synthetic demonstration decision.",
                    exploitation_forms=["sexual"],
                )
                # Started 80 days ago: it ends in 9 days, so the reminders and the worklist show it.
                start = today - datetime.timedelta(days=80)
                decisions.reflection_period_start(
                    actor=police,
                    person=olena,
                    starts_on=start,
                    ends_on=decisions.latest_end(start),
                    decision=decision,
                )
        sasa = _person(police, alias="Sașa")
        if sasa is not None:
            made += _screen(
                police,
                sasa,
                kind="full",
                lists=["adult_labour", "begging"],
                answers={"AL-DR-01": True},
                stop=("interpreter_needed", "Synthetic: needs an interpreter."),
            )
    clinician = memberships.get("clinician")
    if clinician is not None:
        bianca = _person(clinician, alias="Bianca")
        if bianca is not None:
            answers = dict.fromkeys(["SS-1", "SS-3", "SS-5", "SS-6"], "no")
            answers.update({"SS-2": "yes", "SS-4": "yes"})
            made += _screen(clinician, bianca, kind="short", answers=answers)
    caseworker = memberships.get("ngo_caseworker")
    if caseworker is not None:
        vasile = _person(caseworker, given="Vasile")
        if vasile is not None and not ConsentEvent.objects.filter(person=vasile).exists():
            consent.consent_record(
                actor=caseworker,
                person=vasile,
                purpose="referral",
                decision="refused",
                decided_on=today,
                rights_language="ro",
            )
            consent.anonymous_notification_from_person(
                actor=caseworker, person=vasile, exploitation_forms=["labour"], notified_on=today
            )
            made += 1
    officer = memberships.get("regional_officer")
    if officer is not None:
        ion = _person(officer, given="Ion")
        if ion is not None:
            made += _screen(
                officer,
                ion,
                kind="full",
                lists=["adult_labour"],
                answers=dict.fromkeys(["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04"], True),
            )
    return made


def _step(context) -> None:
    load(context.memberships)


DEMO = [DemoStep("identification.screening", 40, _step)]
