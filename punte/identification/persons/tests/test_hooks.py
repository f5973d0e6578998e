"""Persons announce a recorded person and a changed identity once committed, and only then."""

import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons import hooks, services
from punte.identification.persons.tests.factories import create_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def listen(signal):
        def receiver(sender, **kwargs):
            calls.append((signal, kwargs))

        return receiver

    recorded, changed = listen("recorded"), listen("identity_changed")
    hooks.person_recorded.connect(recorded)
    hooks.person_identity_changed.connect(changed)
    yield calls
    hooks.person_recorded.disconnect(recorded)
    hooks.person_identity_changed.disconnect(changed)


def _edit(actor, person, **fields):
    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "sex": person.sex,
        "citizenships": person.citizenship_codes,
        "notes": person.notes,
    } | fields
    return services.person_update(
        actor=actor, person_id=person.pk, data=services.PersonInput(**data)
    )


def test_a_recorded_person_is_announced_after_the_commit(heard, django_capture_on_commit_callbacks):
    actor = MembershipFactory(role_code="regional_officer")
    with django_capture_on_commit_callbacks() as callbacks:
        person = create_person(actor=actor)
    assert [signal for signal, _ in heard] == []
    for callback in callbacks:
        callback()
    assert heard == [("recorded", {"signal": hooks.person_recorded, "person_id": str(person.pk)})]


def test_a_changed_identity_is_announced_with_the_fields_that_changed(
    heard, django_capture_on_commit_callbacks
):
    actor = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=actor, given_name="Ana", family_name="Pop")
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _edit(actor, person, family_name="Popa", sex="male", notes="Seen at the station.")
    assert heard == [
        (
            "identity_changed",
            {
                "signal": hooks.person_identity_changed,
                "person_id": str(person.pk),
                "fields": frozenset({"family_name", "sex"}),
            },
        )
    ]


def test_a_change_that_does_not_say_who_the_person_is_announces_nothing(
    heard, django_capture_on_commit_callbacks
):
    actor = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=actor)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _edit(actor, person, notes="Prefers to be called by her second name.")
    assert callbacks == [] and heard == []
