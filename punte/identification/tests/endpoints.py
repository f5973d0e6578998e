from punte.identification.tests.endpoints_mechanism import ENDPOINTS as MECHANISM_ENDPOINTS
from punte.identification.tests.factories import create_person
from punte.testing.permission_matrix import CREATE, LIST, OBJECT, Endpoint

ENDPOINTS = [
    Endpoint(
        name="person.get",
        method="GET",
        kind=OBJECT,
        permission="person.view",
        path=lambda person: f"/persons/{person.pk}",
        make_record=lambda owner: create_person(actor=owner),
    ),
    Endpoint(
        name="person.list",
        method="GET",
        kind=LIST,
        permission="person.view",
        path=lambda person: "/persons",
        make_record=lambda owner: create_person(actor=owner),
    ),
    Endpoint(
        name="person.search",
        method="POST",
        kind=LIST,
        permission="person.view",
        path=lambda person: "/persons/search",
        make_record=lambda owner: create_person(actor=owner, family_name="Căutată"),
        body=lambda person: {"family_name": "CAUTATA"},
    ),
    Endpoint(
        name="person.create",
        method="POST",
        kind=CREATE,
        permission="person.create",
        path=lambda _: "/persons",
        body=lambda _: {"family_name": "Matrix", "given_name": "Test", "sex": "male"},
        success_status=201,
    ),
]

ENDPOINTS.append(
    Endpoint(
        name="person.update",
        method="PUT",
        kind=OBJECT,
        permission="person.change",
        path=lambda person: f"/persons/{person.pk}",
        make_record=lambda owner: create_person(actor=owner),
        body=lambda _: {"family_name": "Schimbată", "approximate_age": 30, "sex": "female"},
    )
)

# --- Signals ---------------------------------------------------------------------------------
from punte.identification.tests.signal_factories import create_signal  # noqa: E402

ENDPOINTS += [
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

# Screening, consent, decisions and reflection periods (ADR 0022).
ENDPOINTS += MECHANISM_ENDPOINTS
