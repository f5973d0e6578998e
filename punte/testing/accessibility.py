"""The accessibility suite: every page of the site, checked in Chromium with axe-core (WCAG 2.1
A and AA rules) at 1280 and 320 CSS px, and for reflow (no horizontal scrolling at 320 px,
WCAG 1.4.10).

An app adds its pages by listing `Page`s (punte.testing.pages) in `punte/<app>/tests/pages.py`
as `PAGES` (found by `punte.core.contract`, like the permission matrix's `ENDPOINTS`): a name,
the address built from a `Scene`, and who is signed in. For example::

    PAGES = [
        Page("case detail", lambda s: reverse("cases:detail", args=[make_case(s).pk]),
             login=lambda s: s.member("ngo_caseworker")),
    ]

`Scene` holds the records most pages are opened on (the county's bodies, a child screened in
an emergency room and referred, an adult with a full screening and consent, a signal, a public
report), each built on first use, so a page costs only what it reads. Free text in the scene
carries a right-to-left override, so every page also shows whether it isolates what people
typed (`check_page` fails on any that leaks; core/tests/test_bidi.py checks the markup too).

axe-core comes from the `axe-playwright-python` wheel (axe.min.js inside it; `axe_version()`
names it); nothing is downloaded when the tests run.
"""

from __future__ import annotations

import datetime
from functools import cached_property
from typing import Any

# The rules a page must pass: WCAG 2.0 and 2.1, levels A and AA (axe's tags).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1280, 320)
HEIGHT = 740
# A right-to-left override, as someone could type it into any free-text field to make the text
# after it read backwards ("spoofing" a name or a place).
RLO = "\u202e"


def axe_version() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT.split("\n", 1)[0].removeprefix("/*! axe v").strip()


class Scene:
    """Records the pages are opened on, each built on first use through the services."""

    COUNTY = "RO-CJ"

    def __init__(self) -> None:
        self._members: dict[str, Any] = {}

    # --- who -------------------------------------------------------------------------------

    @cached_property
    def cast(self):
        from punte.journey.tests.e2e import cast

        return cast()

    @property
    def physician(self):
        return self.cast.physician

    @property
    def prosecutor(self):
        return self.cast.prosecutor

    @property
    def coordinator(self):
        return self.cast.coordinator

    @cached_property
    def officer(self):
        """A regional centre officer of the county (records signals, screens adults)."""
        from punte.accounts.tests.factories import MembershipFactory

        return MembershipFactory(
            organisation=self.cast.centre,
            role_code="regional_officer",
            user__first_name="Ioana",
            user__last_name="Mureșan",
        )

    def member(self, role_code: str):
        """A member of `role_code` in an organisation of the county (one per role)."""
        if role_code not in self._members:
            from punte.accounts.models import OrganisationType
            from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory

            kinds = {
                "system_admin": self.cast.agency,
                "national_coordinator": self.cast.agency,
                "data_analyst": self.cast.agency,
                "regional_officer": self.cast.centre,
                "prosecutor": self.cast.prosecution,
                "child_protection_officer": self.cast.dgaspc,
                "child_protection_supervisor": self.cast.dgaspc,
                "clinician": self.cast.hospital,
            }
            organisation = kinds.get(role_code) or OrganisationFactory(
                type=OrganisationType.NGO, county_id=self.COUNTY
            )
            self._members[role_code] = MembershipFactory(
                organisation=organisation, role_code=role_code
            )
        return self._members[role_code]

    # --- the child of the emergency room ---------------------------------------------------

    @cached_property
    def child(self):
        """A child of unknown identity recorded by the physician."""
        from punte.identification.persons.services import PersonInput, person_create

        return person_create(
            actor=self.physician,
            data=PersonInput(
                identity_unknown=True,
                sex="female",
                may_be_child=True,
                languages=["ukr"],
                notes=f"Brought by ambulance {RLO}from the station{RLO}; speaks little.",
            ),
        )

    @cached_property
    def short_screening(self):
        """The child's completed short screen: presumed victim."""
        from punte.identification.screening.services import screening
        from punte.identification.screening.tests.factories import load_catalogue
        from punte.journey.tests.e2e import CHILD_PRESUMED

        load_catalogue()
        draft = screening.screening_start(actor=self.physician, person=self.child, kind="short")
        screening.screening_save_answers(
            actor=self.physician, screening=draft, answers=CHILD_PRESUMED
        )
        return screening.screening_complete(actor=self.physician, screening=draft)

    @cached_property
    def referrals(self) -> dict:
        """The routing rules' referrals of the child, sent by the physician, by receiver; the
        prosecutor's office has accepted."""
        from punte.referrals import services

        self.short_screening  # noqa: B018 — the screening comes first, as in real use
        targets = {
            "child-protection": self.cast.dgaspc,
            "child-prosecutor": self.cast.prosecution,
            "regional-centre": self.cast.centre,
        }
        sent = services.referrals_send(
            actor=self.physician,
            person=self.child,
            county_code=self.COUNTY,
            requests=[
                services.ReferralRequest(receiver_organisation_id=org.pk, rule_code=code)
                for code, org in targets.items()
            ],
            note=f"Needs a Ukrainian interpreter {RLO}urgently{RLO}.",
        )
        by_receiver = {r.receiver_organisation_id: r for r in sent.referrals}
        services.referral_accept(
            actor=self.prosecutor, referral_id=by_receiver[self.cast.prosecution.pk].pk
        )
        return {
            "dgaspc": by_receiver[self.cast.dgaspc.pk],
            "prosecution": by_receiver[self.cast.prosecution.pk],
            "centre": by_receiver[self.cast.centre.pk],
        }

    # --- an adult met by the regional centre -----------------------------------------------

    @cached_property
    def adult(self):
        from punte.identification.persons.services import PersonInput, person_create

        return person_create(
            actor=self.officer,
            data=PersonInput(
                given_name="Olena",
                family_name=f"Kovalenko{RLO}xe",
                aliases=["Лена"],
                date_of_birth=datetime.date(1998, 4, 2),
                sex="female",
                citizenships=["UA"],
                languages=["ukr", "ron"],
                notes=f"Met at the bus station {RLO}in Cluj{RLO}.",
            ),
        )

    @cached_property
    def full_screening_draft(self):
        from punte.identification.screening.tests.factories import start_screening

        return start_screening(self.officer, self.adult, kind="full", lists=("adult_labour",))

    @cached_property
    def signal(self):
        from punte.identification.signals.tests.factories import create_signal

        return create_signal(
            actor=self.officer,
            description=f"Workers sleep in the warehouse {RLO}at night{RLO}.",
        )

    @cached_property
    def public_report(self):
        from punte.identification.signals.tests.factories import create_public_report

        self.cast  # noqa: B018 — the regional centre that receives it
        return create_public_report(
            description=f"Un băiat cerșește zilnic la intersecție {RLO}cu un bărbat{RLO}.",
        )


def check_page(page, *, width: int) -> list[str]:
    """Problems of the page as it is now, at `width` CSS px: axe-core's WCAG 2.1 A/AA
    violations, and at 320 px any horizontal scrolling. Empty when the page passes."""
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": width, "height": HEIGHT})
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    problems = []
    for violation in results.response["violations"]:
        targets = "; ".join(
            f"{' '.join(node['target'])}: {node.get('failureSummary', '').strip()}"
            for node in violation["nodes"][:5]
        )
        problems.append(f"[{width}px] {violation['id']} ({violation['help']}): {targets}")
    spoofed = page.evaluate(
        """(rlo) => {
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          const leaks = [];
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (node.data.includes(rlo)
                && !parent.closest('bdi, [dir="auto"], textarea, option, script, template')) {
              leaks.push(parent.outerHTML.slice(0, 120));
            }
          }
          return leaks;
        }""",
        RLO,
    )
    problems += [f"[{width}px] bidi: typed text not isolated: {leak}" for leak in spoofed]
    if width <= 320:
        scroll_width, inner_width, widest = page.evaluate(
            """() => {
              const viewport = window.innerWidth;
              const widest = [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > viewport + 0.5
                  && !e.closest('.table-scroll'))
                .slice(0, 5)
                .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && typeof e.className === 'string'
                     ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
              return [document.documentElement.scrollWidth, viewport, widest];
            }"""
        )
        if scroll_width > inner_width:
            problems.append(
                f"[{width}px] reflow: the document is {scroll_width} px wide in a "
                f"{inner_width} px viewport; past the edge: {', '.join(widest)}"
            )
    return problems
