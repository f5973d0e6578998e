"""Pages: the home page (the acting role's worklist), one worklist section (paged), and a
person's journey (a page, or the fragment that the person's record loads in place with htmx)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from punte.accounts.selectors import memberships_of
from punte.core.errors import ServiceError
from punte.journey import screen, timeline, worklist

PAGE_SIZE = 25


def home(request):
    others = []
    if request.membership is not None:
        others = list(memberships_of(user=request.user).exclude(pk=request.membership.pk))
    # Each role lands on its worklist (ADR 0025).
    return render(
        request,
        "home.html",
        {
            "other_memberships": others,
            "worklist": worklist.worklist_for(actor=request.membership),
            "can_screen": screen.may_start(request.membership),
        },
    )


@require_safe
def worklist_section(request, key: str):
    page_error = None
    try:
        page = worklist.worklist_section_page(
            actor=request.membership,
            key=key,
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except ServiceError:
        page = worklist.worklist_section_page(
            actor=request.membership, key=key, cursor=None, limit=PAGE_SIZE
        )
        page_error = _("This page link is not valid. Here is the first page.")
    return render(
        request,
        "journey/worklist_section.html",
        {"page": page, "page_error": page_error, "paged": bool(request.GET.get("cursor"))},
    )


@require_safe
def person_journey(request, person_id):
    journey = timeline.person_journey(actor=request.membership, person_id=person_id)
    template = (
        "journey/timeline.html"
        if request.headers.get("HX-Request") == "true"
        else "journey/person_journey.html"
    )
    return render(request, template, {"journey": journey})
