"""What hearings contribute to worklists and to a person's journey (ADR 0025): the hearings one
takes part in, soonest first; each hearing of the person's cases on their journey."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from punte.accounts.models import Membership
from punte.core.worklist import JourneyEntry, JourneySource, WorkItem, WorklistSection
from punte.hearings.models import Hearing, HearingParticipant
from punte.hearings.selectors import upcoming_for


def _upcoming(actor: Membership):
    return upcoming_for(actor=actor, now=timezone.now())


def _item(hearing: Hearing) -> WorkItem:
    return WorkItem(
        id=str(hearing.pk),
        kind="hearing",
        label=_("%(purpose)s · %(room)s")
        % {
            "purpose": hearing.get_purpose_display(),
            "room": hearing.room.name,
        },
        url=reverse("hearings:detail", args=[hearing.pk]),
        occurred_at=hearing.created_at,
        due_at=hearing.starts_at,
        status=hearing.get_status_display(),
    )


WORKLIST_SECTIONS = [
    WorklistSection(
        key="hearings.upcoming",
        title=_("Hearings you take part in"),
        permission="hearing.view",
        empty_text=_("No hearing to come."),
        rows=_upcoming,
        item=_item,
        order=45,
        order_field="starts_at",
        ascending=True,
    ),
]


def _steps(person) -> list[JourneyEntry]:
    hearings = (
        Hearing.objects.filter(case__person=person)
        .select_related("room", "organisation", "case")
        .order_by("starts_at")
    )
    parties_of: dict = {}
    for hearing_id, organisation_id in HearingParticipant.objects.filter(
        hearing__in=hearings
    ).values_list("hearing_id", "organisation_id"):
        parties_of.setdefault(hearing_id, set()).add(organisation_id)
    steps = []
    for hearing in hearings:
        parties = {hearing.organisation_id, hearing.case.owner_organisation_id}
        parties |= parties_of.get(hearing.pk, set())
        steps.append(
            JourneyEntry(
                occurred_at=hearing.created_at,
                kind="hearing.booked",
                title=_("Hearing booked: %(purpose)s") % {"purpose": hearing.get_purpose_display()},
                organisation=hearing.organisation,
                parties=frozenset(parties),
                status=hearing.get_status_display(),
                details=(
                    (
                        str(_("When")),
                        date_format(timezone.localtime(hearing.starts_at), "SHORT_DATETIME_FORMAT"),
                    ),
                    (str(_("Room")), hearing.room.name),
                ),
                url=reverse("hearings:detail", args=[hearing.pk]),
            )
        )
    return steps


JOURNEY_SOURCES = [JourneySource(key="hearings.hearings", entries=_steps)]
