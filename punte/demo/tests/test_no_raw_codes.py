"""No page shows a stored code where a person should read a name: the main pages, reached by
following links from each role's home page over the demo data, in each language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import translation

from punte.accounts.models import Membership, OrganisationType
from punte.accounts.permissions import ROLE_DEFINITIONS
from punte.demo import loading as demo
from punte.identification.persons.models import DocumentType, Sex
from punte.identification.screening.catalogue.vocabulary import Grade
from punte.identification.screening.models import (
    ConsentDecision,
    ConsentPurpose,
    DecisionOutcome,
    ScreeningKind,
)
from punte.identification.signals.models import ExploitationForm, SignalChannel, SignalStatus
from punte.referrals.models import ReferralStatus, ServiceType
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db

ENUMS = [
    ExploitationForm,
    SignalChannel,
    SignalStatus,
    ReferralStatus,
    ServiceType,
    DecisionOutcome,
    ConsentDecision,
    ConsentPurpose,
    ScreeningKind,
    Sex,
    DocumentType,
    Grade,
    OrganisationType,
]


def _codes(language: str) -> set[str]:
    """Codes whose label in `language` is not the code itself (English grades are "strong")."""
    with translation.override(language):
        return {
            str(value) for enum in ENUMS for value, label in enum.choices if str(label) != value
        } | set(ROLE_DEFINITIONS)


COUNTY_CODE = re.compile(r"\bRO-[A-Z]{1,2}\b")
# A code shown raw stands alone between separators ("begging, sexual"; "Status: sent"); a word
# inside a sentence or a label ("Forced begging") is not one.
SEPARATORS = re.compile(r"[,;·|()\u2014\u2013:\n]")
LOGINS = ["regional_officer", "prosecutor", "ngo_caseworker", "national_coordinator"]
SKIP = ("/accounts/logout", "/api/", "/static/", "/report/", "/i18n/", "export", ".csv")
PAGES_PER_LOGIN = 30


class _Page(HTMLParser):
    """The text a person reads (not scripts, not <code> for auditors) and the links."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "template"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _crawl(client, language: str):
    seen, queue = set(), ["/"]
    while queue and len(seen) < PAGES_PER_LOGIN:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or any(part in url for part in SKIP):
            continue
        seen.add(path)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        yield path, "\n".join(page.text)
        for link in page.links:
            absolute = urljoin(url, link)
            if absolute.startswith("/") and not absolute.startswith("//"):
                queue.append(absolute.split("#")[0])


def _raw_codes(text: str, language: str = "ro") -> set[str]:
    codes = _codes(language)
    found = set(COUNTY_CODE.findall(text))
    for fragment in SEPARATORS.split(text):
        if fragment.strip() in codes:
            found.add(fragment.strip())
    return found


def test_no_main_page_shows_a_raw_code():
    # One test, so the demo data is loaded once (inside the test's transaction) for all three.
    demo.load()
    for language in ("ro", "uk", "en"):
        problems = {}
        visited = 0
        for username in LOGINS:
            membership = Membership.objects.filter(user__username=username).first()
            client = verified_client(membership.user)
            for path, text in _crawl(client, language):
                visited += 1
                codes = _raw_codes(text, language)
                if codes:
                    problems[f"{username} {path}"] = sorted(codes)
        assert visited > 60, language
        assert problems == {}, language + "\n" + "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_check_finds_a_raw_code():
    assert _raw_codes("Forme: begging, sexuală") == {"begging"}
    assert _raw_codes("Forced begging, Sexual exploitation") == set()
    assert _raw_codes("(AL-CD-01, strong)", "en") == set()
    assert _raw_codes("(AL-CD-01, strong)", "uk") == {"strong"}
    assert _raw_codes("a prosecutor's office\nStatus: presumed_victim · RO-CJ", "en") == {
        "presumed_victim",
        "RO-CJ",
    }
