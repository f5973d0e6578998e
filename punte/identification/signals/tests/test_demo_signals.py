"""The demo's synthetic signals: every channel, several states, public reports for the agency."""

import pytest
from django.core.management import call_command

from punte.accounts.models import Membership
from punte.identification.signals.models import Signal, SignalChannel, SignalStatus
from punte.identification.signals.selectors import signal_worklist_for

pytestmark = pytest.mark.django_db


def test_demo_signals_cover_the_channels_and_states_and_load_once(settings):
    settings.PUNTE_DEMO = True
    call_command("load_demo", "--no-qr")
    signals = list(Signal.objects.all())
    assert len(signals) == 10
    assert {s.channel for s in signals} == set(SignalChannel.values) - {"agency_system"}
    assert {s.status for s in signals} >= {
        SignalStatus.NEW,
        SignalStatus.IN_TRIAGE,
        SignalStatus.ASSIGNED,
        SignalStatus.SCREENING,
        SignalStatus.CLOSED,
    }
    assert any(link.person_id for s in signals for link in s.people.all())
    coordinator = Membership.objects.get(user__username="national_coordinator")
    waiting = list(signal_worklist_for(actor=coordinator))
    assert {s.channel for s in waiting} == {SignalChannel.PUBLIC_REPORT}
    assert len(waiting) == 2
    call_command("load_demo", "--no-qr")
    assert Signal.objects.count() == 10
