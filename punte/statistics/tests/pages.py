"""The national dashboard in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def _dashboard(scene):
    scene.referrals  # noqa: B018 — figures to show
    return reverse("statistics:dashboard")


PAGES = [Page("national dashboard", _dashboard, login=lambda s: s.coordinator)]
