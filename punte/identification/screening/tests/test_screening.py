import pytest
from django.http import Http404

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening import selectors
from punte.identification.screening.models import Screening
from punte.identification.screening.services import screening as services
from punte.identification.screening.tests.factories import (
    VERSION,
    completed_screening,
    start_screening,
)
from punte.identification.signals.models import Signal, SignalStatus, SignalTransition
from punte.identification.signals.services import signal as signal_services
from punte.identification.signals.services.signal import SignalPersonInput
from punte.identification.signals.tests.factories import (
    create_closed_signal,
    create_signal,
    create_signal_in_triage,
)

pytestmark = pytest.mark.django_db

# Deceived about the job (strong) and the wages (medium); excessive hours (strong) and low pay
# (medium); documents confiscated and confined (strong, strong): see test_assessment.py.
ADULT_LABOUR_VICTIM = ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-03"]


@pytest.fixture
def worker():
    return MembershipFactory(role_code="ngo_caseworker")


def test_a_full_screening_stores_the_outcome_and_what_produced_it(worker):
    draft = start_screening(worker)
    assert (draft.status, draft.is_child, draft.lists) == ("draft", False, ["adult_labour"])
    services.screening_save_answers(
        actor=worker, screening=draft, answers=dict.fromkeys(ADULT_LABOUR_VICTIM[:3], True)
    )
    services.screening_save_answers(
        actor=worker,
        screening=draft,
        answers={**dict.fromkeys(ADULT_LABOUR_VICTIM[3:], True), "AL-VD-01": False},
        catalogue_version=VERSION,
    )
    done = services.screening_complete(actor=worker, screening=draft)
    stored = Screening.objects.get(pk=done.pk)
    assert stored.status == "completed"
    assert stored.outcome == "presumed_victim"
    assert stored.completed_by == worker.user
    assert stored.result["indicators_present"] == ADULT_LABOUR_VICTIM
    present = [d["dimension"] for d in stored.result["dimensions"] if d["present"]]
    assert present == [
        "deceptive_recruitment",
        "exploitative_conditions",
        "coercion_at_destination",
    ]
    # The stored result is the engine's, reproducible from the answers and the version.
    assert services.assess_screening(stored).to_dict() == stored.result
    actions = list(
        AuditEvent.objects.filter(subject_id=str(draft.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "screening.started",
        "screening.answered",
        "screening.answered",
        "screening.completed",
    ]
    assert (
        AuditEvent.objects.filter(subject_id=str(draft.pk), person_id=draft.person_id).count() == 4
    )


def test_clearing_an_answer_with_null(worker):
    draft = start_screening(worker)
    services.screening_save_answers(actor=worker, screening=draft, answers={"AL-DR-01": True})
    services.screening_save_answers(actor=worker, screening=draft, answers={"AL-DR-01": None})
    assert Screening.objects.get(pk=draft.pk).answers == {}
    done = services.screening_complete(actor=worker, screening=draft)
    assert done.outcome == "not_indicated"


def test_insufficient_indications(worker):
    done = completed_screening(worker, ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04"])
    assert done.outcome == "insufficient_indications"


def test_a_child_is_screened_with_the_childrens_lists(worker):
    child = create_person(actor=worker, date_of_birth=None, birth_year=None, identity_unknown=True)
    with pytest.raises(ServiceError) as refused:
        start_screening(worker, child, lists=["adult_labour"])
    assert refused.value.field == "lists"
    draft = start_screening(worker, child, lists=["child_labour", "begging"])
    assert draft.is_child
    services.screening_save_answers(
        actor=worker,
        screening=draft,
        answers=dict.fromkeys(["CL-DR-01", "CL-DR-02", "CL-EX-01", "CL-EX-05"], True),
    )
    assert services.screening_complete(actor=worker, screening=draft).outcome == "presumed_victim"


def test_the_short_screen(worker):
    draft = start_screening(worker, kind="short", lists=())
    assert draft.lists == ["clinical"]
    answers = {"SS-1": "yes", "SS-2": "yes", "SS-3": "no", "SS-4": "yes", "SS-5": "no"}
    services.screening_save_answers(actor=worker, screening=draft, answers=answers)
    with pytest.raises(ServiceError) as refused:
        services.screening_complete(actor=worker, screening=draft)
    assert refused.value.field == "answers.SS-6"
    assert Screening.objects.get(pk=draft.pk).status == "draft"
    services.screening_save_answers(actor=worker, screening=draft, answers={"SS-6": "unsure"})
    done = services.screening_complete(actor=worker, screening=draft)
    assert done.outcome == "presumed_victim"
    assert done.result["yes"] == ["SS-1", "SS-2", "SS-4"]


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"XX-99": True}, "answers.XX-99"),  # unknown indicator
        ({"AS-DR-01": True}, "answers.AS-DR-01"),  # a list the screening does not use
        ({"CL-DR-01": True}, "answers.CL-DR-01"),  # the children's list
        ({"SS-1": "yes"}, "answers.SS-1"),  # the short screen's question
        ({"AL-DR-01": "yes"}, "answers.AL-DR-01"),  # not true/false
        ({}, "answers"),
    ],
)
def test_bad_answers_are_named_and_change_nothing(worker, answers, field):
    draft = start_screening(worker)
    services.screening_save_answers(actor=worker, screening=draft, answers={"AL-DR-02": True})
    with pytest.raises(ServiceError) as refused:
        services.screening_save_answers(
            actor=worker, screening=draft, answers={"AL-DR-01": True, **answers} if answers else {}
        )
    assert refused.value.field == field
    assert Screening.objects.get(pk=draft.pk).answers == {"AL-DR-02": True}


def test_answers_for_another_catalogue_version_are_refused(worker):
    draft = start_screening(worker)
    with pytest.raises(ServiceError) as refused:
        services.screening_save_answers(
            actor=worker,
            screening=draft,
            answers={"AL-DR-01": True},
            catalogue_version="ilo-ec-2009-v0",
        )
    assert refused.value.field == "catalogue_version"
    assert VERSION in refused.value.message and "ilo-ec-2009-v0" in refused.value.message
    assert Screening.objects.get(pk=draft.pk).answers == {}


def test_an_unknown_catalogue_version_or_list_is_refused(worker):
    person = create_person(actor=worker)
    start_screening(worker, person)  # loads the catalogue
    with pytest.raises(ServiceError) as refused:
        services.screening_start(
            actor=worker, person=person, kind="full", lists=["adult_labour"], catalogue_version="v9"
        )
    assert refused.value.field == "catalogue_version"
    with pytest.raises(ServiceError) as refused:
        services.screening_start(actor=worker, person=person, kind="full", lists=["poetry"])
    assert refused.value.field == "lists"
    with pytest.raises(ServiceError) as refused:
        services.screening_start(actor=worker, person=person, kind="full", lists=[])
    assert refused.value.field == "lists"


def test_a_completed_screening_is_never_changed_and_a_new_one_keeps_the_history(worker):
    person = create_person(actor=worker)
    first = completed_screening(worker, ["AL-DR-01"], person=person)
    for attempt in (
        lambda: services.screening_complete(actor=worker, screening=first),
        lambda: services.screening_save_answers(
            actor=worker, screening=first, answers={"AL-DR-02": True}
        ),
        lambda: services.screening_suspend(actor=worker, screening=first, reason="interrupted"),
    ):
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert refused.value.status == 409
        assert "completed" in refused.value.message
    stored = Screening.objects.get(pk=first.pk)
    assert (stored.outcome, stored.answers) == ("insufficient_indications", {"AL-DR-01": True})
    second = completed_screening(worker, ADULT_LABOUR_VICTIM, person=person)
    history = selectors.screenings_for_person(actor=worker, person=person)
    assert [s.pk for s in history] == [second.pk, first.pk]
    assert [s.outcome for s in history] == ["presumed_victim", "insufficient_indications"]


def test_a_draft_records_why_it_stopped_and_is_resumed_by_a_colleague(worker):
    draft = start_screening(worker)
    services.screening_save_answers(actor=worker, screening=draft, answers={"AL-DR-01": True})
    services.screening_suspend(
        actor=worker, screening=draft, reason="interpreter_needed", note="Needs Tigrinya"
    )
    colleague = MembershipFactory(role_code="ngo_caseworker", organisation=worker.organisation)
    resumed = selectors.screening_get_to_conduct(actor=colleague, screening_id=draft.pk)
    assert (resumed.draft_reason, resumed.draft_note) == ("interpreter_needed", "Needs Tigrinya")
    assert [d.pk for d in selectors.screening_drafts_for(actor=colleague)] == [draft.pk]
    services.screening_save_answers(actor=colleague, screening=resumed, answers={"AL-DR-08": True})
    done = services.screening_complete(actor=colleague, screening=resumed)
    assert done.answers == {"AL-DR-01": True, "AL-DR-08": True}
    assert done.draft_reason == ""
    assert not selectors.screening_drafts_for(actor=colleague).exists()


def test_a_bad_draft_reason_is_refused(worker):
    draft = start_screening(worker)
    with pytest.raises(ServiceError) as refused:
        services.screening_suspend(actor=worker, screening=draft, reason="bored")
    assert refused.value.field == "reason"


def test_drafts_stay_with_their_organisation_and_completed_screenings_follow_the_person(worker):
    draft = start_screening(worker)
    done = completed_screening(worker, person=draft.person)
    stranger = MembershipFactory(role_code="ngo_caseworker")
    with pytest.raises(Http404):
        selectors.screening_get_to_conduct(actor=stranger, screening_id=draft.pk)
    with pytest.raises(Http404):
        selectors.screening_get_for_view(actor=stranger, screening_id=done.pk)
    assert not selectors.screening_drafts_for(actor=stranger).exists()
    coordinator = MembershipFactory(role_code="national_coordinator")
    assert selectors.screening_get_for_view(actor=coordinator, screening_id=done.pk) == done
    with pytest.raises(Http404):
        selectors.screening_get_for_view(actor=coordinator, screening_id=draft.pk)
    assert AuditEvent.objects.filter(
        action="screening.viewed", actor_id=coordinator.user_id, person_id=done.person_id
    ).exists()


def test_a_first_responder_sees_only_the_drafts_of_persons_they_recorded(worker):
    responder = MembershipFactory(role_code="first_responder", organisation=worker.organisation)
    theirs = start_screening(responder)
    start_screening(worker)
    assert [d.pk for d in selectors.screening_drafts_for(actor=responder)] == [theirs.pk]


def test_a_role_without_the_permission_may_not_screen(worker):
    person = create_person(actor=worker)
    start_screening(worker, person)
    prosecutor = MembershipFactory(role_code="prosecutor", organisation=worker.organisation)
    with pytest.raises(ServiceError) as refused:
        services.screening_start(actor=prosecutor, person=person, kind="short")
    assert refused.value.status == 403
    assert not selectors.screening_drafts_for(actor=prosecutor).exists()


# Starting a screening moves the signals about the person on (signals' lifecycle).
def test_starting_a_screening_moves_the_organisations_open_signals_about_the_person():
    officer = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=officer)
    about = [SignalPersonInput(person_id=person.pk)]
    new = create_signal(actor=officer, people=about)
    in_triage = create_signal_in_triage(actor=officer, people=about)
    closed = create_closed_signal(actor=officer, people=about)
    someone_else = create_person(actor=officer)
    other_person = create_signal(
        actor=officer, people=[SignalPersonInput(person_id=someone_else.pk)]
    )
    # Handed to the police: theirs to take up, not the screening organisation's.
    police = OrganisationFactory(type=OrganisationType.POLICE)
    assigned = create_signal_in_triage(actor=officer, people=about)
    signal_services.signal_transition(
        actor=officer, signal_id=assigned.pk, to=SignalStatus.ASSIGNED, assign_to=police.pk
    )

    screening = start_screening(officer, person)

    status = dict(Signal.objects.values_list("pk", "status"))
    assert status[new.pk] == status[in_triage.pk] == SignalStatus.SCREENING
    assert status[closed.pk] == SignalStatus.CLOSED
    assert status[other_person.pk] == SignalStatus.NEW
    assert status[assigned.pk] == SignalStatus.ASSIGNED
    step = SignalTransition.objects.filter(signal=in_triage, to_status=SignalStatus.SCREENING).get()
    assert step.from_status == SignalStatus.IN_TRIAGE and step.actor == officer.user
    events = AuditEvent.objects.filter(
        action="signal.transitioned", changes__screening=str(screening.pk)
    )
    assert sorted(e.subject_id for e in events) == sorted([str(new.pk), str(in_triage.pk)])
    # A second screening finds nothing left to move.
    start_screening(officer, person)
    assert SignalTransition.objects.filter(to_status=SignalStatus.SCREENING).count() == 2
