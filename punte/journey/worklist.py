"""A membership's worklist: the sections the apps contribute that its role may see, each with
its count and its first items (ADR 0025).

Reading a worklist is not audited: its items name the kind of work, the place and the state,
never a person; opening a person's record from it is audited as every opening is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from punte.accounts.models import Membership
from punte.core.api_support import paginate_by_cursor
from punte.core.worklist import WorkItem, WorklistSection
from punte.journey import registry

# How many items of each section the home page and GET /worklist show.
FIRST_ITEMS = 5


@dataclass(frozen=True)
class SectionPage:
    section: WorklistSection
    count: int
    items: list[WorkItem]
    next_cursor: str | None


def sections_visible_to(actor: Membership | None) -> list[WorklistSection]:
    return [section for section in registry.worklist_sections() if section.visible_to(actor)]


def _page(
    section: WorklistSection, *, actor: Membership, cursor: str | None, limit: int
) -> SectionPage:
    rows = section.rows(actor)
    page, next_cursor = paginate_by_cursor(
        rows,
        cursor=cursor,
        limit=limit,
        order_field=section.order_field,
        ascending=section.ascending,
    )
    # The count only when the first page does not already tell it.
    count = len(page) if cursor is None and next_cursor is None else rows.count()
    return SectionPage(
        section=section,
        count=count,
        items=[section.item(row) for row in page],
        next_cursor=next_cursor,
    )


def worklist_for(*, actor: Membership | None, first: int = FIRST_ITEMS) -> list[SectionPage]:
    """Every section the actor may see, in order, with its count and first items."""
    if actor is None:
        return []
    return [
        _page(section, actor=actor, cursor=None, limit=first)
        for section in sections_visible_to(actor)
    ]


def worklist_section_page(
    *, actor: Membership | None, key: str, cursor: str | None, limit: int
) -> SectionPage:
    """One page of one section; a section the actor may not see is not found (ADR 0003)."""
    for section in sections_visible_to(actor):
        if section.key == key:
            return _page(section, actor=actor, cursor=cursor, limit=limit)
    raise Http404
