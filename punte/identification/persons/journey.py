"""What persons contribute to a person's journey (ADR 0025): the recording of the person.

The journey's steps are read for one person whom the viewer may already open; what the viewer is
shown of each step is decided by punte.journey.timeline, not here.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punte.core.worklist import JourneyEntry, JourneySource
from punte.identification.persons.models import Person


def _person_url(person_id) -> str:
    return reverse("identification:person_detail", args=[person_id])


def _person_steps(person: Person) -> list[JourneyEntry]:
    return [
        JourneyEntry(
            occurred_at=person.created_at,
            kind="person.recorded",
            title=_("Person recorded"),
            organisation=person.owner_organisation,
            parties=frozenset({person.owner_organisation_id}),
            url=_person_url(person.pk),
        )
    ]


JOURNEY_SOURCES = [
    JourneySource(key="identification.person", entries=_person_steps),
]
