"""The contract of the worklists and of a person's journey: what an app's `journey.py` declares.

An app contributes by defining `punte/<app>/journey.py` with either or both of:

- `WORKLIST_SECTIONS`: a list of `WorklistSection`. A section reads its rows through the app's
  own selectors (scoped by the acting membership) and is shown only to a membership that holds
  its permission (and, optionally, passes `applies_to`).
- `JOURNEY_SOURCES`: a list of `JourneySource`. A source lists the steps of one person's journey
  that its app holds, each with the organisations that took part in it; what a viewer is shown
  of each step is decided in one place, `punte.journey.timeline`, never by the sources.

The types live here, below every app, so that an app implements them without importing the
journey app that aggregates them (`punte.journey.registry`).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# The acting membership (punte.accounts.models.Membership): named loosely because core knows
# no app above it.
Actor = Any


def _always(actor: Actor) -> bool:
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
    rows: Callable[[Actor], QuerySet]
    item: Callable[[Any], WorkItem]
    order: int = 100
    # The keyset the section pages on (a real field of the rows' model) and its direction:
    # deadlines ascending (the soonest first), arrivals descending (the newest first).
    order_field: str = "created_at"
    ascending: bool = False
    # Sections of overdue work are marked as such on the page.
    urgent: bool = False
    applies_to: Callable[[Actor], bool] = _always

    def visible_to(self, actor: Actor | None) -> bool:
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
    organisation: Any  # punte.accounts.models.Organisation
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
