"""Worklists and the journey in the permission matrix.

The journey is a read of the person's record: the record's scope applies (OBJECT). A worklist
section answers by its permission alone (UNSCOPED: 200 with it, 404 without); which rows it
lists is the contributing app's selector's business, tested with each contribution
(punte/journey/tests/test_*_contributions.py). Every role has a
worklist, possibly empty: GET /worklist is listed under organisation.view, which every role
holds, so that a role without it would be caught here.
"""

from punte.identification.persons.tests.factories import create_person
from punte.testing.permission_matrix import OBJECT, UNSCOPED, Endpoint

ENDPOINTS = [
    Endpoint(
        name="person.journey",
        method="GET",
        kind=OBJECT,
        permission="person.view",
        path=lambda person: f"/persons/{person.pk}/journey",
        make_record=lambda owner: create_person(actor=owner),
    ),
    Endpoint(
        name="worklist",
        method="GET",
        kind=UNSCOPED,
        permission="organisation.view",
        path=lambda _: "/worklist",
    ),
    Endpoint(
        name="worklist.signals_open",
        method="GET",
        kind=UNSCOPED,
        permission="signal.triage",
        path=lambda _: "/worklist/signals.open",
    ),
    Endpoint(
        name="worklist.referrals_incoming",
        method="GET",
        kind=UNSCOPED,
        permission="referral.respond",
        path=lambda _: "/worklist/referrals.incoming",
    ),
    Endpoint(
        name="worklist.screening_drafts",
        method="GET",
        kind=UNSCOPED,
        permission="screening.conduct",
        path=lambda _: "/worklist/screenings.drafts",
    ),
]
