"""Rules the services enforce are stated in the API document, so that a client generated from
it meets no surprise: combinations of fields, code lists and least numbers of items."""

import pytest
from django.test import Client


@pytest.fixture(scope="module")
def components(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()["components"]["schemas"]


def _items(schema: dict, components: dict) -> dict:
    items = schema["items"]
    ref = items.get("$ref")
    return components[ref.rsplit("/", 1)[1]] if ref else items


def test_a_person_needs_a_name_an_alias_or_unknown_identity(components):
    person = components["PersonIn"]
    assert {"required": ["given_name"]} in person["anyOf"]
    assert {
        "required": ["identity_unknown"],
        "properties": {"identity_unknown": {"const": True}},
    } in person["anyOf"]
    years = person["properties"]["birth_year"]["anyOf"][0]
    assert (years["minimum"], years["maximum"]) == (1900, 2100)


def test_forms_of_exploitation_and_indicator_lists_are_code_lists(components):
    decision = components["IdentificationDecisionIn"]["properties"]["exploitation_forms"]
    assert "begging" in _items(decision, components)["enum"]
    notification = components["PersonNotificationIn"]["properties"]["exploitation_forms"]
    assert notification["minItems"] == 1
    lists = components["ScreeningStartIn"]["properties"]["lists"]
    assert "clinical" in _items(lists, components)["enum"]
