"""Each role's home (its worklist) and a person's journey in the accessibility suite
(punte.testing.accessibility)."""

from django.urls import reverse

from punte.accounts.permissions import ROLE_DEFINITIONS
from punte.testing.pages import Page


def _home_of(role_code):
    def login(scene):
        # Something on the worklist, so its tables are checked too.
        scene.referrals  # noqa: B018
        return scene.member(role_code)

    return login


def _journey(scene):
    scene.referrals  # noqa: B018
    return reverse("journey:person_journey", args=[scene.child.pk])


PAGES = [
    Page("home: physician (worklist)", lambda s: (s.referrals, "/")[1], lambda s: s.physician),
    Page("home: prosecutor (worklist)", lambda s: (s.referrals, "/")[1], lambda s: s.prosecutor),
    *(
        Page(f"home: {code}", lambda s: "/", login=_home_of(code))
        for code in sorted(ROLE_DEFINITIONS)
    ),
    Page("person's journey", _journey, login=lambda s: s.physician),
]
