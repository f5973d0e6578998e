"""Every role × every API endpoint × own / other organisation.

See punte.testing.permission_matrix for how the expected answers are derived.
"""

import pytest

from punte.accounts.models import Role
from punte.accounts.permissions import ROLE_DEFINITIONS
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.testing.api import ApiClient
from punte.testing.permission_matrix import (
    CREATE,
    LIST,
    UNSCOPED,
    all_endpoints,
    expected_status,
)

ENDPOINTS = all_endpoints()


@pytest.mark.django_db
@pytest.mark.parametrize("role_code", sorted(ROLE_DEFINITIONS))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@pytest.mark.parametrize("where", ["own organisation", "other organisation"])
def test_permission_matrix(role_code, endpoint, where):
    home = OrganisationFactory()
    elsewhere = OrganisationFactory()
    role = Role.objects.get(code=role_code)
    caller = MembershipFactory(organisation=home, role=role)
    # The record is made by a colleague (or a stranger), never by the caller: "own" scope must
    # not reach it, and "organisation" scope must reach it only at home.
    owner_org = home if where == "own organisation" else elsewhere
    owner = MembershipFactory(organisation=owner_org, role_code="regional_officer")
    record = endpoint.make_record(owner) if endpoint.make_record else None

    client = ApiClient(caller)
    body = endpoint.body(record) if endpoint.body else None
    response = client.request(endpoint.method, endpoint.path(record), body)

    expected = expected_status(
        endpoint=endpoint,
        permissions=caller.permission_codes,
        scope=role.scope,
        same_organisation=(owner_org == home),
        own_record=False,
    )
    if endpoint.kind == LIST:
        assert response.status_code == 200, response.content
        ids = {item["id"] for item in response.json()["items"]}
        listed = endpoint.record_id(record) in ids
        assert ("listed" if listed else "not listed") == expected
    elif endpoint.kind == CREATE:
        assert response.status_code == expected, response.content
    else:
        assert response.status_code == expected, response.content


@pytest.mark.django_db
def test_every_object_endpoint_answers_404_to_a_stranger_with_every_permission():
    """The rule the matrix rests on, checked once more with the broadest organisation role."""
    stranger = MembershipFactory(role_code="regional_officer")
    owner = MembershipFactory(role_code="regional_officer")
    for endpoint in ENDPOINTS:
        # UNSCOPED endpoints are national by nature (the registry of hearing rooms, any
        # person's access report for its officer): organisation does not decide them.
        if endpoint.kind in (LIST, CREATE, UNSCOPED) or endpoint.make_record is None:
            continue
        record = endpoint.make_record(owner)
        body = endpoint.body(record) if endpoint.body else None
        response = ApiClient(stranger).request(endpoint.method, endpoint.path(record), body)
        assert response.status_code == 404, endpoint.name
        assert response["Content-Type"] == "application/problem+json"
