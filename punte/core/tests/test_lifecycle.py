"""The state machine table: which move it holds, and the refusal naming the allowed next states.
`apply` itself is exercised through the apps that use it (referrals: test_lifecycle,
test_accept_concurrent)."""

import pytest

from punte.core.errors import ServiceError
from punte.core.lifecycle import StateMachine, Transition, TransitionNotAllowed

LABELS = {"new": "New", "open": "Open", "closed": "Closed"}

MACHINE = StateMachine(
    transitions={
        "new": {"open": Transition("thing.open"), "closed": Transition(needs_reason=True)},
        "open": {"closed": Transition(needs_reason=True)},
        "closed": {},
    },
    label=LABELS.__getitem__,
    refusal="It is %(current)s: not %(wanted)s. Allowed now: %(allowed)s.",
)


def test_the_table_answers_what_may_follow():
    assert MACHINE.allowed_next("new") == ["open", "closed"]
    assert MACHINE.allowed_next("closed") == []
    assert MACHINE.check("new", "open") == Transition("thing.open")
    assert MACHINE.permission_for("open") == "thing.open"
    assert MACHINE.known() == ("open", "closed")


def test_a_move_the_table_does_not_hold_is_a_409_naming_the_allowed_states():
    with pytest.raises(TransitionNotAllowed) as refused:
        MACHINE.check("open", "new")
    error = refused.value
    assert isinstance(error, ServiceError)  # the API's problem+json, pages' form error
    assert (error.status, error.field) == (409, "status")
    assert (error.current, error.wanted, error.allowed) == ("open", "new", ["closed"])
    assert error.message == "It is Open: not New. Allowed now: Closed."
    with pytest.raises(TransitionNotAllowed, match="Allowed now: none"):
        MACHINE.check("closed", "open")


def test_an_unknown_status_is_an_input_error():
    with pytest.raises(ServiceError) as refused:
        MACHINE.check_known("archived")
    assert (refused.value.status, refused.value.field) == (422, "status")


def test_a_table_of_sets_keeps_each_apps_message_field_and_status():
    signals = StateMachine.from_sets(
        {"new": {"closed", "assigned"}, "assigned": {"assigned", "closed"}, "closed": set()},
        label=str.upper,
        refusal=lambda row, current, wanted, allowed: f"{current}>{wanted}? {'|'.join(allowed)}",
        field="to",
        refusal_status=422,
    )
    assert signals.allowed_next("new") == ["assigned", "closed"]  # sorted, not set order
    with pytest.raises(TransitionNotAllowed) as refused:
        signals.check("closed", "new")
    assert refused.value.message == "closed>new? "
    assert (refused.value.status, refused.value.field) == (422, "to")
    with pytest.raises(TransitionNotAllowed) as refused:
        signals.check("assigned", "new")
    assert refused.value.message == "assigned>new? ASSIGNED|CLOSED"
