"""A person's journey through the mechanism, across organisations, as one viewer may see it.

The rule (ADR 0025), applied here and only here:

- the viewer must be able to open the person's record (the same scope as the record: outside
  it the journey is "not found", ADR 0003);
- a step the viewer's organisation took part in (recorded it, sent or received the referral),
  or any step for a role of national scope, is shown in full: organisation, state, details
  (grounds, reasons, indicators), link;
- another organisation's step is shown in outline: what happened, when, the *type* of
  organisation that did it and the step's state, without the organisation's name (a shelter's
  or a hospital's name says where the person is), without details and without a link;
- another organisation's unfinished work (a screening draft) is not shown at all.

Reading the journey is a read of the person's record: one audit event, `person.journey_viewed`,
in the transaction of the read, whatever the number of steps.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404

from punte.accounts.models import Membership
from punte.accounts.permissions import Scope
from punte.core import audit
from punte.core.errors import uuid_or_404
from punte.core.worklist import JourneyEntry
from punte.identification.persons.models import Person
from punte.identification.persons.selectors import person_list_visible_to
from punte.journey import registry

FULL = "full"
OUTLINE = "outline"


@dataclass(frozen=True)
class TimelineEntry:
    """A step as the viewer is shown it: organisation_name, details and url only in full."""

    entry: JourneyEntry
    level: str
    organisation_type: str
    organisation_name: str | None
    details: tuple[tuple[str, str], ...]
    url: str | None

    @property
    def occurred_at(self):
        return self.entry.occurred_at

    @property
    def happened_on(self):
        return self.entry.happened_on

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def status(self) -> str:
        return self.entry.status

    @property
    def is_full(self) -> bool:
        return self.level == FULL


@dataclass(frozen=True)
class Journey:
    person: Person
    entries: list[TimelineEntry]


def level_for(actor: Membership, entry: JourneyEntry) -> str | None:
    """FULL, OUTLINE or None (not shown): the whole visibility rule of the timeline."""
    if actor.organisation_id in entry.parties:
        return FULL
    if entry.private:
        return None
    if actor.scope == Scope.ALL:
        return FULL
    return OUTLINE


def _shown(actor: Membership, entry: JourneyEntry) -> TimelineEntry | None:
    level = level_for(actor, entry)
    if level is None:
        return None
    full = level == FULL
    return TimelineEntry(
        entry=entry,
        level=level,
        organisation_type=entry.organisation.get_type_display(),
        organisation_name=entry.organisation.name if full else None,
        details=entry.details if full else (),
        url=entry.url if full else None,
    )


def _entries_of(person: Person) -> list[JourneyEntry]:
    entries: list[JourneyEntry] = []
    for source in registry.journey_sources():
        entries.extend(source.entries(person))
    entries.sort(key=lambda entry: entry.occurred_at)
    return entries


def person_journey(*, actor: Membership | None, person_id: uuid.UUID | str) -> Journey:
    """The person's journey as `actor` may see it; 404 outside the actor's scope."""
    person_uuid = uuid_or_404(person_id)
    if actor is None:
        raise Http404
    with transaction.atomic():
        person = person_list_visible_to(actor=actor).filter(pk=person_uuid).first()
        if person is None:
            raise Http404
        shown = [
            entry
            for entry in (_shown(actor, entry) for entry in _entries_of(person))
            if entry is not None
        ]
        audit.record(
            action="person.journey_viewed",
            actor=actor,
            subject=person,
            person_id=person.pk,
            changes={"steps_shown": len(shown)},
        )
    return Journey(person=person, entries=shown)
