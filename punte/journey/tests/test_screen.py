"""The guided path "screen a person" (journey/screen.py) on the pages: each step, the draft
resumed from the worklist, double submits, refusals naming the field, the audit trail, and
another organisation's steps not found."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent, IdempotencyRecord
from punte.identification.persons.models import Person
from punte.identification.screening.models import (
    AnonymousNotification,
    ConsentEvent,
    Screening,
    ScreeningStatus,
)
from punte.journey.tests.e2e import CHILD_PRESUMED, cast
from punte.referrals.models import Referral
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db

ADULT_PRESUMED = {"SS-1": "yes", "SS-2": "yes", "SS-3": "yes", "SS-4": "no", "SS-5": "no"}
ADULT_PRESUMED["SS-6"] = "no"


@pytest.fixture
def c():
    return cast()


@pytest.fixture
def client(c):
    return verified_client(c.physician.user)


def _child_of_unknown_identity(**extra):
    return {
        "idempotency_key": "form-key-1",
        "identity_unknown": "on",
        "sex": "female",
        "may_be_child": "on",
        "kind": "short",
        **extra,
    }


def _start(client, **extra):
    return client.post(reverse("journey:screen_start"), _child_of_unknown_identity(**extra))


def _screened(client, answers=CHILD_PRESUMED, **extra) -> Screening:
    started = _start(client, **extra)
    assert started.status_code == 302, started.content.decode()[:2000]
    draft = Screening.objects.latest("created_at")
    done = client.post(started.url, {"action": "complete", **answers})
    assert done.status_code == 302
    assert done.url == reverse("journey:screen_result", args=[draft.pk])
    return draft


def _send_all(client, c, screening, key="send-key-1"):
    return client.post(
        reverse("journey:screen_result", args=[screening.pk]),
        {
            "idempotency_key": key,
            "county": "RO-CJ",
            "rule:child-protection": str(c.dgaspc.pk),
            "rule:child-prosecutor": str(c.prosecution.pk),
            "rule:regional-centre": str(c.centre.pk),
        },
    )


def test_home_offers_screen_a_person_to_those_who_may(c, client):
    home = client.get("/").content.decode()
    assert f'href="{reverse("journey:screen_start")}"' in home
    assert "Screen a person" in home
    no_screening = verified_client(MembershipFactory(role_code="auditor").user)
    assert "Screen a person" not in no_screening.get("/").content.decode()
    assert no_screening.get(reverse("journey:screen_start")).status_code == 403


def test_the_first_step_asks_what_is_known_and_guesses_nothing(client):
    page = client.get(reverse("journey:screen_start"))
    html = page.content.decode()
    assert page.status_code == 200
    # The progress indicator: an ordered list, the current step marked.
    assert re.search(r'<li class="progress-current" aria-current="step">About the person', html)
    assert "<ol>" in html
    # Sex: a choice with nothing chosen, "Unknown" among the answers.
    assert html.count('name="sex"') == 4
    assert not re.search(r'name="sex"[^>]*checked', html)
    assert 'value="unknown"' in html
    # The rest behind "Add more details", folded; the date of birth as three number boxes.
    assert '<details class="more-details">' in html
    assert "Add more details" in html
    for part in ("date_of_birth_0", "date_of_birth_1", "date_of_birth_2"):
        assert re.search(rf'inputmode="numeric"[^>]*id="id_{part}"|id="id_{part}"', html)
        assert f'<label for="id_{part}">' in html
    assert html.count('inputmode="numeric"') >= 3
    assert '<legend>Date of birth <span class="optional">(optional)</span></legend>' in html
    # The sex, which must be answered, is a group of its own, not marked optional.
    assert "<legend>Sex</legend>" in html


def test_a_child_of_unknown_identity_from_home_to_referrals_sent(c, client):
    draft = _screened(client)
    person = Person.objects.get(pk=draft.person_id)
    assert person.identity_unknown and person.may_be_child and person.sex == "female"
    assert draft.kind == "short"
    result = client.get(reverse("journey:screen_result", args=[draft.pk]))
    html = result.content.decode()
    assert result.status_code == 200
    assert "Presumed victim" in html
    # The referral is offered right there, with the rules' explanations, and no consent step.
    assert "Send the referrals" in html
    assert str(c.dgaspc) in html and str(c.prosecution) in html
    assert "not needed for a child" in html
    sent = _send_all(client, c, draft)
    assert sent.status_code == 302
    assert sent.url == reverse("journey:screen_sent", args=[draft.pk])
    assert Referral.objects.filter(person=person).count() == 3
    page = client.get(sent.url).content.decode()
    assert "<h1>Referrals sent</h1>" in page
    assert str(c.dgaspc) in page
    assert re.search(r'aria-current="step">Referrals', page)
    actions = set(AuditEvent.objects.filter(person_id=person.pk).values_list("action", flat=True))
    assert {
        "person.created",
        "screening.started",
        "screening.completed",
        "screening.viewed",
        "person.viewed",
        "referral.sent",
    } <= actions


def test_a_double_submit_creates_nothing_twice(c, client):
    first = _start(client)
    again = _start(client)
    assert again.status_code == 302 and again.url == first.url
    assert Person.objects.count() == 1 and Screening.objects.count() == 1
    draft = Screening.objects.get()
    client.post(first.url, {"action": "complete", **CHILD_PRESUMED})
    sent = _send_all(client, c, draft)
    resent = _send_all(client, c, draft)
    assert resent.status_code == 302 and resent.url == sent.url
    assert Referral.objects.count() == 3
    # A new form (a new key) for the same person is refused by the referrals' own rule.
    another = _send_all(client, c, draft, key="send-key-2")
    assert another.status_code == 422
    assert "already exists" in another.content.decode()
    assert Referral.objects.count() == 3


def test_a_refused_start_keeps_nothing_and_names_the_field(c, client):
    response = _start(
        client,
        sex="",
        date_of_birth_0="31",
        date_of_birth_1="2",
        date_of_birth_2="2015",
        approximate_age="ten",
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Select the person&#x27;s sex, or Unknown." in html
    assert "Date of birth: that day does not exist" in html
    assert "Enter the approximate age as a whole number of years" in html
    # The error is in the open "Add more details", and the summary links to the day box.
    assert '<details class="more-details" open>' in html
    assert 'href="#id_date_of_birth_0"' in html
    assert 'href="#id_sex_0"' in html
    assert not Person.objects.exists()
    assert not IdempotencyRecord.objects.exists()  # the key stays free for the corrected form
    fixed = _start(client)
    assert fixed.status_code == 302


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "3", "2012"), "give the day, the month and the year"),
        (("1", "3", "12"), "give the year as four digits"),
        (("1", "x", "2012"), "use digits only"),
    ],
)
def test_date_of_birth_refusals_say_the_fix(client, parts, message):
    day, month, year = parts
    response = _start(
        client, date_of_birth_0=day, date_of_birth_1=month, date_of_birth_2=year, may_be_child=""
    )
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_date_of_birth_in_three_boxes_is_recorded(client):
    response = _start(
        client, date_of_birth_0="7", date_of_birth_1="3", date_of_birth_2="2013", may_be_child=""
    )
    assert response.status_code == 302
    assert str(Person.objects.get().date_of_birth) == "2013-03-07"


def test_a_service_refusal_rolls_back_the_person_too(client):
    # A date of birth with "may be a child": the person service refuses; no half-write.
    response = _start(client, date_of_birth_0="7", date_of_birth_1="3", date_of_birth_2="2013")
    assert response.status_code == 422
    assert "A date of birth settles the age" in response.content.decode()
    assert not Person.objects.exists() and not Screening.objects.exists()


def test_a_stopped_draft_is_resumed_from_the_worklist_at_the_draft_itself(c, client):
    started = _start(client)
    draft = Screening.objects.get()
    stopped = client.post(
        started.url, {"action": "suspend", "reason": "interpreter_needed", "SS-1": "yes"}
    )
    assert stopped.status_code == 302 and stopped.url == reverse("home")
    home = client.get("/").content.decode()
    link = reverse("journey:screen_questions", args=[draft.pk])
    assert f'href="{link}"' in home
    resumed = client.get(link).content.decode()
    assert 'aria-current="step">Screening' in resumed
    assert re.search(r'name="SS-1" value="yes"[^>]*checked', resumed)
    section = client.get(reverse("journey:worklist_section", args=["screenings.drafts"]))
    assert f'href="{link}"' in section.content.decode()


def test_full_screening_lists_follow_the_age_group(c, client):
    started = _start(client, kind="full")
    person = Person.objects.get()
    assert started.url == reverse("journey:screen_full", args=[person.pk])
    page = client.get(started.url).content.decode()
    assert 'value="child_labour"' in page and 'value="adult_labour"' not in page
    refused = client.post(started.url, {"idempotency_key": "k-full"})
    assert refused.status_code == 422
    assert "Choose at least one indicator list." in refused.content.decode()
    begun = client.post(started.url, {"idempotency_key": "k-full", "lists": ["child_labour"]})
    assert begun.status_code == 302
    assert Screening.objects.get().kind == "full"


def test_an_adult_consents_then_is_referred(c, client):
    draft = _screened(client, answers=ADULT_PRESUMED, may_be_child="", approximate_age="30")
    result = client.get(reverse("journey:screen_result", args=[draft.pk])).content.decode()
    assert "Send the referrals" not in result
    consent_url = reverse("journey:screen_consent", args=[draft.pk])
    assert f'href="{consent_url}"' in result
    missing = client.post(consent_url, {"action": "consent"})
    assert missing.status_code == 422
    assert "Select the person&#x27;s decision." in missing.content.decode()
    agreed = client.post(
        consent_url, {"action": "consent", "decision": "consented", "rights_language": "uk"}
    )
    assert agreed.status_code == 302
    assert agreed.url == reverse("journey:screen_result", args=[draft.pk])
    event = ConsentEvent.objects.get()
    assert (event.decision, event.purpose, event.rights_language) == (
        "consented",
        "referral",
        "uk",
    )
    assert AuditEvent.objects.filter(action="consent.recorded", person_id=draft.person_id).exists()
    assert "Send the referrals" in client.get(agreed.url).content.decode()


def test_an_adult_who_refuses_is_notified_anonymously(c, client):
    draft = _screened(client, answers=ADULT_PRESUMED, may_be_child="", approximate_age="30")
    consent_url = reverse("journey:screen_consent", args=[draft.pk])
    client.post(consent_url, {"action": "consent", "decision": "refused", "rights_language": "ro"})
    page = client.get(consent_url).content.decode()
    assert "anonymous notification" in page
    notified = client.post(
        consent_url,
        {
            "action": "notify",
            "exploitation_forms": ["labour"],
            "notified_on_0": "",
            "notified_on": draft.created_at.date().isoformat(),
        },
    )
    assert notified.status_code == 302
    assert notified.url == reverse("journey:screen_sent", args=[draft.pk])
    assert AnonymousNotification.objects.count() == 1
    assert "<h1>Screening finished</h1>" in client.get(notified.url).content.decode()
    # Sending is refused on the server too, whatever a page would offer.
    assert _send_all(client, c, draft).status_code == 403
    assert not Referral.objects.exists()


def test_a_child_skips_consent(c, client):
    draft = _screened(client)
    consent_url = reverse("journey:screen_consent", args=[draft.pk])
    response = client.get(consent_url)
    assert response.status_code == 302
    assert response.url == reverse("journey:screen_result", args=[draft.pk])


def test_every_step_of_another_organisation_is_not_found(c, client):
    draft = _screened(client)
    stranger_org = OrganisationFactory(type=c.hospital.type, county_id="RO-CJ")
    stranger = verified_client(
        MembershipFactory(organisation=stranger_org, role_code="clinician").user
    )
    other_draft = Screening.objects.create(
        person=draft.person,
        organisation=draft.organisation,
        catalogue=draft.catalogue,
        kind="short",
        lists=draft.lists,
        is_child=True,
        answers={},
        status=ScreeningStatus.DRAFT,
    )
    urls = [
        reverse("journey:screen_full", args=[draft.person_id]),
        reverse("journey:screen_questions", args=[other_draft.pk]),
        reverse("journey:screen_result", args=[draft.pk]),
        reverse("journey:screen_consent", args=[draft.pk]),
        reverse("journey:screen_sent", args=[draft.pk]),
    ]
    for url in urls:
        assert stranger.get(url).status_code == 404, url
        if not url.endswith("/sent/"):  # a page that only shows
            assert stranger.post(url, {"action": "complete"}).status_code == 404, url
    assert Referral.objects.count() == 0


def test_a_completed_screening_of_another_organisation_is_not_a_guided_step(c, client):
    draft = _screened(client)
    _send_all(client, c, draft)
    # Child protection accepted: it may now open the person and the completed screening...
    receiver = MembershipFactory(organisation=c.dgaspc, role_code="child_protection_officer")
    from punte.referrals import services

    services.referral_accept(
        actor=receiver, referral_id=Referral.objects.get(receiver_organisation=c.dgaspc).pk
    )
    reader = verified_client(receiver.user)
    assert (
        reader.get(reverse("identification:screening_result", args=[draft.pk])).status_code == 200
    )
    # ...but the physician's guided steps are not its own, and refusing them reads nothing.
    viewed = AuditEvent.objects.filter(organisation=c.dgaspc, action="screening.viewed")
    before = viewed.count()
    for name in ("screen_result", "screen_consent", "screen_sent"):
        assert reader.get(reverse(f"journey:{name}", args=[draft.pk])).status_code == 404
    assert viewed.count() == before


def test_the_result_of_not_indicated_offers_to_finish(c, client):
    draft = _screened(client, answers={f"SS-{n}": "no" for n in range(1, 7)})
    html = client.get(reverse("journey:screen_result", args=[draft.pk])).content.decode()
    assert "Finish: back to the worklist" in html
    assert "Send the referrals" not in html
    assert client.post(reverse("journey:screen_result", args=[draft.pk]), {}).status_code == 403
