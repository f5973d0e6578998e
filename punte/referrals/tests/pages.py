"""Referrals' pages in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def _route(scene):
    scene.short_screening  # noqa: B018
    return reverse("referrals:route", args=[scene.child.pk])


def _inbox(scene):
    scene.referrals  # noqa: B018
    return reverse("referrals:inbox")


PAGES = [
    Page("referral routing", _route, login=lambda s: s.physician),
    Page(
        "referral (sender)",
        lambda s: reverse("referrals:detail", args=[s.referrals["dgaspc"].pk]),
        login=lambda s: s.physician,
    ),
    Page(
        "referral (receiver)",
        lambda s: reverse("referrals:detail", args=[s.referrals["dgaspc"].pk]),
        login=lambda s: s.member("child_protection_officer"),
    ),
    Page("referrals inbox", _inbox, login=lambda s: s.member("child_protection_officer")),
    Page(
        "overdue referrals",
        lambda s: reverse("referrals:overdue"),
        login=lambda s: s.coordinator,
    ),
    Page(
        "service registry",
        lambda s: reverse("referrals:services"),
        login=lambda s: s.member("system_admin"),
    ),
]
