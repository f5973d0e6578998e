"""The site's icon: named by every page, and where browsers look for it first."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_pages_name_the_icon_and_favicon_ico_leads_to_it_without_signing_in(client):
    page = client.get("/accounts/login/")
    assert b'<link rel="icon" href="/static/punte/favicon.svg"' in page.content

    icon = client.get("/favicon.ico")  # anonymous: an icon carries no data
    assert icon.status_code == 301
    assert icon["Location"] == "/static/punte/favicon.svg"
    assert finders.find("punte/favicon.svg")
