"""The multidisciplinary team: membership opens this case and its person only, lapses by itself
at the end date (at read time and by the job), and restricted sections are readable only by
the roles allowed them, each read audited."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone
from freezegun import freeze_time

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases import selectors, services
from punte.cases.models import CaseEvent, TeamMember
from punte.cases.tests.factories import manager_of, open_case, team_member
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons.models import PersonAccess
from punte.identification.persons.selectors import person_list_visible_to

pytestmark = pytest.mark.django_db


def _visible(actor, case) -> bool:
    return selectors.case_list_visible_to(actor=actor).filter(pk=case.pk).exists()


def _sees_person(actor, case) -> bool:
    return person_list_visible_to(actor=actor).filter(pk=case.person_id).exists()


def test_a_member_sees_that_case_and_its_person_only():
    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation)
    other = open_case(is_child=True)
    member, _ = team_member(case, manager=manager)
    assert _visible(member, case) and _sees_person(member, case)
    assert not _visible(member, other) and not _sees_person(member, other)
    # A colleague of the member, not on the team, does not see the case (the team is people).
    colleague = MembershipFactory(organisation=member.organisation, role_code="prosecutor")
    assert not _visible(colleague, case)
    grant = PersonAccess.objects.get(
        organisation=member.organisation, person=case.person, reason="team", revoked_at=None
    )
    assert grant.expires_at is not None


def test_an_end_date_before_the_start_is_refused_naming_it_and_nothing_is_written():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    member = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.PROSECUTION), role_code="prosecutor"
    )
    today = timezone.localdate()
    with pytest.raises(ServiceError) as refused:
        services.team_member_add(
            actor=manager,
            case_id=case.pk,
            membership_id=member.pk,
            role="prosecutor",
            starts_on=today,
            ends_on=today - datetime.timedelta(days=1),
        )
    assert refused.value.field == "ends_on"
    assert not TeamMember.objects.exists()
    assert not PersonAccess.objects.filter(organisation=member.organisation).exists()
    assert not CaseEvent.objects.filter(action="member_added").exists()


def test_a_member_from_an_organisation_with_no_relation_to_the_role_is_refused():
    case = open_case()
    manager = manager_of(case.owner_organisation)
    shelter_worker = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.NGO), role_code="ngo_caseworker"
    )
    today = timezone.localdate()
    with pytest.raises(ServiceError) as refused:
        services.team_member_add(
            actor=manager,
            case_id=case.pk,
            membership_id=shelter_worker.pk,
            role="prosecutor",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=5),
        )
    assert refused.value.field == "membership_id"
    assert "no relation" in refused.value.message
    assert not TeamMember.objects.exists()


def test_membership_lapses_at_its_end_date_at_read_time_and_by_the_job():
    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation)
    start = timezone.localdate()
    member, added = team_member(case, manager=manager, days=10)
    with freeze_time(start + datetime.timedelta(days=10, hours=12)):
        # The last day is included.
        assert _visible(member, case) and _sees_person(member, case)
    with freeze_time(start + datetime.timedelta(days=11, hours=1)):
        # Past the end: no access, before any job has run.
        assert not _visible(member, case)
        assert not _sees_person(member, case)
        with pytest.raises(Http404):
            selectors.case_get(actor=member, case_id=case.pk)
        result = services.team_lapse_expired()
        assert result.lapsed == 1
        assert services.team_lapse_expired().lapsed == 0  # idempotent
    added.refresh_from_db()
    assert added.ended_at is not None
    assert not PersonAccess.objects.filter(
        organisation=member.organisation, person=case.person, reason="team", revoked_at=None
    ).exists()
    assert CaseEvent.objects.filter(case=case, action="member_lapsed").exists()
    assert AuditEvent.objects.filter(action="team_member.lapsed").exists()


def test_ending_one_membership_keeps_the_grant_of_another_from_the_same_organisation():
    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation)
    member, first = team_member(case, manager=manager, days=10)
    colleague = MembershipFactory(organisation=member.organisation, role_code="prosecutor")
    today = timezone.localdate()
    services.team_member_add(
        actor=manager,
        case_id=case.pk,
        membership_id=colleague.pk,
        role="prosecutor",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=40),
    )
    services.team_member_end(actor=manager, member_id=first.pk)
    assert not _visible(member, case)
    assert _visible(colleague, case) and _sees_person(colleague, case)
    grant = PersonAccess.objects.get(
        organisation=member.organisation, person=case.person, reason="team", revoked_at=None
    )
    assert timezone.localtime(grant.expires_at).date() == today + datetime.timedelta(days=41)


def test_restricted_sections_hidden_from_roles_not_allowed_and_every_read_audited():
    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation, role_code="child_protection_supervisor")
    prosecutor, _ = team_member(case, manager=manager)
    services.restricted_note_add(
        actor=manager, case_id=case.pk, section="psychological", text="Synthetic note A."
    )
    services.restricted_note_add(
        actor=manager, case_id=case.pk, section="sexual_history", text="Synthetic note B."
    )
    # The prosecutor on the team reads the sexual history, not the psychological notes.
    page = selectors.case_page(actor=prosecutor, case_id=case.pk)
    assert page.sections == ["sexual_history"]
    with pytest.raises(Http404):
        selectors.restricted_notes_read(actor=prosecutor, case_id=case.pk, section="psychological")
    _, notes = selectors.restricted_notes_read(
        actor=prosecutor, case_id=case.pk, section="sexual_history"
    )
    assert [n.text for n in notes] == ["Synthetic note B."]
    read = AuditEvent.objects.filter(action="case.restricted_viewed", person_id=case.person_id)
    assert read.count() == 1
    # A police investigator on the team reads none of them.
    police, _ = team_member(
        case,
        manager=manager,
        role="police_investigator",
        kind=OrganisationType.POLICE,
        role_code="police_investigator",
    )
    assert selectors.case_page(actor=police, case_id=case.pk).sections == []
    for section in ("psychological", "medical", "sexual_history"):
        with pytest.raises(Http404):
            selectors.restricted_notes_read(actor=police, case_id=case.pk, section=section)
    # The case page never carries a note's text.
    assert read.count() == 1


def test_closing_the_case_ends_the_team_and_its_access():
    from punte.cases.tests.factories import closure_requested, supervisor_of

    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation)
    member, _ = team_member(case, manager=manager)
    closure_requested(case, manager=manager)
    services.case_approve_closure(actor=supervisor_of(case.owner_organisation), case_id=case.pk)
    assert not _visible(member, case)
    assert not _sees_person(member, case)
