"""Screening, consent and decision pages in the accessibility suite
(punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def _short_draft(scene):
    from punte.identification.screening.tests.factories import start_screening

    draft = start_screening(scene.physician, scene.child, kind="short", lists=())
    return reverse("identification:screening", args=[draft.pk])


def _decisions(scene):
    scene.referrals  # noqa: B018 — accepted by the prosecutor's office
    return reverse("identification:person_decisions", args=[scene.child.pk])


PAGES = [
    Page(
        "screenings of a person",
        lambda s: reverse("identification:person_screenings", args=[s.adult.pk]),
        login=lambda s: s.officer,
    ),
    Page(
        "screening questionnaire (full)",
        lambda s: reverse("identification:screening", args=[s.full_screening_draft.pk]),
        login=lambda s: s.officer,
    ),
    Page("screening questionnaire (short)", _short_draft, login=lambda s: s.physician),
    Page(
        "screening result",
        lambda s: reverse("identification:screening_result", args=[s.short_screening.pk]),
        login=lambda s: s.physician,
    ),
    Page(
        "consent",
        lambda s: reverse("identification:person_consent", args=[s.adult.pk]),
        login=lambda s: s.officer,
    ),
    Page("identification decision", _decisions, login=lambda s: s.prosecutor),
]
