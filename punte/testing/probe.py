"""Helpers for tests that walk every API operation and every page: a membership holding every
permission nationally, the routes of the site, and request bodies built from the OpenAPI
document."""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from punte.accounts.models import Role, RolePermission
from punte.accounts.permissions import Scope, catalogue

PROBE_ROLE = "test_every_permission"


def all_permissions_membership(**factory_kwargs):
    """A membership whose role holds every permission of the installed apps, scope "all"."""
    from punte.accounts.tests.factories import MembershipFactory

    role, created = Role.objects.get_or_create(
        code=PROBE_ROLE, defaults={"name": "Every permission", "scope": Scope.ALL}
    )
    if created:
        RolePermission.objects.bulk_create(
            RolePermission(role=role, permission=code) for code in catalogue()
        )
    return MembershipFactory(role=role, **factory_kwargs)


_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def page_routes() -> list[tuple[str, dict[str, str]]]:
    """(route, {parameter: converter}) of every page: the site's routes outside the API."""
    found: list[tuple[str, dict[str, str]]] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if not isinstance(entry.pattern, RoutePattern):
                continue  # regular expressions: the language prefix and static files only
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and not route.startswith("api/"):
                parameters = {
                    m["name"]: m["converter"] or "str" for m in _CONVERTER.finditer(route)
                }
                found.append(("/" + route, parameters))

    walk(get_resolver().url_patterns, "")
    return found


def fill_route(route: str, values: dict[str, str]) -> str:
    return _CONVERTER.sub(lambda m: values[m["name"]], route)


# --- Bodies from the OpenAPI document ----------------------------------------------------


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    # An object's anyOf states which of its properties must come together (e.g. a person's
    # name or unknown identity): the object itself is the schema to fill.
    if "anyOf" in schema and schema.get("type") != "object":
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        return _resolve(branches[0], document)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], document)
    return schema


def example(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A value of the schema's type with every property present (not necessarily one the
    domain accepts: a probe checks how an input is refused, not that it is accepted)."""
    schema = _resolve(schema, document)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: example(prop, document) for name, prop in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [example(schema.get("items", {}), document)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return schema.get("minimum", 1.0)
    if kind == "boolean":
        return True
    formats = {"uuid": str(uuid.uuid4()), "date": "2020-01-02", "date-time": "2020-01-02T03:04:05Z"}
    return formats.get(schema.get("format"), "x" * max(1, schema.get("minLength", 1)))


def string_leaves(value: Any, path: tuple = ()) -> list[tuple]:
    """The paths of every string in a JSON value: ("people", 0, "description")."""
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in string_leaves(v, (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in string_leaves(v, (*path, i))]
    return []


def replaced(value: Any, path: tuple, new: Any) -> Any:
    value = copy.deepcopy(value)
    target = value
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return value
