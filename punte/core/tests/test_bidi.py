"""What people typed is isolated from the page around it (issue 11): a right-to-left override
(U+202E) in a person's name or a public report must not reverse the text that follows it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import engines

from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.identification.persons.tests.factories import create_person
from punte.identification.signals.tests.factories import create_public_report, national_agency
from punte.testing.accessibility import RLO
from punte.testing.web import verified_client

# Read backwards from the override on, the page would show "ucseporP" … and reverse the words
# after the name, e.g. "Date of birth".
SPOOFED_NAME = f"Popescu{RLO}lanretni"


class _Isolation(HTMLParser):
    """Records, for every text holding an override, whether it sits inside <bdi> or dir=auto."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.isolated: list[str] = []
        self.leaked: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "input", "meta", "link", "img", "hr", "wbr", "source"}:
            return
        isolates = tag in {"bdi", "textarea", "option", "script", "title"} or (
            dict(attrs).get("dir") == "auto"
        )
        self.stack.append((tag, isolates))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if RLO in data:
            inside = any(isolates for _, isolates in self.stack)
            (self.isolated if inside else self.leaked).append(data)


def isolation_of(html: str) -> _Isolation:
    parser = _Isolation()
    parser.feed(html)
    return parser


def test_the_filter_wraps_escapes_and_leaves_empty_values_alone():
    template = engines["django"].from_string("[{{ value|bdi }}]")
    assert template.render({"value": "<b>Ana</b>"}) == "[<bdi>&lt;b&gt;Ana&lt;/b&gt;</bdi>]"
    assert template.render({"value": ""}) == "[]"
    assert template.render({"value": None}) == "[None]"
    chained = engines["django"].from_string('{{ value|default:"—"|bdi }}')
    assert chained.render({"value": ""}) == "<bdi>—</bdi>"


def test_the_check_would_see_a_leak():
    """The parser itself: an override outside any isolate is reported, one inside is not."""
    assert isolation_of(f"<p>Name: {SPOOFED_NAME} (born 2001)</p>").leaked
    parsed = isolation_of(f"<p>Name: <bdi>{SPOOFED_NAME}</bdi> (born 2001)</p>")
    assert parsed.isolated and not parsed.leaked


@pytest.mark.django_db
def test_an_override_in_a_persons_name_and_aliases_stays_inside_them():
    officer = MembershipFactory(role_code="regional_officer")
    person = create_person(
        actor=officer, family_name=SPOOFED_NAME, aliases=[f"Ana{RLO}xe"], notes=f"n{RLO}b"
    )
    client = verified_client(officer.user)
    for path in (
        f"/persons/{person.pk}/",
        f"/persons/{person.pk}/screenings/",
        f"/persons/{person.pk}/consent/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        parsed = isolation_of(response.content.decode())
        assert parsed.isolated, f"{path}: the name is not on the page"
        assert not parsed.leaked, f"{path}: {parsed.leaked}"


@pytest.mark.django_db
def test_an_override_in_a_public_report_stays_inside_it():
    _agency, centre = national_agency()
    officer = MembershipFactory(organisation=centre, role_code="regional_officer")
    signal = create_public_report(
        description=f"Un băiat cerșește {RLO}la intersecție{RLO} în fiecare zi.",
        locality=f"Florești{RLO}",
    )
    response = verified_client(officer.user).get(f"/signals/{signal.pk}/")
    assert response.status_code == 200
    parsed = isolation_of(response.content.decode())
    assert len(parsed.isolated) >= 2
    assert not parsed.leaked, parsed.leaked


@pytest.mark.django_db
def test_an_organisation_name_typed_by_an_administrator_stays_inside_it():
    organisation = OrganisationFactory(name=f"Asociația {RLO}Drum Acasă")
    member = MembershipFactory(organisation=organisation, role_code="ngo_caseworker")
    response = verified_client(member.user).get("/")
    parsed = isolation_of(response.content.decode())
    assert parsed.isolated and not parsed.leaked, parsed.leaked
