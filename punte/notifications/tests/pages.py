"""Notifications in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def _notified(scene):
    scene.referrals  # noqa: B018 — the receivers are notified
    return scene.member("child_protection_officer")


PAGES = [Page("notifications", lambda s: reverse("notifications:list"), login=_notified)]
