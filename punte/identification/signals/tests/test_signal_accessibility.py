"""What a screen-reader or keyboard user depends on, on the public report form and the signal
and person pages: every control labelled, errors linked to their fields, nothing inline (CSP),
and the honeypot out of reach of people."""

import datetime
from html.parser import HTMLParser

import pytest
from django.test import Client
from freezegun import freeze_time

from punte.accounts.tests.factories import MembershipFactory
from punte.accounts.tests.test_admin_accessibility import _Controls
from punte.identification.persons.tests.factories import create_person
from punte.identification.signals.forms import new_form_token
from punte.identification.signals.tests.factories import create_signal, national_agency
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def _check(html: str, url: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    assert parser.controls, url
    for control in parser.controls:
        assert control.get("id") in parser.label_for, (url, control)
    assert not parser.inline, (url, parser.inline)
    return parser


class _Honeypot(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hidden_depth, self.depth, self.input = None, 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.depth += 1
        if attrs.get("aria-hidden") == "true" and self.hidden_depth is None:
            self.hidden_depth = self.depth
        if tag == "input" and attrs.get("name") == "website":
            self.input = {**attrs, "inside_hidden": self.hidden_depth is not None}

    def handle_endtag(self, tag):
        if self.hidden_depth == self.depth:
            self.hidden_depth = None
        self.depth -= 1


@pytest.mark.parametrize("language", ["ro", "en", "uk"])
def test_the_public_form_is_labelled_and_its_honeypot_unreachable(language):
    national_agency()
    html = Client().get("/report/", headers={"accept-language": language}).content.decode()
    _check(html, "/report/")
    assert f'<html lang="{language}">' in html
    honeypot = _Honeypot()
    honeypot.feed(html)
    assert honeypot.input["inside_hidden"]
    assert honeypot.input["tabindex"] == "-1"
    assert honeypot.input["autocomplete"] == "off"


def test_errors_of_the_public_form_link_to_their_fields():
    national_agency()
    t0 = datetime.datetime(2026, 11, 28, 10, tzinfo=datetime.UTC)
    with freeze_time(t0):
        token = new_form_token()
    with freeze_time(t0 + datetime.timedelta(seconds=20)):
        response = Client().post("/report/", {"description": "", "started": token})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'href="#id_description"' in html


def test_staff_pages_are_labelled():
    officer = MembershipFactory(role_code="regional_officer")
    signal = create_signal(actor=officer)
    person = create_person(actor=officer)
    client = verified_client(officer.user)
    for url in [
        "/signals/",
        "/signals/new/",
        f"/signals/{signal.pk}/",
        "/persons/new/",
        f"/persons/{person.pk}/edit/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response.content.decode(), url)
