from punte.identification.persons.tests.factories import create_person
from punte.testing.permission_matrix import UNSCOPED, Endpoint

ENDPOINTS = [
    # The data protection officer answers for every person, whichever organisation recorded
    # them: the access log is national, so the record's organisation and the role's scope do
    # not matter, only the permission does.
    Endpoint(
        name="audit.person_access",
        method="GET",
        kind=UNSCOPED,
        permission="audit.view_person_access",
        path=lambda person: f"/audit/persons/{person.pk}/access",
        make_record=lambda owner: create_person(actor=owner),
    ),
]
