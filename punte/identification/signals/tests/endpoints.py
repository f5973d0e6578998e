from punte.identification.signals.tests.factories import create_signal
from punte.testing.permission_matrix import CREATE, LIST, OBJECT, Endpoint

ENDPOINTS = [
    Endpoint(
        name="signal.get",
        method="GET",
        kind=OBJECT,
        permission="signal.view",
        path=lambda signal: f"/signals/{signal.pk}",
        make_record=lambda owner: create_signal(actor=owner),
    ),
    Endpoint(
        name="signal.list",
        method="GET",
        kind=LIST,
        permission="signal.view",
        path=lambda signal: "/signals",
        make_record=lambda owner: create_signal(actor=owner),
    ),
    Endpoint(
        name="signal.create",
        method="POST",
        kind=CREATE,
        permission="signal.create",
        path=lambda _: "/signals",
        body=lambda _: {"channel": "hotline", "description": "Matrix test signal."},
        success_status=201,
    ),
    Endpoint(
        name="signal.add_person",
        method="POST",
        kind=OBJECT,
        permission="signal.triage",
        path=lambda signal: f"/signals/{signal.pk}/people",
        make_record=lambda owner: create_signal(actor=owner),
        body=lambda _: {"description": "A second child, about 8"},
        success_status=201,
    ),
    Endpoint(
        name="signal.triage",
        method="POST",
        kind=OBJECT,
        permission="signal.triage",
        path=lambda signal: f"/signals/{signal.pk}/triage",
        make_record=lambda owner: create_signal(actor=owner),
        body=lambda _: {"to": "in_triage"},
    ),
]
