"""Access to a person is given and ended only by persons' services, each with its audit event."""

import datetime

import pytest
from django.utils import timezone

from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent
from punte.identification.persons import selectors
from punte.identification.persons.models import PersonAccess, PersonAccessReason
from punte.identification.persons.services import person_access_grant, person_access_revoke
from punte.identification.persons.tests.factories import create_person

pytestmark = pytest.mark.django_db

REFERRAL = PersonAccessReason.REFERRAL


@pytest.fixture
def scene():
    owner = MembershipFactory(role_code="regional_officer")
    shelter = OrganisationFactory()
    reader = MembershipFactory(role_code="regional_officer", organisation=shelter)
    return {"owner": owner, "shelter": shelter, "reader": reader, "person": create_person(owner)}


def _grant(scene, **kwargs):
    return person_access_grant(
        actor=scene["owner"],
        person_id=scene["person"].pk,
        organisation_id=scene["shelter"].pk,
        reason=REFERRAL,
        **kwargs,
    )


def _opens(scene) -> bool:
    visible = selectors.person_list_visible_to(actor=scene["reader"])
    return visible.filter(pk=scene["person"].pk).exists()


def test_recording_a_person_grants_the_owner_without_a_second_event(scene):
    grant = PersonAccess.objects.get(person=scene["person"])
    assert grant.reason == PersonAccessReason.OWNER
    assert grant.organisation_id == scene["owner"].organisation_id
    assert not AuditEvent.objects.filter(action="person.access_granted").exists()


def test_a_grant_opens_the_record_names_its_source_and_is_audited_once(scene):
    source = scene["owner"]  # any model instance: a referral, a case
    grant = _grant(scene, source=source)
    assert _opens(scene)
    assert (grant.source_type, grant.source_id) == ("accounts.membership", str(source.pk))
    again = _grant(scene, source=source)
    assert again.pk == grant.pk
    event = AuditEvent.objects.get(action="person.access_granted")
    assert event.subject_type == "identification.person"
    assert event.subject_id == str(scene["person"].pk)
    assert event.changes == {
        "organisation": str(scene["shelter"].pk),
        "reason": "referral",
        "membership": str(source.pk),
    }


def test_an_expired_grant_no_longer_opens_the_record(scene):
    _grant(scene, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert not _opens(scene)


def test_granting_again_lengthens_a_grant_and_never_shortens_it(scene):
    now = timezone.now()
    grant = _grant(scene, expires_at=now + datetime.timedelta(days=1))
    _grant(scene, expires_at=now + datetime.timedelta(hours=1))
    grant.refresh_from_db()
    assert grant.expires_at == now + datetime.timedelta(days=1)
    _grant(scene, expires_at=now + datetime.timedelta(days=30))
    grant.refresh_from_db()
    assert grant.expires_at == now + datetime.timedelta(days=30)
    _grant(scene)
    grant.refresh_from_db()
    assert grant.expires_at is None
    assert PersonAccess.objects.filter(reason=REFERRAL).count() == 1
    lengthened = AuditEvent.objects.filter(action="person.access_granted", changes__lengthened=True)
    assert lengthened.count() == 2


def test_revoking_ends_the_grant_once_and_is_audited(scene):
    _grant(scene)
    revoke = {
        "actor": scene["owner"],
        "person_id": scene["person"].pk,
        "organisation_id": scene["shelter"].pk,
        "reason": REFERRAL,
    }
    assert person_access_revoke(**revoke) == 1
    assert not _opens(scene)
    assert person_access_revoke(**revoke) == 0
    event = AuditEvent.objects.get(action="person.access_revoked")
    assert event.changes == {"organisation": str(scene["shelter"].pk), "reason": "referral"}
