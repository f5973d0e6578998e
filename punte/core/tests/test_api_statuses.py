"""Every status the API can answer is documented on each operation that can answer it.

Two walks of the document. The first checks the shared code paths every operation goes through
(authentication, the permission check, scope hiding records as 404, lifecycle conflicts and the
Idempotency-Key on every POST, the body size limit, input validation). The second reads each
app's source for the statuses its domain refusals carry (`ServiceError(..., status=N)`, a
lifecycle's `refusal_status=N`) and checks that every operation of that app which can reach its
services (a POST or PUT) documents each of them, so a new refusal cannot ship undocumented.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

import pytest

from punte.api import api

PAGING = {"cursor", "limit"}


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", method, operation


def test_shared_code_paths_are_documented_on_every_operation(document):
    missing = []
    for label, method, operation in _operations(document):
        documented = {int(status) for status in operation["responses"]}
        parameters = operation.get("parameters", [])
        expected = {400}
        if operation.get("security"):
            expected |= {401, 403}
        if (
            any(p["in"] == "path" for p in parameters)
            or "requestBody" in operation
            or any(p["in"] == "query" and p["name"] not in PAGING for p in parameters)
        ):
            expected.add(404)
        if method == "post":
            expected |= {409, 413, 422}
        if method == "put":
            expected |= {413, 422}
        if any(p["in"] in ("path", "query") for p in parameters):
            expected.add(422)
        if expected - documented:
            missing.append(f"{label}: {sorted(expected - documented)}")
    assert not missing, "\n".join(missing)


def _imports(tree: ast.Module) -> set[str]:
    """The punte modules a module imports (a name imported from a package may be a module)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("punte"):
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("punte"))
    return names


def _statuses(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if (
                    keyword.arg in ("status", "refusal_status")
                    and isinstance(keyword.value, ast.Constant)
                    and isinstance(keyword.value.value, int)
                    and 400 <= keyword.value.value < 600
                ):
                    found.add(keyword.value.value)
    return found


def _source(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, AttributeError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


@functools.cache
def _functions(module_name: str) -> dict[str, list[ast.AST]]:
    """Every function (and class, whose call runs its methods) of the view's module and of the
    modules of its own app and of core that it imports, directly or not, by name."""
    app = ".".join(module_name.split(".")[:2])
    seen: set[str] = set()
    pending = [module_name]
    functions: dict[str, list[ast.AST]] = {}
    while pending:
        name = pending.pop()
        if name in seen or not (name.startswith(app) or name.startswith("punte.core")):
            continue
        seen.add(name)
        source = _source(name)
        if source is None:
            continue
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                functions.setdefault(node.name, []).append(node)
        pending.extend(_imports(tree))
    return functions


def _reachable_statuses(view) -> set[int]:
    """Statuses of the refusals on the code paths of a handler: the functions it calls, by
    name, through its app and core (a name shared by two functions counts both: the walk may
    see more than runs, never less)."""
    functions = _functions(view.__module__)
    pending = [view.__name__]
    seen: set[str] = set()
    found: set[int] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in functions.get(name, []):
            found |= _statuses(node)
            for call in ast.walk(node):
                if isinstance(call, ast.Call):
                    callee = call.func
                    if isinstance(callee, ast.Attribute):
                        pending.append(callee.attr)
                    elif isinstance(callee, ast.Name):
                        pending.append(callee.id)
                # Functions passed as values (a lifecycle's hooks) run too.
                elif isinstance(call, ast.Name) and call.id in functions:
                    pending.append(call.id)
    return found


def test_each_app_documents_the_refusals_its_services_raise(document):
    operations = {}
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    operations[(method.lower(), f"/api/v1{path}")] = operation
    missing = []
    checked = 0
    for label, method, operation in _operations(document):
        view = operations[(method, label.split(" ", 1)[1])].view_func
        raised = _reachable_statuses(view)
        documented = {int(status) for status in operation["responses"]}
        checked += 1
        if raised - documented:
            missing.append(f"{label}: {sorted(raised - documented)}")
    assert checked > 20
    assert not missing, "Refusals answered but not documented:\n" + "\n".join(missing)
