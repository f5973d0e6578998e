"""/api/v1/worklist and /api/v1/persons/{id}/journey: the same selectors as the pages."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Router, Schema

from punte.journey import timeline, worklist

router = Router(tags=["worklist and journey"])


class WorkItemOut(Schema):
    id: str
    kind: str
    label: str
    status: str
    url: str | None
    person_id: uuid.UUID | None
    occurred_at: datetime.datetime
    due_at: datetime.datetime | datetime.date | None
    overdue: bool


class SectionOut(Schema):
    key: str
    title: str
    count: int
    urgent: bool
    empty_text: str
    items: list[WorkItemOut]
    next_cursor: str | None


class WorklistOut(Schema):
    sections: list[SectionOut]


class SectionPageOut(SectionOut):
    pass


def _section(page: worklist.SectionPage) -> dict:
    section = page.section
    return {
        "key": section.key,
        "title": str(section.title),
        "count": page.count,
        "urgent": section.urgent,
        "empty_text": str(section.empty_text),
        "items": page.items,
        "next_cursor": page.next_cursor,
    }


@router.get("/worklist", response=WorklistOut, summary="Your worklist")
def get_worklist(request: HttpRequest):
    """The sections your role may see (open signals and screening drafts, incoming and overdue
    referrals, decisions to take, reflection periods ending soon...), each with its count and
    first items. Page through one section with `/worklist/{key}`. Items name no person."""
    pages = worklist.worklist_for(actor=request.membership)
    return {"sections": [_section(page) for page in pages]}


@router.get("/worklist/{key}", response=SectionPageOut, summary="One section of your worklist")
def get_worklist_section(
    request: HttpRequest, key: str, cursor: str | None = None, limit: int = 50
):
    """Cursor pagination in the section's order (deadlines soonest first, arrivals newest
    first). A section your role may not see is a 404."""
    page = worklist.worklist_section_page(
        actor=request.membership, key=key, cursor=cursor, limit=limit
    )
    return _section(page)


class JourneyStepOut(Schema):
    occurred_at: datetime.datetime
    happened_on: datetime.date | None
    kind: str
    title: str
    status: str
    level: str
    organisation_type: str
    organisation_name: str | None
    details: list[tuple[str, str]]
    url: str | None


class JourneyOut(Schema):
    person_id: uuid.UUID
    steps: list[JourneyStepOut]


@router.get("/persons/{person_id}/journey", response=JourneyOut, summary="A person's journey")
def get_person_journey(request: HttpRequest, person_id: str):
    """Every step of the person's journey across organisations, oldest first. Steps your
    organisation took part in are `full`; other organisations' steps are an `outline` (what,
    when, which type of organisation, the state; no name, details or link); their unfinished
    drafts are left out. Written to the audit trail as one `person.journey_viewed` event."""
    journey = timeline.person_journey(actor=request.membership, person_id=person_id)
    return {
        "person_id": journey.person.pk,
        "steps": [
            {
                "occurred_at": step.occurred_at,
                "happened_on": step.happened_on,
                "kind": step.kind,
                "title": str(step.title),
                "status": str(step.status),
                "level": step.level,
                "organisation_type": str(step.organisation_type),
                "organisation_name": step.organisation_name,
                "details": [(str(label), str(value)) for label, value in step.details],
                "url": step.url,
            }
            for step in journey.entries
        ],
    }
