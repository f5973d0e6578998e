"""The review pages: 404 without linkage.review, audited reads, decisions and separation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from punte.accounts.models import RolePermission
from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.linkage.models import LinkageState, PersonLink, ReviewPair, ReviewStatus
from punte.linkage.tests.db_factories import (
    background_persons,
    install_model,
    make_linked_record,
    make_review_pair,
)
from punte.testing.web import verified_client


@pytest.fixture
def analyst():
    return MembershipFactory(role_code="data_analyst")


def urls(pair, record) -> list[str]:
    national = PersonLink.objects.get(person=record).national_person_id
    return [
        reverse("linkage:review_queue"),
        reverse("linkage:review_pair", args=[pair.pk]),
        reverse("linkage:national_person", args=[national]),
        reverse("linkage:separate", args=[record.pk]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role_code", ["national_coordinator", "regional_officer", "system_admin", "auditor"]
)
def test_every_page_is_404_without_the_permission(role_code):
    pair, record = make_review_pair(), make_linked_record()
    client = verified_client(MembershipFactory(role_code=role_code).user)
    for url in urls(pair, record):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("linkage:review_pair", args=[pair.pk]), {"decision": "accept", "reason": "x"}
    )
    assert response.status_code == 404
    assert client.post(reverse("linkage:relink")).status_code == 404
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.PENDING
    assert not AuditEvent.objects.filter(action="person.viewed").exists()
    assert "Record linkage" not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_analyst_sees_the_queue_without_names_and_a_pair_with_them(analyst):
    pair = make_review_pair()
    client = verified_client(analyst.user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("linkage:review_queue") in home

    queue = client.get(reverse("linkage:review_queue"))
    assert queue.status_code == 200
    page = queue.content.decode()
    assert reverse("linkage:review_pair", args=[pair.pk]) in page
    assert "Ilinca" not in page and "0.800" in page
    assert not AuditEvent.objects.filter(action="person.viewed").exists()

    detail = client.get(reverse("linkage:review_pair", args=[pair.pk])).content.decode()
    assert "Pârvu" in detail and "Parvu" in detail
    assert "the same, letter for letter" in detail
    assert AuditEvent.objects.filter(action="person.viewed").count() == 2


@pytest.mark.django_db
def test_deciding_on_the_pair_page(analyst):
    pair = make_review_pair()
    client = verified_client(analyst.user)
    url = reverse("linkage:review_pair", args=[pair.pk])

    missing = client.post(url, {"decision": "reject"})
    assert missing.status_code == 422
    page = missing.content.decode()
    assert 'class="error-summary"' in page and "Give the reason for the decision." in page
    assert 'aria-invalid="true"' in page
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.PENDING

    done = client.post(url, {"decision": "reject", "reason": "Different fathers."})
    assert done.status_code == 302 and done["Location"] == reverse("linkage:review_queue")
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.REJECTED
    shown = client.get(url).content.decode()
    assert "Different fathers." in shown and 'name="decision"' not in shown


@pytest.mark.django_db
def test_separating_from_the_national_person_page(analyst):
    record = make_linked_record()
    national = PersonLink.objects.get(person=record).national_person_id
    client = verified_client(analyst.user)
    page = client.get(reverse("linkage:national_person", args=[national])).content.decode()
    assert "Sorin" in page and "SORIN" in page
    assert reverse("linkage:separate", args=[record.pk]) in page
    assert AuditEvent.objects.filter(action="person.viewed").count() == 2

    url = reverse("linkage:separate", args=[record.pk])
    assert client.post(url, {"reason": ""}).status_code == 422
    response = client.post(url, {"reason": "A cousin with the same name."})
    assert response.status_code == 302
    assert PersonLink.objects.get(person=record).national_person_id != national
    refused = client.post(url, {"reason": "Again."})
    assert refused.status_code == 422
    assert "not linked to any other record" in refused.content.decode()


@pytest.mark.django_db
def test_an_analyst_may_start_a_relink_which_the_worker_runs(analyst):
    record = make_linked_record()
    background_persons()
    install_model()
    client = verified_client(analyst.user)
    page = client.get(reverse("linkage:review_queue")).content.decode()
    assert reverse("linkage:relink") in page
    # The test settings run tasks at once (ImmediateBackend), as a worker would later.
    response = client.post(reverse("linkage:relink"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="linkage.relinked")
    assert event.actor_id == analyst.user_id
    assert LinkageState.objects.get().last_relink_at is not None
    assert PersonLink.objects.filter(person__in=[record]).exists()
    assert "never" not in client.get(reverse("linkage:review_queue")).content.decode()


@pytest.mark.django_db
def test_a_reviewer_without_linkage_run_sees_no_relink_button(analyst):
    RolePermission.objects.filter(role=analyst.role, permission="linkage.run").delete()
    page = verified_client(analyst.user).get(reverse("linkage:review_queue")).content.decode()
    assert reverse("linkage:relink") not in page
    assert verified_client(analyst.user).post(reverse("linkage:relink")).status_code == 404


@pytest.mark.django_db
def test_a_refused_relink_is_explained_on_the_queue_page(analyst):
    make_linked_record()  # two records: too few to train a model, and none is stored
    client = verified_client(analyst.user)
    assert client.post(reverse("linkage:relink")).status_code == 302
    page = client.get(reverse("linkage:review_queue")).content.decode()
    assert "was refused" in page and "too few" in page
    assert not AuditEvent.objects.filter(action="linkage.relinked").exists()
