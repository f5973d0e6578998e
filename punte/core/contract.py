"""The app contract: what an app contributes from its own folder, and the one helper that finds it.

An app contributes by defining, in its own package, whichever of these modules it has. Nothing
outside the app names it: adding an app is its folder and one line in `INSTALLED_APPS`.

| module                | attribute(s)                           | read by |
| --- | --- | --- |
| `permissions.py`      | `PERMISSIONS`, `DEFAULT_GRANTS`        | the Role table's seed |
| `api.py`              | `router`                               | `punte.api` |
| `urls.py`             | `URL_PREFIX`, `urlpatterns`, `app_name`| `punte.urls` |
|                       | `ROOT_URLPATTERNS` (outside the prefix)| `punte.urls` |
| `navigation.py`       | `NAVIGATION`                           | the page header |
| `demo.py`             | `DEMO`                                 | the demo app (`load_demo`) |
| `journey.py`          | `WORKLIST_SECTIONS`, `JOURNEY_SOURCES` | the worklist and the timeline |
| `retention.py`        | `RULES`, `KEPT`                        | `apply_retention` |
| `events.py`           | `EVENTS`                               | `audit.record` (the catalogue) |
| `jobs.py`             | `JOBS`                                 | the task worker's scheduler |
| `checks.py`           | `CHECKS`                               | Django's system checks |
| `metrics.py`          | `METRICS` (`ScrapeGauge`s)             | `/metrics` (core.observability) |
| `rls.py`              | `POLICIES`, `FUNCTIONS`                | row-level security (`core.rls`) |
| `tests/endpoints.py`  | `ENDPOINTS`                            | the permission matrix (tests) |

The worklist's types (`WorklistSection`, `JourneySource`, ...) are in `core.worklist`; the page
header reads `NAVIGATION` through the template tag `navigation_for` (core.templatetags).

An app whose domain holds several parts (identification: persons, signals, screening) names
them in its AppConfig as `parts = ("persons", ...)`; each part is a sub-package with the same
modules, discovered the same way, after the app's own.
"""

from __future__ import annotations

import datetime
import functools
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps

PROJECT = "punte."


def packages() -> list[str]:
    """Every package that may contribute, in `INSTALLED_APPS` order: each Punte app, then its
    declared parts."""
    found: list[str] = []
    for config in apps.get_app_configs():
        if not config.name.startswith(PROJECT):
            continue
        found.append(config.name)
        found.extend(f"{config.name}.{part}" for part in getattr(config, "parts", ()))
    return found


def is_part(module: str) -> bool:
    """Whether `module` lies in a part of an app (e.g. punte.identification.persons.urls)."""
    parts = set(packages()) - {config.name for config in apps.get_app_configs()}
    return any(module == part or module.startswith(f"{part}.") for part in parts)


def _import(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only the contribution itself may be missing; a broken import inside it must surface.
        if exc.name is not None and (module == exc.name or module.startswith(f"{exc.name}.")):
            return None
        raise


def modules(name: str) -> list[ModuleType]:
    """The module `name` (e.g. "jobs", "tests.endpoints") of every package that defines it."""
    return _modules(name, tuple(packages()))


@functools.cache
def _modules(name: str, package_names: tuple[str, ...]) -> list[ModuleType]:
    # Keyed by the packages too, so test settings that install another app see its modules.
    return [m for p in package_names if (m := _import(f"{p}.{name}")) is not None]


def contributions(name: str, attribute: str) -> Iterator[tuple[str, Any]]:
    """(package, value) of `attribute` in every package's module `name` that defines it."""
    for module in modules(name):
        if hasattr(module, attribute):
            yield module.__name__.rsplit(".", name.count(".") + 1)[0], getattr(module, attribute)


def collect(name: str, attribute: str) -> list[Any]:
    """Every package's list (or tuple) `attribute` in module `name`, concatenated in order."""
    return [item for _package, values in contributions(name, attribute) for item in values]


def collect_mapping(name: str, attribute: str) -> dict[Any, Any]:
    """Every package's dict `attribute` in module `name`, merged; a key defined twice is a
    mistake (two apps claiming one permission or one event name) and raises."""
    merged: dict[Any, Any] = {}
    owner: dict[Any, str] = {}
    for package, values in contributions(name, attribute):
        for key, value in values.items():
            if key in merged:
                raise ValueError(
                    f"{key!r} is contributed twice, by {owner[key]} and by {package} "
                    f"({name}.{attribute})."
                )
            merged[key], owner[key] = value, package
    return merged


@dataclass(frozen=True)
class NavEntry:
    """A link in the page header, shown to a membership holding any of `permissions`."""

    label: Any  # a lazy translation
    url_name: str
    permissions: tuple[str, ...]
    order: int = 100


@dataclass(frozen=True)
class DemoStep:
    """Part of the demo data: `load(context)` runs after every step of a lower `order`, in one
    transaction with them; it must be idempotent (`load_demo` runs again on a loaded database)."""

    name: str
    order: int
    load: Callable[[Any], None]


@dataclass(frozen=True)
class PeriodicJob:
    """Work the task worker runs every `every`, once across all workers: `run()` must be
    idempotent (a job late by several periods runs once, not once per period missed)."""

    name: str
    every: datetime.timedelta
    run: Callable[[], Any]
