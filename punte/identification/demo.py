"""Identification's demo steps (core.contract): signals, then screenings, consent and decisions."""

from punte.core.contract import DemoStep
from punte.identification import demo_mechanism
from punte.identification.demo_signals import load_signals


def _signals(context) -> None:
    context.summary.signals += load_signals(context.memberships)


def _mechanism(context) -> None:
    demo_mechanism.load(context.memberships)


DEMO = [
    DemoStep("identification.signals", 30, _signals),
    DemoStep("identification.mechanism", 40, _mechanism),
]
