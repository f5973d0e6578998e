"""Every page of the site passes axe-core's WCAG 2.1 A and AA rules at 1280 and 320 CSS px, and
reflows at 320 px without horizontal scrolling (WCAG 1.4.10).

The pages are every app's `tests/pages.py` (punte.testing.accessibility): a new page is one line
there. One browser and one live server serve them all; each page is built, opened once and
checked at both widths.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from punte.testing.accessibility import WIDTHS, Scene, axe_version, check_page
from punte.testing.pages import all_pages
from punte.testing.web import verified_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = all_pages()


def sign_in(page, live_server, membership, *, verified: bool) -> None:
    if verified:
        client = verified_client(membership.user)
    else:
        client = Client()
        client.force_login(membership.user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.parametrize("site_page", PAGES, ids=[p.name for p in PAGES])
def test_page_is_accessible_and_reflows(site_page, page, live_server):
    scene = Scene()
    membership = site_page.login(scene) if site_page.login else None
    path = site_page.path(scene)
    if membership is not None:
        sign_in(page, live_server, membership, verified=site_page.verified)
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert page.url.endswith(path), f"{site_page.name}: {path} went to {page.url}"
    problems = [problem for width in WIDTHS for problem in check_page(page, width=width)]
    assert not problems, f"{site_page.name} ({path}, axe {axe_version()}):\n" + "\n".join(problems)


def test_every_main_page_is_in_the_suite():
    """The pages the mechanism's users work on (issue 11) may not drop out of the suite."""
    names = {p.name for p in PAGES}
    from punte.accounts.permissions import ROLE_DEFINITIONS

    required = {
        "sign-in",
        "person record (adult)",
        "screening questionnaire (full)",
        "screening questionnaire (short)",
        "screening result",
        "consent",
        "referral (sender)",
        "referral routing",
        "identification decision",
        "national dashboard",
        "public report form",
        "administration",
        "audit search",
        "signals",
    } | {f"home: {code}" for code in ROLE_DEFINITIONS}
    assert required <= names, sorted(required - names)
