"""The page header's markup (base.html): one menu that works without script, the page one is on
marked, the language switcher for everyone."""

import pytest
from django.test import Client

from punte.accounts.tests.factories import MembershipFactory
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def test_signed_in_the_links_and_tools_are_in_one_disclosure_and_the_current_page_is_marked():
    member = MembershipFactory(role_code="regional_officer")
    html = verified_client(member.user).get("/signals/").content.decode()
    menu = html[html.index('<details class="site-menu"') : html.index("</details>")]
    assert '<summary class="site-menu-toggle">Menu</summary>' in menu
    for tool in ('aria-label="Main"', 'id="language-select"', ">Sign out</button>", "Security"):
        assert tool in menu, tool
    assert '<a href="/signals/" aria-current="page">' in menu
    assert '<a href="/" aria-current' not in menu
    assert html.count('aria-current="page"') == 1


def test_signed_out_the_header_is_the_brand_and_the_language():
    html = Client().get("/accounts/login/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "site-menu" not in header and "Sign out" not in header
    assert 'id="language-select"' in header
