"""The guided path "screen a person" measured on a phone (docs/USABILITY.md): from the signed-in
home page to "referrals sent" for the short clinical screen of a child of unknown identity, at
360 x 740 CSS px, in English and in Ukrainian.

What is counted, and asserted:
- page loads: documents the browser's main frame commits, the home page included (a form post
  answered by a redirect is one load: the page the redirect leads to);
- taps: every click and every check of a box or a radio button.

The keystroke-level estimate (Card, Moran and Newell's KLM) is printed, not asserted as a time:
taps x 1.1 s (point and tap on a touch screen) + decisions x 1.35 s (the mental operator,
placed before each choice the physician makes: identity, sex, age, the kind of screen, each of
the six answers, the referrals to send) + reading, at 250 words a minute. Reading is the words
the physician reads to work the pages: each page's main heading, the text of every control
tapped (its label, or the button), and on the result page the names of the bodies the
referrals go to. That estimate is the one held under 60 s. The six questions themselves are
the clinical interview, asked aloud whatever the medium; the test prints a second estimate
with them read once at 250 words a minute too, so that both figures are on record.

The Ukrainian run also proves that every page of the path is in Ukrainian: no text on it is in
English or Romanian, except names (organisations, the product), codes and the languages offered
for the rights information, each shown in its own language.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from punte.journey.tests.e2e import CHILD_PRESUMED, cast
from punte.referrals.models import Referral
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAX_PAGE_LOADS = 5
MAX_TAPS = 14
MAX_SECONDS = 60
TAP_S = 1.1
DECISION_S = 1.35
WORDS_PER_MINUTE = 250

# What the page says in each language, as a person reads it.
WORDING = {
    "en": {
        "start": "Screen a person",
        "identity_unknown": "Identity unknown",
        "female": "Female",
        "may_be_child": "Age unknown: may be a child",
        "short": "Next: the short clinical screen",
        "short_heading": "Short screen",
        "complete": "Complete and see the result",
        "presumed": "Presumed victim",
        "send": "Send the referrals",
        "sent": "Referrals sent",
    },
    "uk": {
        "start": "Провести скринінг особи",
        "identity_unknown": "Особу не встановлено",
        "female": "Жіноча",
        "may_be_child": "Вік невідомий: може бути дитиною",
        "short": "Далі: короткий клінічний скринінг",
        "short_heading": "Короткий скринінг",
        "complete": "Завершити й переглянути результат",
        "presumed": "Імовірна жертва",
        "send": "Надіслати направлення",
        "sent": "Направлення надіслано",
    },
}

# Latin-script words allowed on a Ukrainian page: names and codes, not interface text.
NAMES = re.compile(
    r"Punte|DGASPC|DIICOT|ANITP|Cluj|Spitalul|Clinic|Județean|de|Urgență|Centrul|Regional|"
    r"Serviciul|Teritorial|Agenția|Națională|împotriva|Traficului|Persoane|"
    r"[A-Z]{2,}(-[A-Z0-9]+)*|SS-\d|[a-z]+(-[a-z0-9]+)+-v\d+|RO-[A-Z]{1,2}|\d+"
)


class Flow:
    """Plays the path and counts what the person does."""

    def __init__(self, page):
        self.page = page
        self.loads = 0
        self.taps = 0
        self.decisions = 0
        self.words = 0
        self.question_words = 0
        self.pages: list[str] = []
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.loads += 1
            self.pages.append(frame.url)

    def read(self, locator) -> None:
        for text in locator.all_inner_texts():
            self.words += len(text.split())

    def read_question(self, legend) -> None:
        # The question, not its code (shown small, for reference).
        text = legend.evaluate("el => el.firstChild.textContent")
        self.question_words += len(text.split())

    def tap(self, locator, *, decision: bool = False, check: bool = False) -> None:
        name = locator.evaluate(
            "el => (el.labels && el.labels.length ? el.labels[0].innerText : el.innerText)"
        )
        self.words += len(name.split())
        self.taps += 1
        self.decisions += int(decision)
        if check:
            locator.check()
        else:
            locator.click()

    @property
    def reading_s(self) -> float:
        return self.words / WORDS_PER_MINUTE * 60

    @property
    def estimate_s(self) -> float:
        return self.taps * TAP_S + self.decisions * DECISION_S + self.reading_s

    @property
    def questions_s(self) -> float:
        return self.question_words / WORDS_PER_MINUTE * 60


# Options that are names, not interface text: counties (Romanian place names), and the country
# and language names of the reference data, whose translation is the reference data's own
# (country and language names in the interface's language, issue 11 part 3).
NAME_LISTS = (
    'select[name="county"], select[name$="citizenship"], select[name$="citizenships"], '
    'select[name$="language"], select[name$="languages"], select[name^="document_country"]'
)


def _not_in_ukrainian(page) -> list[str]:
    """Text of the page with no Ukrainian in it and words in Latin script that are not a name
    or a code: an English or Romanian fallback. Text in an element marked as in another language
    (the rights information offered in Romanian or English) is skipped, as are lists of names."""
    texts = page.evaluate(
        """(nameLists) => {
          const found = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const parent = node.parentElement;
            if (!parent || parent.closest('script, style, [hidden]')) continue;
            if (parent.closest(nameLists)) continue;
            const lang = parent.closest('[lang]');
            if (lang && !lang.lang.startsWith('uk')) continue;
            const text = node.textContent.trim();
            if (text) found.push(text);
          }
          for (const el of document.querySelectorAll('[aria-label]')) {
            found.push(el.getAttribute('aria-label'));
          }
          return found;
        }""",
        NAME_LISTS,
    )
    latin = re.compile(r"[A-Za-zĂÂÎȘȚăâîșț]{2,}")
    cyrillic = re.compile(r"[\u0400-\u04FF]")
    return [
        text for text in texts if not cyrillic.search(text) and latin.search(NAMES.sub(" ", text))
    ]


def _sign_in(page, live_server, membership, language: str) -> None:
    client = verified_client(membership.user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_child_of_unknown_identity_screened_and_referred_on_a_phone(page, live_server, language):
    c = cast()
    words = WORDING[language]
    _sign_in(page, live_server, c.physician, language)
    page.set_viewport_size({"width": 360, "height": 740})
    flow = Flow(page)
    fallbacks: dict[str, list[str]] = {}
    violations: dict[str, list] = {}
    widths: dict[str, int] = {}
    content: dict[str, int] = {}

    def arrived() -> None:
        page.wait_for_load_state()
        flow.read(page.locator("h1"))
        found = Axe().run(page).response["violations"]
        if found:
            violations[page.url] = [(v["id"], [n["target"] for n in v["nodes"]]) for v in found]
        widths[page.url] = page.evaluate("document.documentElement.scrollWidth")
        # The path's own content fits the phone (the page header is the layout's concern).
        content[page.url] = page.evaluate(
            "Math.max(...[...document.querySelectorAll('main *')]"
            ".map(e => Math.ceil(e.getBoundingClientRect().right)))"
        )
        if language == "uk":
            found = _not_in_ukrainian(page)
            if found:
                fallbacks[page.url] = found

    page.goto("/")
    arrived()
    flow.tap(page.get_by_role("link", name=words["start"]))
    expect(page.get_by_role("heading", level=1)).to_have_text(words["start"])
    arrived()
    current = page.locator('[aria-current="step"]')
    expect(current).to_have_count(1)

    flow.tap(page.get_by_label(words["identity_unknown"]), decision=True, check=True)
    flow.tap(page.get_by_role("radio", name=words["female"]), decision=True, check=True)
    flow.tap(page.get_by_label(words["may_be_child"]), decision=True, check=True)
    flow.tap(page.get_by_role("button", name=words["short"]), decision=True)

    expect(page.get_by_role("heading", level=1)).to_have_text(words["short_heading"])
    arrived()
    for code, answer in CHILD_PRESUMED.items():
        question = page.locator(f"#q-{code} legend")
        flow.read_question(question)
        option = page.locator(f'input[name="{code}"][value="{answer}"]')
        target = page.locator("label.choice").filter(has=option)
        with page.expect_response(lambda response: "autosave" in response.url) as saved:
            flow.tap(target, decision=True)
        assert saved.value.status == 200
    flow.tap(page.get_by_role("button", name=words["complete"]))

    expect(page.get_by_role("heading", level=1)).to_contain_text(words["presumed"])
    arrived()
    flow.read(
        page.locator("fieldset").filter(has=page.locator('select[name^="rule:"]')).locator("legend")
    )
    flow.tap(page.get_by_role("button", name=words["send"]), decision=True)

    expect(page.get_by_role("heading", level=1)).to_have_text(words["sent"])
    arrived()
    assert Referral.objects.filter(sender_organisation=c.hospital).count() == 3

    print(
        f"\n[{language}] screen a person, child of unknown identity, short screen, 360x740: "
        f"{flow.loads} page loads, {flow.taps} taps, {flow.decisions} decisions, "
        f"{flow.words} words read ({flow.reading_s:.1f} s at {WORDS_PER_MINUTE} wpm); "
        f"KLM estimate {flow.taps} x {TAP_S} + {flow.decisions} x {DECISION_S} + "
        f"{flow.reading_s:.1f} = {flow.estimate_s:.1f} s; with the six questions read "
        f"({flow.question_words} words, {flow.questions_s:.1f} s): "
        f"{flow.estimate_s + flow.questions_s:.1f} s"
    )
    print(
        f"[{language}] at 360 px, widest content {max(content.values())} px, "
        f"widest document (with the header) {max(widths.values())} px"
    )
    assert flow.loads <= MAX_PAGE_LOADS, flow.pages
    assert flow.taps <= MAX_TAPS
    assert flow.estimate_s < MAX_SECONDS
    assert not violations, violations
    assert max(content.values()) <= 360, content
    assert not fallbacks, "\n".join(
        f"{url}: {texts[:40]} ({len(texts)} in all)" for url, texts in fallbacks.items()
    )
