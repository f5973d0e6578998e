"""Synthetic referrals for the demo (a demo step, core.contract): the service registry, and
referrals in every state, made through the services as users would make them.

Idempotent: a demo person who already has a referral is left alone. One referral is moved into
the past (rows updated directly, demo only) so that the overdue list and escalation show it.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from punte.accounts.models import Membership, Organisation
from punte.core.contract import DemoStep
from punte.core.errors import ServiceError
from punte.identification.persons.models import Person
from punte.identification.screening.services import consent
from punte.referrals import escalation, services
from punte.referrals.models import Referral, ReferralEvent, ServiceOffering
from punte.referrals.rules import load_default_rules

# organisation code | service | counties
_REGISTRY = [
    ("ngo-adapost-sigur", "shelter", ["RO-CJ"]),
    ("ngo-adapost-sigur", "reintegration", ["RO-CJ", "RO-BH"]),
    ("ngo-pasi-noi", "shelter", ["RO-IS"]),
    ("ngo-pasi-noi", "vocational", ["RO-IS"]),
    ("ngo-drum-acasa", "shelter", ["RO-B"]),
    ("ngo-drum-acasa", "legal_aid", ["RO-B", "RO-IF"]),
    ("sp-echilibru", "psychological", ["RO-CJ"]),
    ("sp-lingua", "interpretation", ["RO-B", "RO-CJ", "RO-IS", "RO-CT"]),
    ("scju-cj", "medical", ["RO-CJ"]),
    ("scju-is", "medical", ["RO-IS"]),
    ("scju-ct", "medical", ["RO-CT"]),
    ("intl-migration", "repatriation", ["RO-B", "RO-IS", "RO-TM"]),
    ("intl-migration", "documents", ["RO-B"]),
]


def _registry() -> int:
    made = 0
    for code, service, counties in _REGISTRY:
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            continue
        for county in counties:
            _, created = ServiceOffering.objects.get_or_create(
                organisation=organisation,
                service=service,
                county_id=county,
                archived_at=None,
            )
            made += created
    return made


def _person(actor: Membership, *, given=None, alias=None) -> Person | None:
    for person in Person.objects.filter(created_by=actor.user, archived_at__isnull=True):
        if (given and person.given_name == given) or (alias and alias in (person.aliases or [])):
            return person
    return None


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def _send(actor, person, county, wanted: list[tuple[str, str, str]], note=None) -> list:
    """wanted: (receiver code, "rule" | "service", rule code or service)."""
    requests = [
        services.ReferralRequest(_org(code).pk, rule_code=value)
        if kind == "rule"
        else services.ReferralRequest(_org(code).pk, service=value)
        for code, kind, value in wanted
    ]
    return services.referrals_send(
        actor=actor, person=person, county_code=county, requests=requests, note=note
    ).referrals


def _backdate(referral: Referral, days: int) -> None:
    shift = datetime.timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=referral.created_at - shift, due_at=referral.due_at - shift
    )
    for event in ReferralEvent.objects.filter(referral=referral):
        ReferralEvent.objects.filter(pk=event.pk).update(
            occurred_at=event.occurred_at - shift,
            due_at=event.due_at - shift if event.due_at else None,
        )


@transaction.atomic
def _clinician_child(m: dict[str, Membership]) -> None:
    """The emergency physician's patient (about 17): DGASPC, prosecutor, regional centre."""
    person = _person(m["clinician"], alias="Bianca")
    if person is None or Referral.objects.filter(person=person).exists():
        return
    dgaspc, diicot, centre = _send(
        m["clinician"],
        person,
        "RO-CJ",
        [
            ("dgaspc-cj", "rule", "child-protection"),
            ("diicot-cj", "rule", "child-prosecutor"),
            ("anitp-cr-cluj-napoca", "rule", "regional-centre"),
        ],
        note="Came to the emergency room alone; says she was made to beg in Cluj.",
    )
    services.referral_accept(actor=m["prosecutor"], referral_id=diicot.pk)
    services.referral_accept(actor=m["regional_officer"], referral_id=centre.pk)
    # dgaspc stays "sent": it waits in DGASPC Cluj's worklist.


@transaction.atomic
def _dgaspc_child(m: dict[str, Membership]) -> None:
    """A child the DGASPC itself found: no referral to itself; the prosecutor rejects (another
    territorial service is competent), the regional centre's answer is overdue."""
    person = _person(m["child_protection_officer"], given="Andreea")
    if person is None or Referral.objects.filter(person=person).exists():
        return
    diicot, centre, shelter = _send(
        m["child_protection_officer"],
        person,
        "RO-CJ",
        [
            ("diicot-cj", "rule", "child-prosecutor"),
            ("anitp-cr-cluj-napoca", "rule", "regional-centre"),
            ("ngo-adapost-sigur", "service", "shelter"),
        ],
    )
    services.referral_reject(
        actor=m["prosecutor"],
        referral_id=diicot.pk,
        reason="The offence was committed in Iași: refer to DIICOT Iași.",
    )
    services.referral_accept(actor=m["ngo_caseworker"], referral_id=shelter.pk)
    services.referral_complete(actor=m["ngo_caseworker"], referral_id=shelter.pk)
    _backdate(centre, days=3)


@transaction.atomic
def _foreign_adults(m: dict[str, Membership]) -> None:
    olena = _person(m["police_investigator"], given="Olena")
    if olena is not None and not Referral.objects.filter(person=olena).exists():
        try:
            igi, centre, shelter = _send(
                m["police_investigator"],
                olena,
                "RO-CJ",
                [
                    ("igi", "rule", "foreign-immigration"),
                    ("anitp-cr-cluj-napoca", "rule", "regional-centre"),
                    ("ngo-adapost-sigur", "service", "shelter"),
                ],
            )
        except ServiceError:  # no recorded consent in this demo database
            pass
        else:
            services.referral_accept(actor=m["regional_officer"], referral_id=centre.pk)
            services.referral_accept(actor=m["ngo_caseworker"], referral_id=shelter.pk)
    # Vasile refused consent (screening/demo.py): he is counted anonymously, never referred.
    natalia = _person(m["ngo_caseworker"], given="Natalia")
    if natalia is not None and not Referral.objects.filter(person=natalia).exists():
        if consent.referral_consent_state(natalia, timezone.localdate()) == "not_asked":
            consent.consent_record(
                actor=m["ngo_caseworker"],
                person=natalia,
                purpose="referral",
                decision="consented",
                decided_on=timezone.localdate(),
                rights_language="uk",
            )
        (psychological,) = _send(
            m["ngo_caseworker"], natalia, "RO-CJ", [("sp-echilibru", "service", "psychological")]
        )
        services.referral_accept(actor=m["service_provider"], referral_id=psychological.pk)
        services.referral_withdraw(
            actor=m["ngo_caseworker"],
            referral_id=psychological.pk,
            reason="She moved to Iași; referred there instead.",
        )


def load(memberships: dict[str, Membership]) -> int:
    """The registry and the demo referrals; returns how many referrals exist afterwards."""
    load_default_rules()
    _registry()
    _clinician_child(memberships)
    _dgaspc_child(memberships)
    _foreign_adults(memberships)
    escalation.referrals_escalate_overdue(now=timezone.now())
    return Referral.objects.count()


def _step(context) -> None:
    load(context.memberships)


DEMO = [DemoStep("referrals", 50, _step)]
