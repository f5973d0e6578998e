import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.models import (
    AnonymousNotification,
    ConsentEvent,
    IdentificationDecision,
    ReflectionPeriod,
    ReflectionPeriodEvent,
    Screening,
)
from punte.identification.screening.services.screening import catalogue_for
from punte.identification.screening.tests.factories import (
    completed_screening,
    load_catalogue,
    make_competent,
    start_screening,
)
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician():
    load_catalogue()
    return MembershipFactory(role_code="clinician")


def test_start_answer_and_complete_a_short_screen_on_the_pages(clinician):
    client = verified_client(clinician.user)
    person = create_person(actor=clinician)
    page = client.get(reverse("identification:person_screenings", args=[person.pk]))
    assert page.status_code == 200
    assert b"Start a screening" in page.content
    started = client.post(
        reverse("identification:person_screenings", args=[person.pk]), {"kind": "short"}
    )
    draft = Screening.objects.get(person=person)
    assert started.url == reverse("identification:screening", args=[draft.pk])
    form = client.get(started.url)
    assert form.status_code == 200
    assert form.content.count(b'type="radio"') == 18  # six questions x yes / no / unsure
    # htmx autosave of one answer
    saved = client.post(
        reverse("identification:screening_autosave", args=[draft.pk]),
        {"code": "SS-2", "SS-2": "yes"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and b"Saved" in saved.content
    assert Screening.objects.get(pk=draft.pk).answers == {"SS-2": "yes"}
    # completing with a question unanswered: the page names it and nothing is completed
    incomplete = client.post(
        started.url, {"action": "complete", "SS-1": "yes", "SS-2": "yes", "SS-3": "yes"}
    )
    assert incomplete.status_code == 422
    assert b"Every question must be answered" in incomplete.content
    assert Screening.objects.get(pk=draft.pk).status == "draft"
    answers = {
        "SS-1": "yes",
        "SS-2": "yes",
        "SS-3": "yes",
        "SS-4": "no",
        "SS-5": "no",
        "SS-6": "no",
    }
    done = client.post(started.url, {"action": "complete", **answers})
    assert done.url == reverse("identification:screening_result", args=[draft.pk])
    result = client.get(done.url)
    assert b"Presumed victim" in result.content
    assert b"Where the full screening starts" in result.content
    # a completed screening's questionnaire sends to its result
    assert client.get(started.url).url == done.url


def test_a_full_screening_with_autosave_and_stopping_for_an_interpreter(clinician):
    client = verified_client(clinician.user)
    draft = start_screening(clinician, lists=("adult_labour", "begging"))
    url = reverse("identification:screening", args=[draft.pk])
    page = client.get(url)
    assert b"Deceptive recruitment" in page.content and b"Forced begging" in page.content
    client.post(
        reverse("identification:screening_autosave", args=[draft.pk]),
        {"code": "AL-DR-01", "observed": "AL-DR-01"},
    )
    client.post(reverse("identification:screening_autosave", args=[draft.pk]), {"code": "AL-DR-01"})
    assert Screening.objects.get(pk=draft.pk).answers == {}
    stopped = client.post(
        url,
        {"action": "suspend", "observed": ["AL-DR-01", "AL-DR-08"], "reason": "interpreter_needed"},
    )
    assert stopped.status_code == 302
    stored = Screening.objects.get(pk=draft.pk)
    assert stored.draft_reason == "interpreter_needed"
    assert stored.answers == {"AL-DR-01": True, "AL-DR-08": True}
    history = client.get(reverse("identification:person_screenings", args=[draft.person_id]))
    assert b"Draft: resume" in history.content and b"Interpreter needed" in history.content
    assert AuditEvent.objects.filter(action="screening.viewed", subject_id=str(draft.pk)).exists()


def test_screening_pages_are_404_outside_scope(clinician):
    draft = start_screening(clinician)
    done = completed_screening(clinician)
    stranger = verified_client(MembershipFactory(role_code="clinician").user)
    for url in (
        reverse("identification:screening", args=[draft.pk]),
        reverse("identification:screening_result", args=[done.pk]),
        reverse("identification:person_screenings", args=[done.person_id]),
        reverse("identification:person_consent", args=[done.person_id]),
        reverse("identification:person_decisions", args=[done.person_id]),
    ):
        assert stranger.get(url).status_code == 404, url
    assert (
        stranger.post(reverse("identification:screening_autosave", args=[draft.pk]), {}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("en", "You may change your mind at any time"),
        ("ro", "Vă puteți răzgândi oricând"),
        ("uk", "Ви можете будь-коли змінити своє рішення"),
    ],
)
def test_rights_are_shown_in_the_persons_language(clinician, language, phrase):
    client = verified_client(clinician.user)
    person = create_person(actor=clinician)
    page = client.get(
        reverse("identification:person_consent", args=[person.pk]), {"lang": language}
    )
    assert phrase in page.content.decode()


def test_recording_consent_and_an_anonymous_notification_on_the_page(clinician):
    client = verified_client(clinician.user)
    person = create_person(actor=clinician)
    url = reverse("identification:person_consent", args=[person.pk])
    today = timezone.localdate().isoformat()
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(
        url,
        {
            "action": "consent",
            "purpose": "referral",
            "decision": "refused",
            "decided_on": future,
            "rights_language": "uk",
        },
    )
    assert refused.status_code == 422
    assert b"in the future" in refused.content
    assert not ConsentEvent.objects.exists()
    client.post(
        url,
        {
            "action": "consent",
            "purpose": "referral",
            "decision": "refused",
            "decided_on": today,
            "rights_language": "uk",
        },
    )
    assert ConsentEvent.objects.get().rights_language == "uk"
    page = client.get(url)
    assert b"Anonymous notification" in page.content
    client.post(url, {"action": "notify", "exploitation_forms": ["begging"], "notified_on": today})
    assert AnonymousNotification.objects.get().exploitation_forms == ["begging"]


def test_a_child_needs_no_consent_on_the_page(clinician):
    client = verified_client(clinician.user)
    child = create_person(actor=clinician, date_of_birth=datetime.date(2015, 1, 1))
    page = client.get(reverse("identification:person_consent", args=[child.pk]))
    assert b"A child needs no consent" in page.content
    assert b'name="decision"' not in page.content


def test_decisions_page_for_a_prosecutor_and_the_refusal_of_a_non_competent_organisation():
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    client = verified_client(prosecutor.user)
    person = create_person(actor=prosecutor, citizenship="UA")
    url = reverse("identification:person_decisions", args=[person.pk])
    today = timezone.localdate()
    page = client.get(url)
    assert b"Record a decision" in page.content and b"Start a period" in page.content
    client.post(
        url,
        {
            "action": "decide",
            "outcome": "identified_victim",
            "decided_on": today.isoformat(),
            "grounds": "Hearing of 2 Nov",
            "exploitation_forms": ["labour"],
        },
    )
    assert IdentificationDecision.objects.get().grounds == "Hearing of 2 Nov"
    too_long = client.post(
        url,
        {
            "action": "start_period",
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=95)).isoformat(),
        },
    )
    assert too_long.status_code == 422 and b"at most 90 days" in too_long.content
    client.post(
        url,
        {
            "action": "start_period",
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert ReflectionPeriod.objects.get().ends_on == today + datetime.timedelta(days=30)

    # The same role in an NGO sees no form, and a forged POST is refused with the reason.
    ngo_prosecutor = MembershipFactory(role_code="prosecutor")
    other = create_person(
        actor=MembershipFactory(
            role_code="regional_officer", organisation=ngo_prosecutor.organisation
        )
    )
    ngo = verified_client(ngo_prosecutor.user)
    other_url = reverse("identification:person_decisions", args=[other.pk])
    assert b"Record a decision" not in ngo.get(other_url).content
    forged = ngo.post(
        other_url,
        {
            "action": "decide",
            "outcome": "not_a_victim",
            "decided_on": today.isoformat(),
            "grounds": "x",
        },
    )
    assert forged.status_code == 422
    assert b"not a competent authority" in forged.content
    assert IdentificationDecision.objects.count() == 1


def test_ending_a_reflection_period_early_asks_first_and_applies_once():
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    client = verified_client(prosecutor.user)
    person = create_person(actor=prosecutor, citizenship="UA")
    url = reverse("identification:person_decisions", args=[person.pk])
    today = timezone.localdate()
    client.post(
        url,
        {
            "action": "start_period",
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
        },
    )
    period = ReflectionPeriod.objects.get()
    form = {
        "action": "terminate",
        "period": str(period.pk),
        "on": today.isoformat(),
        "reason": "Returned home of her own will.",
    }
    asked = client.post(url, form)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "<h1>End the recovery and reflection period early?</h1>" in page
    assert "This cannot be undone" in page and "Returned home of her own will." in page
    assert ReflectionPeriod.objects.get().status == "active"
    # A missing reason is refused next to its field before anything is asked.
    refused = client.post(url, {**form, "reason": ""})
    assert refused.status_code == 422
    assert 'href="#id_reason"' in refused.content.decode()
    done = client.post(url, {**form, "confirmed": "yes"})
    assert done.status_code == 302
    assert ReflectionPeriod.objects.get().status == "terminated"
    again = client.post(url, {**form, "confirmed": "yes"})
    assert again.status_code == 422
    assert ReflectionPeriodEvent.objects.filter(period=period, kind="terminated").count() == 1


def test_a_ukrainian_reader_sees_the_full_screening_and_its_result_with_no_english_catalogue_text(
    clinician,
):
    client = verified_client(clinician.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    lists = ("adult_labour", "begging", "criminal", "marriage", "organ_removal")
    draft = start_screening(clinician, lists=lists)
    page = client.get(reverse("identification:screening", args=[draft.pk])).content.decode()
    indicators = [i for i in catalogue_for(draft).indicators.values() if i.list in lists]
    assert len(indicators) > 80
    for indicator in indicators:
        assert escape(indicator.text_en) not in page, indicator.code
        assert escape(indicator.text("uk")) in page, indicator.code
    assert "Обман щодо умов праці" in page and "Боргова кабала" in page
    assert "Мусить щодня приносити встановлену суму грошей" in page
    # Grades by their Ukrainian names, never their codes.
    assert "(AL-DR-01, сильний)" in page and "(AL-DR-02, середній)" in page
    assert not re.search(r"\((?:AL|FB|FC|FM|OR)-[A-Z]{2}-\d\d, (?:strong|medium|weak)\)", page)

    done = completed_screening(clinician, codes=("AL-DR-01", "AL-EX-01", "AL-CD-01"))
    result = client.get(reverse("identification:screening_result", args=[done.pk])).content
    result = result.decode()
    for english in (
        "recruitment (deceptive, coercive or by abuse of vulnerability)",
        "Deceptive recruitment (including transfer and transport)",
        "Deceived about the nature of the job, location or employer",
    ):
        assert english not in result
    assert "вербування (шляхом обману, примусу або зловживання вразливим становищем)" in result
    assert "(AL-DR-01, сильний)" in result and "strong" not in result
