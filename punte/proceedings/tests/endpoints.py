"""Every proceedings endpoint in the permission matrix (punte.testing.permission_matrix).

`owner` manages a case and links a proceeding to it at a prosecuting office of its own. Those
who follow proceedings (`proceeding.manage`) do so for the organisation managing the case, so
the matrix's rule (same organisation) is the rule here too.
"""

from __future__ import annotations

from punte.cases.tests.factories import open_case
from punte.proceedings import services
from punte.proceedings.tests.factories import prosecution_office, prosecutor_of, recorded
from punte.testing.permission_matrix import OBJECT, Endpoint


def _case(owner):
    case = open_case(manager=owner)
    case.matrix_office = prosecution_office()
    return case


def _proceeding(owner):
    return recorded(manager=owner)


def _offender(owner):
    proceeding = recorded(manager=owner)
    return services.offender_record(
        actor=prosecutor_of(proceeding.prosecuting_office),
        proceeding_id=proceeding.pk,
        sex="male",
        age_group="25-34",
        citizenship="RO",
    )


ENDPOINTS = [
    Endpoint(
        name="case.proceedings",
        method="GET",
        kind=OBJECT,
        permission="proceeding.view",
        path=lambda c: f"/cases/{c.pk}/proceedings",
        make_record=_case,
    ),
    Endpoint(
        name="case.proceedings.record",
        method="POST",
        kind=OBJECT,
        permission="proceeding.record",
        path=lambda c: f"/cases/{c.pk}/proceedings",
        make_record=_case,
        body=lambda c: {
            "file_number": "77/P/2026",
            "prosecuting_office_id": str(c.matrix_office.pk),
            "victim_role": "civil_party",
        },
        success_status=201,
    ),
    Endpoint(
        name="proceeding.get",
        method="GET",
        kind=OBJECT,
        permission="proceeding.view",
        path=lambda p: f"/proceedings/{p.pk}",
        make_record=_proceeding,
    ),
    Endpoint(
        name="proceeding.stage",
        method="POST",
        kind=OBJECT,
        permission="proceeding.manage",
        path=lambda p: f"/proceedings/{p.pk}/stage",
        make_record=_proceeding,
        body=lambda p: {"stage": "investigation"},
    ),
    Endpoint(
        name="proceeding.change",
        method="PUT",
        kind=OBJECT,
        permission="proceeding.manage",
        path=lambda p: f"/proceedings/{p.pk}",
        make_record=_proceeding,
        body=lambda p: {"victim_role": "witness", "protection_measures": ["heard_by_video"]},
    ),
    Endpoint(
        name="proceeding.charge",
        method="POST",
        kind=OBJECT,
        permission="proceeding.manage",
        path=lambda p: f"/proceedings/{p.pk}/charges",
        make_record=_proceeding,
        body=lambda p: {"offence": "trafficking_persons"},
        success_status=201,
    ),
    Endpoint(
        name="proceeding.offender",
        method="POST",
        kind=OBJECT,
        permission="proceeding.manage",
        path=lambda p: f"/proceedings/{p.pk}/offenders",
        make_record=_proceeding,
        body=lambda p: {"sex": "female", "age_group": "45-54", "citizenship": "MD"},
        success_status=201,
    ),
    Endpoint(
        name="offender.stage",
        method="POST",
        kind=OBJECT,
        permission="proceeding.manage",
        path=lambda o: f"/offenders/{o.pk}/stage",
        make_record=_offender,
        body=lambda o: {"stage": "prosecuted"},
    ),
]
