from punte.identification.persons.tests.factories import create_person
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
    Endpoint(
        name="person.update",
        method="PUT",
        kind=OBJECT,
        permission="person.change",
        path=lambda person: f"/persons/{person.pk}",
        make_record=lambda owner: create_person(actor=owner),
        body=lambda _: {"family_name": "Schimbată", "approximate_age": 30, "sex": "female"},
    ),
]
