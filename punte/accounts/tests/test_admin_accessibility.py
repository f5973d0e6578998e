"""Checks of the administration pages a screen-reader or keyboard user depends on."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from punte.accounts.services import tokens
from punte.accounts.tests.factories import MembershipFactory
from punte.testing.web import verified_client


class _Controls(HTMLParser):
    """Collects form controls, label targets, element ids and inline script/style."""

    def __init__(self):
        super().__init__()
        self.controls, self.label_for, self.ids, self.inline = [], set(), set(), []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if (
            tag in ("input", "select", "textarea")
            and attrs.get("type")
            not in (
                "hidden",
                "submit",
                "button",
            )
            and "hidden" not in attrs
        ):
            self.controls.append(attrs)
        if "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline.append((tag, attrs))
        self._in_script = tag == "script" and "src" not in attrs

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(("script", data[:40]))

    def handle_endtag(self, tag):
        self._in_script = False


def _pages(target):
    return [
        reverse("accounts:admin_home"),
        reverse("accounts:admin_organisation_list"),
        reverse("accounts:admin_organisation_create"),
        reverse("accounts:admin_organisation_edit", args=[target.organisation_id]),
        reverse("accounts:admin_organisation_deactivate", args=[target.organisation_id]),
        reverse("accounts:admin_user_list"),
        reverse("accounts:admin_user_create"),
        reverse("accounts:admin_user_detail", args=[target.user_id]),
        reverse("accounts:admin_user_edit", args=[target.user_id]),
        reverse("accounts:admin_user_factors_reset", args=[target.user_id]),
        reverse("accounts:admin_user_sessions_end", args=[target.user_id]),
        reverse("accounts:admin_membership_role", args=[target.pk]),
        reverse("accounts:admin_token_create", args=[target.user_id]),
        reverse("accounts:admin_role_matrix"),
        reverse("accounts:admin_role_edit", args=["regional_officer"]),
    ]


@pytest.mark.django_db
def test_every_control_has_a_label_and_nothing_is_inline():
    admin = MembershipFactory(role_code="system_admin")
    target = MembershipFactory()
    tokens.apitoken_create(actor=None, membership=target, name="x")
    client = verified_client(admin.user)
    for url in _pages(target):
        parser = _Controls()
        parser.feed(client.get(url).content.decode())
        assert parser.controls or url.endswith("/admin/"), url
        for control in parser.controls:
            labelled_by = control.get("aria-labelledby", "").split()
            named = control.get("id") in parser.label_for or (
                labelled_by and all(ref in parser.ids for ref in labelled_by)
            )
            assert named, (url, control)
        assert not parser.inline, (url, parser.inline)  # CSP forbids inline script and style


@pytest.mark.django_db
def test_htmx_requests_of_a_signed_out_browser_load_the_login_page():
    response = Client().get(reverse("accounts:admin_user_list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
