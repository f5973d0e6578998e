"""Synthetic signals for the demonstration (punte.demo): every channel, every state of the
lifecycle, public reports waiting for the national agency. Everything here is invented.

Loading is idempotent: each signal carries a demo key in `external_reference`.
"""

from __future__ import annotations

from dataclasses import dataclass

from punte.accounts.models import Membership, Organisation
from punte.core.contract import DemoStep
from punte.identification.persons.models import Person
from punte.identification.signals.models import Signal, SignalStatus
from punte.identification.signals.services import public_report
from punte.identification.signals.services import signal as services


@dataclass(frozen=True)
class DemoSignal:
    key: str
    recorder: str | None  # demo username, or None for a public report
    channel: str
    county: str | None
    locality: str
    forms: tuple[str, ...]
    description: str
    people: tuple[str, ...] = ()
    # The person of the demo (by family name or alias) the signal is about, if recorded.
    person: str | None = None
    # Steps after recording: "in_triage", "screening", "assigned:<org code>", "closed:<reason>".
    steps: tuple[str, ...] = ()


SIGNALS = [
    DemoSignal(
        "demo-signal-01",
        "regional_officer",
        "hotline",
        "RO-CJ",
        "Florești",
        ("labour",),
        "Caller reports six men living in containers on a building site, working 14-hour days; "
        "the foreman keeps their identity cards.",
        people=("man, about 40, speaks Romanian", "five other men, ages unknown"),
        steps=("in_triage", "assigned:itm-cj"),
    ),
    DemoSignal(
        "demo-signal-02",
        "police_investigator",
        "in_person",
        "RO-CJ",
        "Cluj-Napoca",
        ("sexual",),
        "During a check at a rented flat, a young woman said her 'boyfriend' takes all the money "
        "she earns from clients and she cannot leave.",
        person="Kovalenko",
        steps=("in_triage", "screening"),
    ),
    DemoSignal(
        "demo-signal-03",
        "child_protection_officer",
        "helpline_119",
        "RO-CJ",
        "Turda",
        ("begging",),
        "A teacher called 119: a 13-year-old pupil has missed school for weeks and was seen "
        "begging near the railway station with an adult who is not a relative.",
        person="Moraru",
        steps=("in_triage",),
    ),
    DemoSignal(
        "demo-signal-04",
        "cyber_investigator",
        "online_detection",
        None,
        "",
        ("sexual",),
        "The same phone number appears in escort ads in Cluj, Iași and Constanța with photos of "
        "different young women; the text template is identical.",
    ),
    DemoSignal(
        "demo-signal-05",
        "clinician",
        "in_person",
        "RO-CJ",
        "Cluj-Napoca",
        ("labour", "sexual"),
        "Emergency department: a girl of about 17 with untreated injuries, accompanied by a man "
        "who answered every question for her.",
        person="Bianca",
    ),
    DemoSignal(
        "demo-signal-06",
        "ngo_caseworker",
        "in_person",
        "RO-CJ",
        "Cluj-Napoca",
        ("forced_marriage",),
        "A 16-year-old told a counsellor that her family has arranged her marriage next month to "
        "a man she has never met, in exchange for money.",
        steps=("in_triage", "screening"),
    ),
    DemoSignal(
        "demo-signal-07",
        "first_responder",
        "in_person",
        "RO-IS",
        "Sculeni",
        ("labour",),
        "At the border crossing, a minibus with eight Ukrainian women going to 'farm work' in "
        "Italy; the driver holds their passports and contracts in Romanian only.",
        people=("eight women, 20 to 35 years old, speak Ukrainian",),
        steps=("closed:no_indication",),
    ),
    DemoSignal(
        "demo-signal-08",
        None,
        "public_report",
        "RO-CJ",
        "Gherla",
        ("labour",),
        "My neighbours' house has become a dormitory for about ten young men who leave at dawn "
        "in a van and come back at night; they look exhausted and never go out alone.",
        people=("about ten young men",),
    ),
    DemoSignal(
        "demo-signal-09",
        None,
        "public_report",
        None,
        "",
        ("begging",),
        "Every morning a woman drops off three small children at the market entrance and "
        "collects them and the money they begged in the evening.",
        people=("three children, about 5 to 9",),
    ),
    DemoSignal(
        "demo-signal-10",
        None,
        "public_report",
        "RO-IS",
        "Iași",
        ("sexual",),
        "An online ad offers 'work abroad as a hostess, no experience, travel paid'; a friend of "
        "my daughter (17) was contacted privately after answering it.",
        steps=("in_triage",),
    ),
]


def _organisation(code: str) -> Organisation | None:
    return Organisation.objects.filter(code=code).first()


def _apply_steps(signal: Signal, steps: tuple[str, ...], actor: Membership) -> None:
    for step in steps:
        to, _, argument = step.partition(":")
        extra = {}
        if to == SignalStatus.ASSIGNED:
            target = _organisation(argument)
            if target is None:
                return
            extra["assign_to"] = target.pk
        if to == SignalStatus.CLOSED:
            extra["close_reason"] = argument
        signal = services.signal_transition(actor=actor, signal_id=signal.pk, to=to, **extra)


def _person(actor: Membership, name: str) -> Person | None:
    for person in Person.objects.filter(
        created_by=actor.user, owner_organisation=actor.organisation
    ):
        if name == person.family_name or name in (person.aliases or []):
            return person
    return None


def load_signals(memberships: dict[str, Membership]) -> int:
    """Record the demo signals that are not there yet; the number recorded."""
    # The reference is encrypted: compared here, not in SQL (a demo holds a few dozen signals).
    present = {
        reference
        for reference in Signal.objects.filter(external_reference__isnull=False).values_list(
            "external_reference", flat=True
        )
        if reference.startswith("demo-signal-")
    }
    agency_triager = memberships.get("national_coordinator")
    created = 0
    for demo in SIGNALS:
        if demo.key in present:
            continue
        common = {
            "county": demo.county,
            "locality": demo.locality or None,
            "exploitation_forms": list(demo.forms),
            "description": demo.description,
        }
        if demo.recorder is None:
            signal = public_report.public_report_record(
                data=public_report.PublicReportInput(
                    **common, people_description="; ".join(demo.people) or None, language="ro"
                )
            )
            Signal.objects.filter(pk=signal.pk).update(external_reference=demo.key)
            actor = _triager_for(signal, memberships) or agency_triager
        else:
            actor = memberships.get(demo.recorder)
            if actor is None or not actor.has_perm("signal.create"):
                continue
            people = [services.SignalPersonInput(description=d) for d in demo.people]
            person = _person(actor, demo.person) if demo.person else None
            if person is not None:
                people.insert(0, services.SignalPersonInput(person_id=person.pk))
            signal = services.signal_create(
                actor=actor,
                data=services.SignalInput(
                    channel=demo.channel, people=people, external_reference=demo.key, **common
                ),
            )
        if actor is not None:
            _apply_steps(signal, demo.steps, actor)
        created += 1
    return created


def _triager_for(signal: Signal, memberships: dict[str, Membership]) -> Membership | None:
    for membership in memberships.values():
        if membership.organisation_id == signal.responsible_organisation_id and membership.has_perm(
            "signal.triage"
        ):
            return membership
    return None


def _step(context) -> None:
    context.summary.signals += load_signals(context.memberships)


DEMO = [DemoStep("identification.signals", 30, _step)]
