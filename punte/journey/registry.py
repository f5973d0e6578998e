"""What each app contributes to the worklists and to a person's journey (the types are in
`punte.core.worklist`), found by `punte.core.contract`.

So the worklist and the timeline grow with the apps: a new app adds its `journey.py` and nothing
here changes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from punte.core import contract
from punte.core.worklist import JourneySource, WorklistSection

MODULE = "journey"


@dataclass
class _Contributions:
    sections: list[WorklistSection] = field(default_factory=list)
    sources: list[JourneySource] = field(default_factory=list)


def _contributions() -> _Contributions:
    return _contributions_of(tuple(contract.packages()))


# Read on every worklist request: gathered once per set of installed apps (tests install more).
@functools.cache
def _contributions_of(packages: tuple[str, ...]) -> _Contributions:
    found = _Contributions(
        sections=contract.collect(MODULE, "WORKLIST_SECTIONS"),
        sources=contract.collect(MODULE, "JOURNEY_SOURCES"),
    )
    keys = [section.key for section in found.sections]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise ImproperlyConfigured(f"Worklist sections declared twice: {sorted(duplicates)}")
    found.sections.sort(key=lambda section: (section.order, section.key))
    return found


def worklist_sections() -> list[WorklistSection]:
    return list(_contributions().sections)


def journey_sources() -> list[JourneySource]:
    return list(_contributions().sources)
