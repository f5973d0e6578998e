"""Signals' pages and the public report in the accessibility suite
(punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def _listed(scene):
    scene.signal  # noqa: B018
    scene.public_report  # noqa: B018
    return reverse("signals:list")


PAGES = [
    Page("signals", _listed, login=lambda s: s.officer),
    Page("new signal", lambda s: reverse("signals:create"), login=lambda s: s.officer),
    Page(
        "signal",
        lambda s: reverse("signals:detail", args=[s.signal.pk]),
        login=lambda s: s.officer,
    ),
    Page(
        "signal from a public report",
        lambda s: reverse("signals:detail", args=[s.public_report.pk]),
        login=lambda s: s.officer,
    ),
    Page("public report form", lambda s: (s.cast, reverse("public_report"))[1]),
    Page("public report sent", lambda s: reverse("public_report_thanks")),
]
