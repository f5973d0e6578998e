"""Record linkage's review queue in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page

PAGES = [
    Page(
        "linkage review queue",
        lambda s: reverse("linkage:review_queue"),
        login=lambda s: s.member("data_analyst"),
    ),
]
