"""What criminal proceedings contribute to a person's journey (ADR 0025): each stage of each
proceeding of the person's cases. Parties are the prosecuting office and the organisation that
manages the case; others see the outline only (punte.journey.timeline decides)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punte.core.worklist import JourneyEntry, JourneySource
from punte.proceedings.models import ProceedingEvent


def _steps(person) -> list[JourneyEntry]:
    events = (
        ProceedingEvent.objects.filter(proceeding__case__person=person)
        .select_related("proceeding__prosecuting_office", "proceeding__case", "organisation")
        .order_by("occurred_at")
    )
    return [
        JourneyEntry(
            occurred_at=event.occurred_at,
            kind="proceeding.stage",
            title=_("Criminal proceedings: %(stage)s") % {"stage": event.to_stage_label},
            organisation=event.organisation or event.proceeding.prosecuting_office,
            parties=frozenset(
                {
                    event.proceeding.prosecuting_office_id,
                    event.proceeding.case.owner_organisation_id,
                }
            ),
            status=event.proceeding.get_stage_display(),
            url=reverse("proceedings:detail", args=[event.proceeding_id]),
        )
        for event in events
    ]


JOURNEY_SOURCES = [JourneySource(key="proceedings.stages", entries=_steps)]
