"""Every schema of the OpenAPI document is the one its operations really use.

ninja files each model under its class name in `components/schemas`, and when two routers each
have a class of the same name the last one silently replaces the other: an operation is then
documented with the other router's body. This walks every operation's own pydantic models and
checks that each of them, and each model it refers to, is the component of that name.
"""

from __future__ import annotations

import enum
import types
import typing

import pydantic
import pytest
from ninja.openapi.schema import REF_TEMPLATE, NinjaGenerateJsonSchema

from punte.api import api


def _operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield f"{method} {path}", operation


def _definitions(operation) -> list[tuple[str, dict, str]]:
    """(component name, its schema, mode) for every model the operation's document refers to."""
    found = []
    for model in operation.models:
        mode = "validation"
        schema = model.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode=mode
        )
        found.extend(
            (name, definition, mode) for name, definition in schema.get("$defs", {}).items()
        )
    for response_model in operation.response_models.values():
        if response_model is None or not isinstance(response_model, type):
            continue
        schema = response_model.model_json_schema(
            ref_template=REF_TEMPLATE,
            schema_generator=NinjaGenerateJsonSchema,
            mode="serialization",
            by_alias=operation.by_alias,
        )
        found.extend(
            (name, definition, "serialization")
            for name, definition in schema.get("$defs", {}).items()
        )
    return found


def _classes(annotation, seen: set) -> None:
    """Every pydantic model and enum reachable from a type annotation."""
    if annotation in seen:
        return
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _classes(field.annotation, seen)
        return
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        seen.add(annotation)
        return
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for argument in typing.get_args(annotation):
            _classes(argument, seen)


def _document_name(cls: type) -> str:
    # pydantic's own naming: a generic CursorPage[X] is filed as CursorPage_X_.
    return NinjaGenerateJsonSchema(ref_template=REF_TEMPLATE).normalize_name(cls.__name__)


@pytest.fixture(scope="module")
def components():
    return api.get_openapi_schema()["components"]["schemas"]


def test_no_two_models_of_the_api_share_a_name():
    by_name: dict[str, set[str]] = {}
    for _label, operation in _operations():
        classes: set = set()
        for model in operation.models:
            _classes(model, classes)
        for response_model in operation.response_models.values():
            if isinstance(response_model, type):
                _classes(response_model, classes)
        for cls in classes:
            if cls.__name__ in ("NinjaResponseSchema",) or getattr(
                cls, "__ninja_param_source__", None
            ):
                continue  # ninja's own wrappers, never filed under components
            by_name.setdefault(_document_name(cls), set()).add(
                f"{cls.__module__}.{cls.__qualname__}"
            )
    collisions = {name: sorted(owners) for name, owners in by_name.items() if len(owners) > 1}
    assert not collisions, f"Rename one of each (a component name is global): {collisions}"


def test_every_operation_is_documented_with_its_own_models(components):
    wrong = []
    for label, operation in _operations():
        for name, definition, mode in _definitions(operation):
            if components.get(name) != definition:
                wrong.append(f"{label}: {name} ({mode})")
    assert not wrong, "Documented with another model than the one the code uses:\n" + "\n".join(
        wrong
    )
