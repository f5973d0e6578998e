"""Pages: the registry of rooms, a room's and a county's week, the first free slot, a case's
hearings, booking, a hearing with its changes and cancellation. Thin: selectors and services
decide. Calendars are lists of days, readable on a phone."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from punte.accounts.models import Membership
from punte.cases.models import TeamMember
from punte.core.errors import ServiceError
from punte.core.models import County
from punte.hearings import schedule, selectors, services
from punte.hearings.forms import BookingForm, CancelForm, RoomFilterForm, SlotForm
from punte.hearings.models import HearingStatus, ParticipantRole


def _actor(request, permission: str) -> Membership:
    if request.membership is None or not request.membership.has_perm(permission):
        raise PermissionDenied
    return request.membership


def _day(request) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


def _week_links(monday: datetime.date) -> dict:
    return {
        "previous_week": (monday - datetime.timedelta(days=7)).isoformat(),
        "next_week": (monday + datetime.timedelta(days=7)).isoformat(),
        "this_week": timezone.localdate().isoformat(),
    }


def rooms(request):
    actor = _actor(request, "hearing_room.view")
    form = RoomFilterForm(request.GET or None)
    listed = selectors.room_list_visible_to(actor=actor)
    if form.is_valid():
        listed = listed.filter(schedule.rooms_with(form.cleaned_data["equipment"]))
        if form.cleaned_data["county"]:
            listed = listed.filter(county_id=form.cleaned_data["county"])
    return render(request, "hearings/rooms.html", {"form": form, "rooms": listed})


def room_week(request, room_id):
    actor = _actor(request, "hearing_room.view")
    room = selectors.room_get(actor=actor, room_id=room_id)
    monday, start, end = schedule.week_of(_day(request))
    hearings = selectors.hearings_in_rooms(actor=actor, rooms=[room], start=start, end=end)
    return render(
        request,
        "hearings/week.html",
        {
            "room": room,
            "title_place": room.name,
            "monday": monday,
            "days": schedule.week_days(monday, [room], hearings),
            **_week_links(monday),
        },
    )


def county_week(request, county_code):
    actor = _actor(request, "hearing_room.view")
    county = County.objects.filter(pk=county_code).first()
    if county is None:
        raise Http404
    monday, start, end = schedule.week_of(_day(request))
    county_rooms = list(selectors.room_list_visible_to(actor=actor).filter(county=county))
    hearings = selectors.hearings_in_rooms(actor=actor, rooms=county_rooms, start=start, end=end)
    return render(
        request,
        "hearings/week.html",
        {
            "county": county,
            "title_place": county.name,
            "rooms": county_rooms,
            "monday": monday,
            "days": schedule.week_days(monday, [], hearings),
            **_week_links(monday),
        },
    )


def _candidates(case) -> list[tuple[Membership, str, str]]:
    """Who may take part: the case's team in force (with their team role) and the members of
    the organisation managing the case who may see hearings."""
    today = timezone.localdate()
    found: dict[uuid.UUID, tuple[Membership, str, str]] = {}
    team = TeamMember.objects.filter(TeamMember.in_force_q(today), case=case).select_related(
        "membership__user", "membership__organisation"
    )
    for member in team:
        role = member.role if member.role in ParticipantRole.values else ""
        found.setdefault(member.membership_id, (member.membership, _label(member.membership), role))
    owners = (
        Membership.objects.filter(
            organisation_id=case.owner_organisation_id,
            is_active=True,
            user__is_active=True,
            role__grants__permission="hearing.view",
        )
        .select_related("user", "organisation")
        .distinct()
    )
    for member in owners:
        found.setdefault(member.pk, (member, _label(member), ParticipantRole.SOCIAL_WORKER))
    return sorted(found.values(), key=lambda c: c[1])


def _label(member: Membership) -> str:
    return f"{member.user.get_full_name() or member.user.username} ({member.organisation.name})"


def slots(request):
    actor = _actor(request, "hearing_room.view")
    case = None
    candidates = []
    if request.GET.get("case"):
        case, _hearings = selectors.hearings_of_case(actor=actor, case_id=request.GET["case"])
        candidates = _candidates(case)
    initial = {"county": case.county_id} if case is not None else {}
    form = SlotForm(
        request.GET if "county" in request.GET else None, candidates=candidates, initial=initial
    )
    slot = None
    searched = form.is_valid()
    if searched:
        rooms_found = list(
            selectors.room_list_visible_to(actor=actor)
            .filter(schedule.rooms_with(form.cleaned_data["equipment"]))
            .filter(county_id=form.cleaned_data["county"])
            .order_by("name")
        )
        users = list(
            Membership.objects.filter(pk__in=form.cleaned_data["participants"]).values_list(
                "user_id", flat=True
            )
        )
        slot = schedule.first_free_slot(
            rooms=rooms_found,
            user_ids=users,
            duration=datetime.timedelta(minutes=form.cleaned_data["duration"]),
            not_before=timezone.now(),
        )
    book_url = None
    if slot is not None and case is not None and actor.has_perm("hearing.book"):
        local = timezone.localtime(slot.starts_at)
        query = {
            "room": slot.room.pk,
            "day": local.date().isoformat(),
            "start": local.strftime("%H:%M"),
            "duration": form.cleaned_data["duration"],
        }
        book_url = reverse("hearings:book", args=[case.pk]) + "?" + urlencode(query)
        for member_id in form.cleaned_data["participants"]:
            book_url += "&" + urlencode({"take": member_id})
    return render(
        request,
        "hearings/slots.html",
        {"form": form, "case": case, "slot": slot, "searched": searched, "book_url": book_url},
    )


def case_hearings(request, case_id):
    actor = _actor(request, "hearing.view")
    case, hearings = selectors.hearings_of_case(actor=actor, case_id=case_id)
    return render(
        request,
        "hearings/case_hearings.html",
        {"case": case, "hearings": hearings, "may_book": actor.has_perm("hearing.book")},
    )


def _booking_form(request, case, actor, *, with_purpose=True, initial=None, data=None):
    rooms = selectors.room_list_visible_to(actor=actor).order_by("county__name", "name")
    return BookingForm(
        data,
        rooms=rooms,
        candidates=_candidates(case),
        with_purpose=with_purpose,
        initial=initial or {},
    )


def _show_error(form, error: ServiceError) -> None:
    field = {"starts_at": "start", "ends_at": "duration"}.get(error.field or "", error.field)
    if field in form.fields:
        form.add_error(field, error.message)
    else:
        form.add_error(None, error.message)


@require_http_methods(["GET", "POST"])
def book(request, case_id):
    actor = _actor(request, "hearing.book")
    case, _hearings = selectors.hearings_of_case(actor=actor, case_id=case_id)
    if request.method == "POST":
        form = _booking_form(request, case, actor, data=request.POST)
        if form.is_valid():
            starts_at, ends_at = form.times()
            try:
                hearing = services.hearing_book(
                    actor=actor,
                    case_id=case.pk,
                    room_id=form.cleaned_data["room"].pk,
                    purpose=form.cleaned_data["purpose"],
                    starts_at=starts_at,
                    ends_at=ends_at,
                    participants=[services.ParticipantIn(m, r) for m, r in form.chosen()],
                    notes=form.cleaned_data["notes"],
                )
            except ServiceError as error:
                _show_error(form, error)
            else:
                return redirect("hearings:detail", hearing.pk)
    else:
        initial = {
            key: request.GET[key]
            for key in ("room", "day", "start", "duration")
            if key in request.GET
        }
        for member_id in request.GET.getlist("take"):
            initial[f"take_{member_id}"] = True
        form = _booking_form(request, case, actor, initial=initial)
    return render(request, "hearings/book.html", {"case": case, "form": form})


def detail(request, hearing_id):
    actor = _actor(request, "hearing.view")
    hearing = selectors.hearing_get(actor=actor, hearing_id=hearing_id)
    may_change = (
        hearing.status == HearingStatus.BOOKED
        and actor.has_perm("hearing.book")
        and actor.organisation_id in (hearing.organisation_id, hearing.case.owner_organisation_id)
    )
    return render(
        request,
        "hearings/detail.html",
        {"hearing": hearing, "may_change": may_change, "cancel_form": CancelForm()},
    )


@require_http_methods(["GET", "POST"])
def reschedule(request, hearing_id):
    actor = _actor(request, "hearing.book")
    hearing = selectors.hearing_get(actor=actor, hearing_id=hearing_id)
    if request.method == "POST":
        form = _booking_form(request, hearing.case, actor, with_purpose=False, data=request.POST)
        if form.is_valid():
            starts_at, ends_at = form.times()
            try:
                services.hearing_reschedule(
                    actor=actor,
                    hearing_id=hearing.pk,
                    room_id=form.cleaned_data["room"].pk,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    participants=[services.ParticipantIn(m, r) for m, r in form.chosen()],
                )
            except ServiceError as error:
                _show_error(form, error)
            else:
                return redirect("hearings:detail", hearing.pk)
    else:
        local = timezone.localtime(hearing.starts_at)
        initial = {
            "room": hearing.room_id,
            "day": local.date(),
            "start": local.time().replace(second=0, microsecond=0),
            "duration": int((hearing.ends_at - hearing.starts_at).total_seconds() // 60),
        }
        for participant in hearing.participants.all():
            initial[f"take_{participant.membership_id}"] = True
            initial[f"role_{participant.membership_id}"] = participant.role
        form = _booking_form(request, hearing.case, actor, with_purpose=False, initial=initial)
    return render(request, "hearings/reschedule.html", {"hearing": hearing, "form": form})


@require_http_methods(["GET", "POST"])
def cancel(request, hearing_id):
    """A confirmation page first: cancelling tells every participant and cannot be undone."""
    actor = _actor(request, "hearing.book")
    hearing = selectors.hearing_get(actor=actor, hearing_id=hearing_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hearing_cancel(
                actor=actor, hearing_id=hearing.pk, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            _show_error(form, error)
        else:
            return redirect("hearings:detail", hearing.pk)
    return render(request, "hearings/cancel.html", {"hearing": hearing, "form": form})
