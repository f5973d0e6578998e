"""The audit pages in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def _search(scene):
    scene.referrals  # noqa: B018 — events to find
    return reverse("audit:search") + "?action=referral.sent"


PAGES = [
    Page("audit search", _search, login=lambda s: s.member("auditor")),
    Page(
        "person access report",
        lambda s: reverse("audit:person_access"),
        login=lambda s: s.member("data_protection_officer"),
    ),
]
