"""Signals in each state of their lifecycle, made through the services as in real use."""

from __future__ import annotations

from punte.accounts.models import Organisation, OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.identification.signals.models import SignalCloseReason, SignalStatus
from punte.identification.signals.services import public_report
from punte.identification.signals.services import signal as services


def create_signal(actor=None, **fields):
    """A new signal recorded by `actor` (a regional officer of a fresh organisation by default)."""
    actor = actor or MembershipFactory(role_code="regional_officer")
    data = {
        "channel": "in_person",
        "description": "Three young women brought to a car wash at night, no papers on them.",
        "county": "RO-CJ",
        "locality": "Florești",
        "exploitation_forms": ["labour"],
    }
    data.update(fields)
    return services.signal_create(actor=actor, data=services.SignalInput(**data))


def create_signal_in_triage(actor=None, **fields):
    actor = actor or MembershipFactory(role_code="regional_officer")
    signal = create_signal(actor=actor, **fields)
    return services.signal_transition(actor=actor, signal_id=signal.pk, to=SignalStatus.IN_TRIAGE)


def create_assigned_signal(actor=None, assign_to=None, **fields):
    actor = actor or MembershipFactory(role_code="regional_officer")
    assign_to = assign_to or OrganisationFactory(type=OrganisationType.POLICE)
    signal = create_signal_in_triage(actor=actor, **fields)
    return services.signal_transition(
        actor=actor, signal_id=signal.pk, to=SignalStatus.ASSIGNED, assign_to=assign_to.pk
    )


def create_closed_signal(actor=None, reason=SignalCloseReason.NO_INDICATION, **fields):
    actor = actor or MembershipFactory(role_code="regional_officer")
    signal = create_signal(actor=actor, **fields)
    return services.signal_transition(
        actor=actor, signal_id=signal.pk, to=SignalStatus.CLOSED, close_reason=reason
    )


def national_agency(county: str | None = "RO-CJ") -> tuple[Organisation, Organisation | None]:
    """The national agency and (unless county is None) its regional centre for `county`."""
    agency = OrganisationFactory(type=OrganisationType.NATIONAL_AGENCY, county=None)
    centre = None
    if county:
        centre = OrganisationFactory(
            type=OrganisationType.REGIONAL_CENTRE, county_id=county, parent=agency
        )
    return agency, centre


def create_public_report(**fields):
    data = {
        "description": "A boy of about 12 begs at the crossroads every day; a man collects the "
        "money each evening.",
        "county": "RO-CJ",
        "exploitation_forms": ["begging"],
        "language": "ro",
    }
    data.update(fields)
    return public_report.public_report_record(data=public_report.PublicReportInput(**data))
