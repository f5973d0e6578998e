"""Screening, consent and decision endpoints for the permission matrix.

Decisions are bound to the organisation's type as well as the role: their records are made with
the owner's organisation turned into a prosecutor's office, which in the matrix is the caller's
organisation in the "own organisation" case (in the other case the caller cannot see the person
anyway, and no role of national scope holds decision.record).
"""

import datetime

from django.utils import timezone

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.services import consent
from punte.identification.screening.tests.factories import (
    VERSION,
    completed_screening,
    foreign_person,
    load_catalogue,
    make_competent,
    running_period,
    start_screening,
)
from punte.testing.permission_matrix import CREATE, LIST, OBJECT, UNSCOPED, Endpoint


def _today() -> str:
    return timezone.localdate().isoformat()


def _person_with_catalogue(owner):
    load_catalogue()
    return create_person(actor=owner)


def _competent_foreigner(owner):
    make_competent(owner)
    return foreign_person(owner)


def _running_period(owner):
    make_competent(owner)
    prosecutor = MembershipFactory(role_code="prosecutor", organisation=owner.organisation)
    return running_period(foreign_person(owner), days=10, actor=prosecutor)


def _catalogue_path(_record) -> str:
    # Reference data, not a record: no make_record (the stranger check skips it), loaded here.
    load_catalogue()
    return f"/indicator-catalogues/{VERSION}"


ENDPOINTS = [
    Endpoint(
        name="catalogue.get",
        method="GET",
        kind=UNSCOPED,
        permission="screening.view",
        path=_catalogue_path,
    ),
    Endpoint(
        name="screening.start",
        method="POST",
        kind=OBJECT,
        permission="screening.conduct",
        path=lambda person: f"/persons/{person.pk}/screenings",
        make_record=_person_with_catalogue,
        body=lambda _: {"kind": "short"},
        success_status=201,
    ),
    Endpoint(
        name="screening.person_history",
        method="GET",
        kind=OBJECT,
        permission="screening.view",
        path=lambda person: f"/persons/{person.pk}/screenings",
        make_record=lambda owner: completed_screening(owner).person,
    ),
    Endpoint(
        name="screening.get",
        method="GET",
        kind=OBJECT,
        permission="screening.view",
        path=lambda s: f"/screenings/{s.pk}",
        make_record=lambda owner: completed_screening(owner, ["AL-DR-01"]),
    ),
    Endpoint(
        name="screening.drafts",
        method="GET",
        kind=LIST,
        permission="screening.conduct",
        path=lambda _: "/screenings/drafts",
        make_record=start_screening,
    ),
    Endpoint(
        name="screening.answers",
        method="POST",
        kind=OBJECT,
        permission="screening.conduct",
        path=lambda s: f"/screenings/{s.pk}/answers",
        make_record=start_screening,
        body=lambda _: {"answers": {"AL-DR-01": True}, "catalogue_version": VERSION},
    ),
    Endpoint(
        name="screening.suspend",
        method="POST",
        kind=OBJECT,
        permission="screening.conduct",
        path=lambda s: f"/screenings/{s.pk}/suspend",
        make_record=start_screening,
        body=lambda _: {"reason": "interpreter_needed"},
    ),
    Endpoint(
        name="screening.complete",
        method="POST",
        kind=OBJECT,
        permission="screening.conduct",
        path=lambda s: f"/screenings/{s.pk}/complete",
        make_record=start_screening,
    ),
    Endpoint(
        name="consent.get",
        method="GET",
        kind=OBJECT,
        permission="person.view",
        path=lambda person: f"/persons/{person.pk}/consent",
        make_record=lambda owner: create_person(actor=owner),
    ),
    Endpoint(
        name="consent.record",
        method="POST",
        kind=OBJECT,
        permission="consent.record",
        path=lambda person: f"/persons/{person.pk}/consent",
        make_record=lambda owner: create_person(actor=owner),
        body=lambda _: {
            "purpose": "referral",
            "decision": "consented",
            "decided_on": _today(),
            "rights_language": "uk",
        },
        success_status=201,
    ),
    Endpoint(
        name="anonymous_notification.from_person",
        method="POST",
        kind=OBJECT,
        permission="consent.record",
        path=lambda person: f"/persons/{person.pk}/anonymous-notification",
        make_record=lambda owner: create_person(actor=owner),
        body=lambda _: {"exploitation_forms": ["labour"], "notified_on": _today()},
        success_status=201,
    ),
    Endpoint(
        name="anonymous_notification.create",
        method="POST",
        kind=CREATE,
        permission="consent.record",
        path=lambda _: "/anonymous-notifications",
        body=lambda _: {
            "sex": "female",
            "age_group": "adult",
            "citizenship_group": "non_eu",
            "exploitation_forms": ["sexual"],
            "notified_on": _today(),
        },
        success_status=201,
    ),
    Endpoint(
        name="anonymous_notification.list",
        method="GET",
        kind=LIST,
        permission="consent.record",
        path=lambda _: "/anonymous-notifications",
        make_record=lambda owner: consent.anonymous_notification_record(
            actor=owner,
            sex="male",
            age_group="adult",
            citizenship_group="national",
            exploitation_forms=["begging"],
            notified_on=timezone.localdate(),
        ),
    ),
    Endpoint(
        name="decision.list",
        method="GET",
        kind=OBJECT,
        permission="person.view",
        path=lambda person: f"/persons/{person.pk}/decisions",
        make_record=lambda owner: create_person(actor=owner),
    ),
    Endpoint(
        name="decision.record",
        method="POST",
        kind=OBJECT,
        permission="decision.record",
        path=lambda person: f"/persons/{person.pk}/decisions",
        make_record=lambda owner: create_person(actor=make_competent(owner)),
        body=lambda _: {
            "outcome": "identified_victim",
            "decided_on": _today(),
            "grounds": "Matrix",
            "exploitation_forms": ["labour"],
        },
        success_status=201,
    ),
    Endpoint(
        name="reflection_period.start",
        method="POST",
        kind=OBJECT,
        permission="decision.record",
        path=lambda person: f"/persons/{person.pk}/reflection-periods",
        make_record=_competent_foreigner,
        body=lambda _: {
            "starts_on": _today(),
            "ends_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
        success_status=201,
    ),
    Endpoint(
        name="reflection_period.ending",
        method="GET",
        kind=LIST,
        permission="person.view",
        path=lambda _: "/reflection-periods/ending?within_days=30",
        make_record=_running_period,
    ),
    Endpoint(
        name="reflection_period.extend",
        method="POST",
        kind=OBJECT,
        permission="decision.record",
        path=lambda period: f"/reflection-periods/{period.pk}/extend",
        make_record=_running_period,
        body=lambda _: {
            "ends_on": (timezone.localdate() + datetime.timedelta(days=40)).isoformat(),
            "reason": "Therapy",
        },
    ),
    Endpoint(
        name="reflection_period.terminate",
        method="POST",
        kind=OBJECT,
        permission="decision.record",
        path=lambda period: f"/reflection-periods/{period.pk}/terminate",
        make_record=_running_period,
        body=lambda _: {"on": _today(), "reason": "Left the country"},
    ),
]
