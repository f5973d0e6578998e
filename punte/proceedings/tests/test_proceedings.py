"""Criminal proceedings: linked by the case manager, followed by the prosecution, stages forward
only, the outcome with the final decision, suspects encrypted and their names shown only to
those who follow proceedings; every refusal names its field and writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from punte.accounts.tests.factories import MembershipFactory
from punte.cases.tests.factories import open_case, team_member
from punte.core.audit import AuditEvent
from punte.core.errors import ServiceError
from punte.core.lifecycle import TransitionNotAllowed
from punte.proceedings import services
from punte.proceedings.models import Offender, Proceeding, ProceedingEvent
from punte.proceedings.tests.factories import prosecution_office, prosecutor_of, recorded
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _refused(field, call, status=422):
    before = (
        Proceeding.objects.count(),
        ProceedingEvent.objects.count(),
        Offender.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ServiceError) as refused:
        call()
    assert refused.value.field == field, refused.value.message
    assert refused.value.status == status
    after = (
        Proceeding.objects.count(),
        ProceedingEvent.objects.count(),
        Offender.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    return refused.value


def test_the_case_manager_links_a_proceeding_and_it_is_audited_against_the_person():
    proceeding = recorded()
    assert proceeding.stage == "complaint"
    event = AuditEvent.objects.get(action="proceeding.recorded")
    assert event.person_id == proceeding.case.person_id
    assert proceeding.events.get().to_stage == "complaint"


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("file_number", {"file_number": "see the file"}),
        ("file_number", {"file_number": ""}),
        ("prosecuting_office_id", {"prosecuting_office_id": "not-an-id"}),
        ("victim_role", {"victim_role": "suspect"}),
        ("protection_measures", {"protection_measures": ["bodyguard"]}),
    ],
)
def test_bad_input_when_linking_is_refused_naming_the_field(field, change):
    case = open_case(is_child=True)
    manager = case.created_by.memberships.get()
    arguments = {
        "actor": manager,
        "case_id": case.pk,
        "file_number": "1234/D/P/2026",
        "prosecuting_office_id": prosecution_office().pk,
        "victim_role": "injured_party",
        **change,
    }
    _refused(field, lambda: services.proceeding_record(**arguments))


def test_an_office_that_is_not_a_prosecution_is_refused():
    from punte.accounts.tests.factories import OrganisationFactory

    case = open_case(is_child=True)
    _refused(
        "prosecuting_office_id",
        lambda: services.proceeding_record(
            actor=case.created_by.memberships.get(),
            case_id=case.pk,
            file_number="1/P/2026",
            prosecuting_office_id=OrganisationFactory(type="ngo").pk,
            victim_role="witness",
        ),
    )


def test_the_prosecuting_office_follows_the_proceeding_without_being_on_the_team():
    proceeding = recorded()
    prosecutor = prosecutor_of(proceeding.prosecuting_office)
    services.proceeding_advance(
        actor=prosecutor, proceeding_id=proceeding.pk, stage="investigation"
    )
    services.charge_add(actor=prosecutor, proceeding_id=proceeding.pk, offence="trafficking_minors")
    proceeding.refresh_from_db()
    assert proceeding.stage == "investigation"
    assert list(proceeding.charges.values_list("offence", flat=True)) == ["trafficking_minors"]
    assert [e.to_stage for e in proceeding.events.all()] == ["complaint", "investigation"]


def test_a_prosecutor_on_the_case_s_team_follows_it_too_and_a_stranger_does_not():
    case = open_case(is_child=True)
    manager = case.created_by.memberships.get()
    on_team, _member = team_member(case, manager=manager)
    proceeding = recorded(case=case)
    services.proceeding_advance(actor=on_team, proceeding_id=proceeding.pk, stage="investigation")
    stranger = prosecutor_of(prosecution_office())
    with pytest.raises(Http404):
        services.proceeding_advance(actor=stranger, proceeding_id=proceeding.pk, stage="indictment")


def test_the_case_manager_may_link_but_not_follow():
    proceeding = recorded()
    manager = proceeding.case.created_by.memberships.get()
    with pytest.raises(Http404):
        services.charge_add(actor=manager, proceeding_id=proceeding.pk, offence="pimping")


def test_stages_move_forward_only_and_say_which_may_follow():
    proceeding = recorded()
    prosecutor = prosecutor_of(proceeding.prosecuting_office)
    with pytest.raises(TransitionNotAllowed) as skipped:
        services.proceeding_advance(actor=prosecutor, proceeding_id=proceeding.pk, stage="trial")
    assert skipped.value.status == 409
    assert skipped.value.allowed == ["investigation", "final"]


def test_the_final_decision_needs_its_outcome_and_date_and_a_sentence_only_with_conviction():
    proceeding = recorded()
    prosecutor = prosecutor_of(proceeding.prosecuting_office)
    for stage in ("investigation", "indictment", "trial"):
        services.proceeding_advance(actor=prosecutor, proceeding_id=proceeding.pk, stage=stage)

    def final(**kwargs):
        return lambda: services.proceeding_advance(
            actor=prosecutor, proceeding_id=proceeding.pk, stage="final", **kwargs
        )

    _refused("outcome", final(decided_on=TODAY()))
    _refused("decided_on", final(outcome="conviction"))
    _refused(
        "decided_on", final(outcome="conviction", decided_on=TODAY() + datetime.timedelta(days=1))
    )
    _refused("sentence_months", final(outcome="acquittal", decided_on=TODAY(), sentence_months=12))
    _refused(
        "compensation_ordered",
        final(outcome="conviction", decided_on=TODAY(), compensation_ordered="10.001"),
    )
    final(
        outcome="conviction", decided_on=TODAY(), sentence_months=84, compensation_ordered="25000"
    )()
    proceeding.refresh_from_db()
    assert (proceeding.stage, proceeding.outcome, proceeding.sentence_months) == (
        "final",
        "conviction",
        84,
    )
    assert proceeding.compensation_ordered == Decimal("25000.00")
    _refused(
        "compensation_paid",
        lambda: services.proceeding_change(
            actor=prosecutor,
            proceeding_id=proceeding.pk,
            victim_role="civil_party",
            protection_measures=[],
            compensation_paid="30000",
        ),
    )
    services.proceeding_change(
        actor=prosecutor,
        proceeding_id=proceeding.pk,
        victim_role="civil_party",
        protection_measures=[],
        compensation_paid="12000.50",
    )
    proceeding.refresh_from_db()
    assert proceeding.compensation_paid == Decimal("12000.50")
    _refused(
        "offence",
        lambda: services.charge_add(
            actor=prosecutor, proceeding_id=proceeding.pk, offence="pimping"
        ),
        status=409,
    )


def test_a_charge_is_from_the_catalogue_and_only_once():
    proceeding = recorded()
    prosecutor = prosecutor_of(proceeding.prosecuting_office)
    _refused(
        "offence",
        lambda: services.charge_add(actor=prosecutor, proceeding_id=proceeding.pk, offence="theft"),
    )
    services.charge_add(
        actor=prosecutor, proceeding_id=proceeding.pk, offence="trafficking_persons"
    )
    _refused(
        "offence",
        lambda: services.charge_add(
            actor=prosecutor, proceeding_id=proceeding.pk, offence="trafficking_persons"
        ),
        status=409,
    )


def test_suspects_are_encrypted_at_rest_and_validated():
    proceeding = recorded()
    prosecutor = prosecutor_of(proceeding.prosecuting_office)
    _refused(
        "citizenship",
        lambda: services.offender_record(
            actor=prosecutor,
            proceeding_id=proceeding.pk,
            sex="male",
            age_group="25-34",
            citizenship="XX",
        ),
    )
    _refused(
        "sex",
        lambda: services.offender_record(
            actor=prosecutor,
            proceeding_id=proceeding.pk,
            sex="x",
            age_group="25-34",
            citizenship="RO",
        ),
    )
    offender = services.offender_record(
        actor=prosecutor,
        proceeding_id=proceeding.pk,
        sex="male",
        age_group="25-34",
        citizenship="MD",
        name="Vasile Suspectul",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, profile FROM proceedings_offender WHERE id = %s",
            [offender.pk.hex if connection.vendor == "sqlite" else offender.pk],
        )
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert "Vasile" not in raw and "MD" not in raw
    services.offender_advance(actor=prosecutor, offender_id=offender.pk, stage="prosecuted")
    with pytest.raises(TransitionNotAllowed):
        services.offender_advance(actor=prosecutor, offender_id=offender.pk, stage="suspected")


def test_only_those_who_follow_proceedings_read_suspects_names():
    proceeding = recorded()
    prosecutor = prosecutor_of(proceeding.prosecuting_office)
    services.offender_record(
        actor=prosecutor,
        proceeding_id=proceeding.pk,
        sex="female",
        age_group="45-54",
        citizenship="RO",
        name="Ana Suspecta",
    )
    manager = proceeding.case.created_by.memberships.get()
    as_manager = ApiClient(manager).get(f"/proceedings/{proceeding.pk}").json()
    as_prosecutor = ApiClient(prosecutor).get(f"/proceedings/{proceeding.pk}").json()
    assert as_manager["offenders"][0]["name"] is None
    assert as_manager["offenders"][0]["citizenship"] == "RO"
    assert as_prosecutor["offenders"][0]["name"] == "Ana Suspecta"
    page = verified_client(manager.user).get(reverse("proceedings:detail", args=[proceeding.pk]))
    assert "Ana Suspecta" not in page.content.decode()
    assert "Romania" in page.content.decode()


def test_pages_link_follow_and_show_errors_beside_their_field():
    case = open_case(is_child=True)
    manager = case.created_by.memberships.get()
    office = prosecution_office()
    client = verified_client(manager.user)
    url = reverse("proceedings:case_proceedings", args=[case.pk])
    assert client.get(url).status_code == 200
    refused = client.post(
        url, {"file_number": "nope", "prosecuting_office": office.pk, "victim_role": "witness"}
    )
    assert refused.status_code == 200 and "1234/D/P/2026" in refused.content.decode()
    done = client.post(
        url, {"file_number": "88/P/2026", "prosecuting_office": office.pk, "victim_role": "witness"}
    )
    proceeding = Proceeding.objects.get()
    assert done.status_code == 302
    prosecutor = prosecutor_of(office)
    follow = verified_client(prosecutor.user)
    stage_url = reverse("proceedings:follow", args=[proceeding.pk, "stage"])
    skipped = follow.post(stage_url, {"stage": "trial"})
    assert skipped.status_code == 200
    assert follow.post(stage_url, {"stage": "investigation"}).status_code == 302
    proceeding.refresh_from_db()
    assert proceeding.stage == "investigation"


def test_every_proceedings_page_is_not_found_for_another_organisation():
    proceeding = recorded()
    stranger = MembershipFactory(role_code="prosecutor")
    client = verified_client(stranger.user)
    for url in (
        reverse("proceedings:case_proceedings", args=[proceeding.case_id]),
        reverse("proceedings:detail", args=[proceeding.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("proceedings:follow", args=[proceeding.pk, "charge"]), {"offence": "pimping"}
        ).status_code
        == 404
    )
