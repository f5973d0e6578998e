"""The review queue over the API: listing, opening, deciding, separating, and bad input."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.linkage import services
from punte.linkage.models import LinkDecision, PersonLink, ReviewPair, ReviewStatus
from punte.linkage.tests.db_factories import link_together, make_linked_record, make_review_pair
from punte.testing.api import ApiClient


@pytest.fixture
def analyst():
    return MembershipFactory(role_code="data_analyst")


def problem_fields(response) -> list[str]:
    assert response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json().get("errors", [])]


@pytest.mark.django_db
def test_the_queue_lists_pending_pairs_most_probable_first_without_names(analyst):
    low = make_review_pair(match_probability=0.55)
    high = make_review_pair(match_probability=0.91)
    middle = make_review_pair(match_probability=0.7)
    make_review_pair(match_probability=0.99, status=ReviewStatus.REJECTED)
    client = ApiClient(analyst)

    first = client.get("/linkage/review-pairs", limit=2)
    assert first.status_code == 200
    body = first.json()
    assert [item["id"] for item in body["items"]] == [str(high.pk), str(middle.pk)]
    second = client.get("/linkage/review-pairs", limit=2, cursor=body["next_cursor"]).json()
    assert [item["id"] for item in second["items"]] == [str(low.pk)]
    assert second["next_cursor"] is None
    assert "Ilinca" not in first.content.decode() + str(second)
    # Listing opens no record.
    assert not AuditEvent.objects.filter(action="person.viewed").exists()


@pytest.mark.django_db
def test_a_forged_cursor_is_a_400_naming_it(analyst):
    response = ApiClient(analyst).get("/linkage/review-pairs", cursor="not-a-cursor")
    assert response.status_code == 400
    assert problem_fields(response) == ["cursor"]


@pytest.mark.django_db
def test_opening_a_pair_shows_both_records_and_logs_both_readings(analyst):
    pair = make_review_pair()
    response = ApiClient(analyst).get(f"/linkage/review-pairs/{pair.pk}")
    assert response.status_code == 200
    body = response.json()
    assert {body["person_a"]["id"], body["person_b"]["id"]} == {
        str(pair.person_a_id),
        str(pair.person_b_id),
    }
    assert {body["person_a"]["family_name"], body["person_b"]["family_name"]} == {
        "Pârvu",
        "Parvu",
    }
    assert body["comparison"][0]["level"] == "given name exactly equal"
    views = AuditEvent.objects.filter(action="person.viewed")
    assert {str(e.person_id) for e in views} == {str(pair.person_a_id), str(pair.person_b_id)}
    assert all(e.changes == {"purpose": "linkage_review"} for e in views)
    assert all(e.actor_id == analyst.user_id for e in views)


@pytest.mark.django_db
def test_accepting_a_pair_links_the_records_and_a_second_decision_is_a_conflict(analyst):
    pair = make_review_pair()
    client = ApiClient(analyst)
    response = client.post(
        f"/linkage/review-pairs/{pair.pk}/decision",
        {"decision": "accept", "reason": "Same mother, same village."},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    assert body["national_person_a"] == body["national_person_b"] is not None
    decision = LinkDecision.objects.get()
    assert decision.same_person and decision.reason == "Same mother, same village."

    again = client.post(
        f"/linkage/review-pairs/{pair.pk}/decision", {"decision": "reject", "reason": "Oops."}
    )
    assert again.status_code == 409
    assert problem_fields(again) == ["decision"]
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.ACCEPTED
    events = AuditEvent.objects.filter(action="linkage.pair_decided")
    assert events.count() == 2  # one in each record's access log
    assert all(e.changes["reason"] == "[personal data]" for e in events)
    assert "village" not in str([e.changes for e in events])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe", "reason": "Unsure."}, "decision"),
        ({"decision": "accept"}, "reason"),
        ({"decision": "accept", "reason": ""}, "reason"),
        ({"decision": "accept", "reason": "   "}, "reason"),
        ({"decision": "accept", "reason": "x" * 2001}, "reason"),
        ({"reason": "No decision."}, "decision"),
        ({"decision": "accept", "reason": "Sure.", "merge": True}, "merge"),
    ],
    ids=[
        "unknown-decision",
        "no-reason",
        "empty-reason",
        "blank-reason",
        "long-reason",
        "no-decision",
        "unknown-field",
    ],
)
def test_bad_decisions_are_refused_naming_the_field_and_change_nothing(analyst, body, field):
    pair = make_review_pair()
    response = ApiClient(analyst).post(f"/linkage/review-pairs/{pair.pk}/decision", body)
    assert response.status_code == 422, response.content
    assert problem_fields(response) == [field]
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.PENDING
    assert not LinkDecision.objects.exists()


@pytest.mark.django_db
def test_accepting_is_refused_when_a_separation_keeps_the_records_apart(analyst):
    pair = make_review_pair()
    link_together(pair.person_a, pair.person_b)
    services.personlink_separate(actor=analyst, person=pair.person_b, reason="Not him.")
    response = ApiClient(analyst).post(
        f"/linkage/review-pairs/{pair.pk}/decision", {"decision": "accept", "reason": "Same."}
    )
    assert response.status_code == 409
    assert problem_fields(response) == ["decision"]
    a, b = (PersonLink.objects.get(person_id=p) for p in (pair.person_a_id, pair.person_b_id))
    assert a.national_person_id != b.national_person_id


@pytest.mark.django_db
def test_separating_a_record_over_the_api(analyst):
    record = make_linked_record()
    before = PersonLink.objects.get(person=record).national_person_id
    client = ApiClient(analyst)
    response = client.post(
        f"/linkage/person-links/{record.pk}/separate", {"reason": "Another person."}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["previous_national_person_id"] == str(before)
    assert body["national_person_id"] != str(before)
    assert body["kept_apart_from"] == 1
    again = client.post(f"/linkage/person-links/{record.pk}/separate", {"reason": "Again."})
    assert again.status_code == 409
    assert problem_fields(again) == ["person"]
    missing = client.post(f"/linkage/person-links/{record.pk}/separate", {})
    assert missing.status_code == 422 and problem_fields(missing) == ["reason"]


@pytest.mark.django_db
def test_unknown_ids_are_404(analyst):
    client = ApiClient(analyst)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/linkage/review-pairs/{unknown}").status_code == 404
    assert client.get("/linkage/review-pairs/not-a-uuid").status_code == 404
    body = {"decision": "accept", "reason": "x"}
    assert client.post(f"/linkage/review-pairs/{unknown}/decision", body).status_code == 404
    separate = client.post(f"/linkage/person-links/{unknown}/separate", {"reason": "x"})
    assert separate.status_code == 404


@pytest.mark.django_db
def test_a_coordinator_who_may_open_every_record_still_cannot_review(analyst):
    """person.view with national scope is not linkage.review: the queue is 404 all the same."""
    pair = make_review_pair()
    coordinator = ApiClient(MembershipFactory(role_code="national_coordinator"))
    assert coordinator.get("/linkage/review-pairs").status_code == 404
    assert coordinator.get(f"/linkage/review-pairs/{pair.pk}").status_code == 404
    response = coordinator.post(
        f"/linkage/review-pairs/{pair.pk}/decision", {"decision": "accept", "reason": "x"}
    )
    assert response.status_code == 404
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewStatus.PENDING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_analysts_deciding_one_pair_at_once_only_one_succeeds():
    pair = make_review_pair()
    analysts = [MembershipFactory(role_code="data_analyst") for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor, decision):
        try:
            barrier.wait(timeout=10)
            services.reviewpair_decide(actor=actor, pair=pair.pk, decision=decision, reason="x")
            outcomes.append("decided")
        except ServiceError as exc:
            outcomes.append(f"refused {exc.status}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(actor, decision))
        for actor, decision in zip(analysts, ["accept", "reject"], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["decided", "refused 409"]
    assert LinkDecision.objects.count() == 1
    assert AuditEvent.objects.filter(action="linkage.pair_decided").count() == 2
