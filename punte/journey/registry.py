"""What each app contributes to the worklists and to a person's journey, found by convention.

An app (or a part of one, punte.core.contract) contributes by defining a module
`punte/<app>/journey.py` with either or both of:

- `WORKLIST_SECTIONS`: a list of `WorklistSection`. A section reads its rows through the app's
  own selectors (scoped by the acting membership) and is shown only to a membership that holds
  its permission (and, optionally, passes `applies_to`).
- `JOURNEY_SOURCES`: a list of `JourneySource`. A source lists the steps of one person's journey
  that its app holds, each with the organisations that took part in it; what a viewer is shown
  of each step is decided in one place, `punte.journey.timeline`, never by the sources.

So the worklist and the timeline grow with the apps: a new app adds its module and nothing here
changes (the same discovery as the permission matrix's `tests/endpoints.py`).
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from punte.accounts.models import Membership, Organisation
from punte.core import contract

MODULE = "journey"


def _always(actor: Membership) -> bool:
    return True


@dataclass(frozen=True)
class WorkItem:
    """One line of a worklist. `label` names the kind of work, the place and the state, never a
    person: opening the person's record is what the audit trail counts."""

    id: str
    kind: str
    label: str
    url: str | None
    occurred_at: datetime.datetime
    person_id: uuid.UUID | None = None
    due_at: datetime.datetime | datetime.date | None = None
    overdue: bool = False
    status: str = ""

    @property
    def due_is_a_day(self) -> bool:
        """A deadline that is a day (a period's last day), not a moment: shown without a time."""
        return isinstance(self.due_at, datetime.date) and not isinstance(
            self.due_at, datetime.datetime
        )


@dataclass(frozen=True)
class WorklistSection:
    key: str
    title: Any  # a lazy translation
    permission: str
    # What to do when the section is empty (shown as is).
    empty_text: Any
    # rows(actor) -> the section's rows, from the app's selector (scoped by the membership).
    rows: Callable[[Membership], QuerySet]
    item: Callable[[Any], WorkItem]
    order: int = 100
    # The keyset the section pages on (a real field of the rows' model) and its direction:
    # deadlines ascending (the soonest first), arrivals descending (the newest first).
    order_field: str = "created_at"
    ascending: bool = False
    # Sections of overdue work are marked as such on the page.
    urgent: bool = False
    applies_to: Callable[[Membership], bool] = _always

    def visible_to(self, actor: Membership | None) -> bool:
        return actor is not None and actor.has_perm(self.permission) and self.applies_to(actor)


@dataclass(frozen=True)
class JourneyEntry:
    """One step of a person's journey, as its app knows it.

    `parties` are the organisations entitled to the step's detail (who recorded it, who sent
    and who received a referral). `status` is the step's state in a word or two (accepted,
    presumed victim) and is shown to every viewer of the journey; `details` (grounds, reasons,
    which indicators) and `url` only to parties. A `private` step (an unfinished draft) is not
    shown outside its parties at all.
    """

    occurred_at: datetime.datetime
    kind: str
    title: str
    organisation: Organisation
    parties: frozenset[uuid.UUID]
    status: str = ""
    happened_on: datetime.date | None = None
    details: tuple[tuple[str, str], ...] = ()
    url: str | None = None
    private: bool = False


@dataclass(frozen=True)
class JourneySource:
    key: str
    # entries(person) -> the steps this app holds about the person. The caller has already
    # established that the viewer may open the person's record.
    entries: Callable[[Any], Iterable[JourneyEntry]]


@dataclass
class _Contributions:
    sections: list[WorklistSection] = field(default_factory=list)
    sources: list[JourneySource] = field(default_factory=list)


@functools.cache
def _contributions() -> _Contributions:
    found = _Contributions()
    for module in contract.modules(MODULE):
        found.sections.extend(getattr(module, "WORKLIST_SECTIONS", []))
        found.sources.extend(getattr(module, "JOURNEY_SOURCES", []))
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
