"""Form errors name the field and the fix, in the reader's language, on every page form."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

import punte
from punte.accounts.tests.factories import MembershipFactory
from punte.core.forms import FieldMessagesMixin
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.tests.factories import make_competent
from punte.testing.web import verified_client

# The guided path's forms (person, screening start, consent, anonymous notification) are built
# with that path and give their own messages.
GUIDED_PATH = {"PersonForm", "ScreeningStartForm", "ConsentForm", "AnonymousNotificationForm"}
DJANGO_DEFAULTS = {
    "en": ["This field is required.", "Enter a valid date.", "Select a valid choice."],
    "ro": ["Acest câmp este obligatoriu.", "Introduceți o dată validă."],
    "uk": ["Обов'язкове поле.", "Введіть коректну дату."],
}


def _page_forms():
    for module_info in pkgutil.walk_packages(punte.__path__, "punte."):
        name = module_info.name
        if ".tests" in name or ".testing" in name or "forms" not in name.rsplit(".", 1)[-1]:
            continue
        module = importlib.import_module(name)
        for _name, klass in inspect.getmembers(module, inspect.isclass):
            if issubclass(klass, forms.BaseForm) and klass.__module__ == name:
                yield klass


def test_every_page_form_builds_its_messages_from_its_fields():
    found = list(_page_forms())
    assert len(found) > 20
    missing = [
        k.__qualname__
        for k in found
        if not issubclass(k, FieldMessagesMixin) and k.__name__ not in GUIDED_PATH
    ]
    assert missing == []


class _Example(FieldMessagesMixin, forms.Form):
    reason = forms.CharField(label="Reason")
    decided_on = forms.DateField(label="Date of the decision")
    kind = forms.ChoiceField(label="Kind of screening", choices=[("a", "A")])
    forms_ = forms.MultipleChoiceField(label="Forms of exploitation", choices=[("a", "A")])
    why = forms.ChoiceField(label="Why does it stop?", choices=[("a", "A")])
    own = forms.CharField(label="Own", error_messages={"required": "Say it your way"})


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "reason": "Enter the reason",
                "decided_on": "Enter the date of the decision as a real date",
                "kind": "Select one of the options offered for kind of screening; “zzz” is not one "
                "of them",
                "forms_": "Select at least one option for forms of exploitation",
                "why": "Answer the question “Why does it stop?”",
                "own": "Say it your way",
            },
        ),
        ("ro", {"reason": "Completați „Reason”", "own": "Say it your way"}),
        ("uk", {"reason": "Заповніть поле «Reason»", "own": "Say it your way"}),
    ],
)
def test_messages_name_the_field_and_the_fix(language, expected):
    with translation.override(language):
        form = _Example(
            {"decided_on": "31.02.2026", "kind": "zzz", "why": "", "reason": "", "own": ""}
        )
        assert not form.is_valid()
        for field, message in expected.items():
            assert form.errors[field] == [message]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "outcome", "grounds"),
    [
        ("en", "Select a decision", "Enter the grounds for the decision"),
        ("ro", "Alegeți decizia", "Completați temeiul deciziei"),
        ("uk", "Виберіть рішення", "Вкажіть підстави рішення"),
    ],
)
def test_the_decision_form_says_what_to_do_in_each_language(language, outcome, grounds):
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    person = create_person(actor=prosecutor, citizenship="UA")
    client = verified_client(prosecutor.user)
    url = reverse("identification:person_decisions", args=[person.pk])
    response = client.post(
        url, {"action": "decide", "decided_on": ""}, HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    assert outcome in html and grounds in html
    for default in DJANGO_DEFAULTS[language]:
        assert default not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ro", "uk"])
@pytest.mark.parametrize(
    ("role", "url", "data"),
    [
        ("system_admin", "admin_organisation_create", {"name": ""}),
        ("system_admin", "admin_user_create", {"username": ""}),
    ],
)
def test_empty_page_forms_show_no_bare_django_message(role, url, data, language):
    member = MembershipFactory(role_code=role)
    client = verified_client(member.user)
    if not url.startswith("/"):
        url = reverse(f"accounts:{url}")
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code in (200, 422), response.status_code
    assert 'class="field-error"' in html or "field-error" in html
    for default in DJANGO_DEFAULTS[language]:
        assert default not in html
