"""Pages of the review queue. Every page answers 404 to anyone without `linkage.review`
(existence must not leak); showing a record writes it to that record's access log."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from punte.core.errors import ServiceError
from punte.linkage import selectors, services
from punte.linkage.forms import DecisionForm, SeparateForm
from punte.linkage.levels import level_label
from punte.linkage.models import LinkageState, ReviewStatus

PAGE_SIZE = 50

# The labels of the engine's comparisons, for people.
COMPARISONS = {
    "first_name": gettext_lazy("Given name"),
    "last_name": gettext_lazy("Family name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "place_of_birth": gettext_lazy("Place of birth"),
    "sex": gettext_lazy("Sex"),
    "citizenship": gettext_lazy("Citizenship"),
    "phone": gettext_lazy("Phone"),
    "identity_number": gettext_lazy("Identity number"),
}


def _actor(request, permission: str = "linkage.review"):
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has_perm(permission):
        raise Http404
    return membership


@require_safe
def review_queue(request):
    """Pending pairs, most probable first: probabilities and record ids only, no names."""
    actor = _actor(request)
    status = request.GET.get("status") or ReviewStatus.PENDING
    if status not in ReviewStatus.values:
        status = ReviewStatus.PENDING
    page_error = None
    try:
        pairs, next_cursor = selectors.paginate_by_probability(
            selectors.reviewpair_list_visible_to(actor=actor, status=status),
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except ServiceError:
        pairs, next_cursor = [], None
        page_error = _("This page link is not valid. Start again from the first page.")
    state = LinkageState.objects.filter(pk=1).first()
    refusal = None
    if state is not None and state.last_relink_refusal.get("message"):
        refusal = {
            "at": datetime.datetime.fromisoformat(state.last_relink_refusal["at"]),
            "message": state.last_relink_refusal["message"],
        }
    return render(
        request,
        "linkage/review_queue.html",
        {
            "pairs": pairs,
            "next_cursor": next_cursor,
            "status": status,
            "statuses": ReviewStatus.choices,
            "page_error": page_error,
            "counts": selectors.link_status_counts(),
            "state": state,
            "refusal": refusal,
            "may_run": actor.has_perm("linkage.run"),
        },
    )


def _explained(pair) -> list[dict]:
    return [
        {
            **row,
            "label": COMPARISONS.get(row.get("comparison"), row.get("comparison")),
            "level": level_label(row.get("level") or ""),
        }
        for row in pair.comparison or []
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def review_pair(request, pair_id):
    """Both records side by side, the comparison levels behind the score, and the decision."""
    actor = _actor(request)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pair = selectors.reviewpair_get(actor=actor, pair_id=pair_id)
        try:
            services.reviewpair_decide(
                actor=actor,
                pair=pair,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if form.cleaned_data["decision"] == "accept":
                messages.success(request, _("The pair was accepted: the records are linked."))
            else:
                messages.success(request, _("The pair was rejected: the records stay apart."))
            return HttpResponseRedirect(reverse("linkage:review_queue"))
    found = selectors.reviewpair_get_for_review(actor=actor, pair_id=pair_id)
    return render(
        request,
        "linkage/review_pair.html",
        {
            "found": found,
            "records": [found.person_a, found.person_b],
            "pair": found.pair,
            "explained": _explained(found.pair),
            "form": form,
            "pending": found.pair.status == ReviewStatus.PENDING,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@require_safe
def national_person(request, national_person_id):
    """A national person's records, each with the action that separates it."""
    actor = _actor(request)
    found = selectors.nationalperson_get_for_review(
        actor=actor, national_person_id=national_person_id
    )
    return render(
        request,
        "linkage/national_person.html",
        {
            "found": found,
            "national": found.national_person,
            "links": found.links,
            "records": [link.person for link in found.links],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def separate(request, person_id):
    """Confirm, with a reason, that a record leaves its national person."""
    actor = _actor(request)
    link = selectors.personlink_get(actor=actor, person_id=person_id)
    form = SeparateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.personlink_separate(
                actor=actor, person=link.person_id, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The record was separated into a person of its own."))
            return HttpResponseRedirect(
                reverse("linkage:national_person", args=[result.national_person_id])
            )
    return render(
        request,
        "linkage/separate.html",
        {"link": link, "form": form},
        status=422 if form.is_bound and form.errors else 200,
    )


@require_POST
def relink(request):
    """Ask for a relink of every record, run in the background by the task worker."""
    actor = _actor(request, "linkage.run")
    from punte.linkage.tasks import relink_persons_task

    relink_persons_task.enqueue(membership_id=str(actor.pk))
    messages.success(
        request,
        _("A relink of every record was started. The figures below change when it is done."),
    )
    return HttpResponseRedirect(reverse("linkage:review_queue"))
