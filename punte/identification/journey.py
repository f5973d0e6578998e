"""What identification contributes to worklists and to a person's journey (ADR 0025).

Worklist rows come from this app's selectors, which scope them by the acting membership; the
journey's steps are read for one person whom the viewer may already open, and what the viewer
is shown of each step is decided by punte.journey.timeline, not here.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punte.identification.models import Person
from punte.journey.registry import JourneyEntry, JourneySource


def _person_steps(person: Person) -> list[JourneyEntry]:
    return [
        JourneyEntry(
            occurred_at=person.created_at,
            kind="person.recorded",
            title=_("Person recorded"),
            organisation=person.owner_organisation,
            parties=frozenset({person.owner_organisation_id}),
            url=reverse("identification:person_detail", args=[person.pk]),
        )
    ]


WORKLIST_SECTIONS = []

JOURNEY_SOURCES = [JourneySource(key="identification.person", entries=_person_steps)]
