"""Persons' pages in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def _listed(scene):
    scene.adult  # noqa: B018
    return reverse("identification:person_list")


PAGES = [
    Page("persons", _listed, login=lambda s: s.officer),
    Page("new person", lambda s: reverse("identification:person_create"), lambda s: s.physician),
    Page(
        "person record (adult)",
        lambda s: reverse("identification:person_detail", args=[s.adult.pk]),
        login=lambda s: s.officer,
    ),
    Page(
        "person record (child, referred)",
        lambda s: (s.referrals, reverse("identification:person_detail", args=[s.child.pk]))[1],
        login=lambda s: s.physician,
    ),
    Page(
        "change person",
        lambda s: reverse("identification:person_edit", args=[s.adult.pk]),
        login=lambda s: s.officer,
    ),
]
