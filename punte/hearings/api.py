"""/api/v1/hearing-rooms, /hearing-slots, /cases/{id}/hearings and /hearings (ADR 0039)."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from punte.core.api_support import StrictSchema
from punte.core.errors import ServiceError
from punte.hearings import schedule, selectors, services
from punte.hearings.models import (
    CancellationReason,
    Equipment,
    Hearing,
    HearingPurpose,
    HearingRoom,
    HearingStatus,
    ParticipantRole,
)

router = Router(tags=["hearings"])


class OpeningWindowSchema(StrictSchema):
    weekday: int = Field(..., ge=0, le=6, description="0 = Monday")
    opens: datetime.time
    closes: datetime.time


class HearingRoomOut(Schema):
    id: uuid.UUID
    name: str
    county: str
    address: str
    managing_organisation: str
    equipment: list[Equipment]
    accessibility_notes: str
    capacity: int
    opening_hours: list[OpeningWindowSchema]

    @staticmethod
    def resolve_county(obj: HearingRoom) -> str:
        return obj.county_id

    @staticmethod
    def resolve_managing_organisation(obj: HearingRoom) -> str:
        return obj.managing_organisation.name

    @staticmethod
    def resolve_opening_hours(obj: HearingRoom):
        return list(obj.opening_hours.all())


class HearingRoomIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=200)
    county: str = Field(..., min_length=4, max_length=6, description="ISO 3166-2:RO code")
    address: str = Field(..., min_length=1, max_length=300)
    managing_organisation_id: uuid.UUID
    equipment: list[Equipment] = Field(default_factory=list)
    accessibility_notes: str = Field("", max_length=300)
    capacity: int = Field(6, ge=2, le=40)
    opening_hours: list[OpeningWindowSchema] = Field(..., min_length=1)


def _room_fields(payload: HearingRoomIn) -> dict:
    from punte.accounts.models import Organisation
    from punte.core.models import County
    from punte.hearings.models import EQUIPMENT_FIELDS

    county = County.objects.filter(pk=payload.county).first()
    if county is None:
        raise ServiceError("county", gettext("Unknown county code."))
    organisation = Organisation.objects.filter(
        pk=payload.managing_organisation_id, is_active=True
    ).first()
    if organisation is None:
        raise ServiceError("managing_organisation_id", gettext("Unknown organisation."))
    fields = {
        "name": payload.name.strip(),
        "county": county,
        "address": payload.address.strip(),
        "managing_organisation": organisation,
        "accessibility_notes": payload.accessibility_notes.strip(),
        "capacity": payload.capacity,
    }
    for code, attr in EQUIPMENT_FIELDS.items():
        fields[attr] = code in payload.equipment
    return fields


def _windows(payload: HearingRoomIn) -> list[services.Window]:
    return [services.Window(w.weekday, w.opens, w.closes) for w in payload.opening_hours]


# Query parameters' declarations, shared by the handlers (a call in a default is made once).
COUNTY = Query(None, max_length=6, description="ISO 3166-2:RO code")
EQUIPMENT = Query([], description="Repeatable: rooms that have all of it")


@router.get("/hearing-rooms", response=list[HearingRoomOut], summary="The registry of rooms")
def list_rooms(
    request: HttpRequest, county: str | None = COUNTY, equipment: list[Equipment] = EQUIPMENT
):
    """Every active room, by county; `equipment` (repeatable) keeps rooms that have all of it."""
    rooms = selectors.room_list_visible_to(actor=request.membership).filter(
        schedule.rooms_with(equipment)
    )
    if county:
        rooms = rooms.filter(county_id=county)
    return list(rooms)


@router.post("/hearing-rooms", response={201: HearingRoomOut}, summary="Add a room")
def create_room(request: HttpRequest, payload: HearingRoomIn):
    room = services.room_create(
        actor=request.membership, windows=_windows(payload), **_room_fields(payload)
    )
    return 201, selectors.room_get(actor=request.membership, room_id=room.pk)


@router.get("/hearing-rooms/{room_id}", response=HearingRoomOut, summary="One room")
def get_room(request: HttpRequest, room_id: str):
    return selectors.room_get(actor=request.membership, room_id=room_id)


@router.put("/hearing-rooms/{room_id}", response=HearingRoomOut, summary="Change a room")
def update_room(request: HttpRequest, room_id: str, payload: HearingRoomIn):
    services.room_update(
        actor=request.membership,
        room_id=room_id,
        windows=_windows(payload),
        **_room_fields(payload),
    )
    return selectors.room_get(actor=request.membership, room_id=room_id)


class BusyOut(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    # The hearing's id only where you may open it; otherwise the time is shown as busy.
    hearing_id: uuid.UUID | None


class WeekOut(Schema):
    room_id: uuid.UUID
    week_of: datetime.date
    busy: list[BusyOut]


@router.get(
    "/hearing-rooms/{room_id}/week", response=WeekOut, summary="A room's bookings in one week"
)
def room_week(request: HttpRequest, room_id: str, day: datetime.date | None = None):
    room = selectors.room_get(actor=request.membership, room_id=room_id)
    monday, start, end = schedule.week_of(day or timezone.localdate())
    hearings = selectors.hearings_in_rooms(
        actor=request.membership, rooms=[room], start=start, end=end
    )
    busy = [
        {
            "starts_at": h.starts_at,
            "ends_at": h.ends_at,
            "hearing_id": h.pk if h.visible else None,
        }
        for h in hearings
    ]
    return {"room_id": room.pk, "week_of": monday, "busy": busy}


class SlotOut(Schema):
    room: HearingRoomOut
    starts_at: datetime.datetime
    ends_at: datetime.datetime


SLOT_COUNTY = Query(..., max_length=6, description="ISO 3166-2:RO code")
DURATION = Query(60, ge=30, le=240, description="Minutes")
PARTICIPANTS = Query([], max_length=20, description="Repeatable: membership ids who must be free")


@router.get(
    "/hearing-slots",
    response={200: SlotOut, 404: None},
    summary="The first free slot for these people in a county",
)
def first_slot(
    request: HttpRequest,
    county: str = SLOT_COUNTY,
    duration_minutes: int = DURATION,
    equipment: list[Equipment] = EQUIPMENT,
    participant: list[uuid.UUID] = PARTICIPANTS,
    not_before: datetime.datetime | None = None,
):
    """The earliest time, within the next six weeks, when a room of the county with all the
    equipment asked for is open and free and every participant (membership ids) is free.
    404 when there is none."""
    from punte.accounts.models import Membership

    rooms = list(
        selectors.room_list_visible_to(actor=request.membership)
        .filter(schedule.rooms_with(equipment), county_id=county)
        .order_by("name")
    )
    users = list(Membership.objects.filter(pk__in=participant).values_list("user_id", flat=True))
    not_before = max(not_before or timezone.now(), timezone.now())
    slot = schedule.first_free_slot(
        rooms=rooms,
        user_ids=users,
        duration=datetime.timedelta(minutes=duration_minutes),
        not_before=not_before,
    )
    if slot is None:
        return 404, None
    return {"room": slot.room, "starts_at": slot.starts_at, "ends_at": slot.ends_at}


class ParticipantSchema(StrictSchema):
    membership_id: uuid.UUID
    role: ParticipantRole


class ParticipantOut(Schema):
    membership_id: uuid.UUID
    name: str
    organisation: str
    role: ParticipantRole
    is_active: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.user.get_full_name() or obj.user.username

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name


class HearingOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    room_id: uuid.UUID
    room_name: str
    organisation: str
    purpose: HearingPurpose
    status: HearingStatus
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    sequence: int
    notes: str | None
    cancellation_reason: CancellationReason | None
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_room_name(obj: Hearing) -> str:
        return obj.room.name

    @staticmethod
    def resolve_organisation(obj: Hearing) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_cancellation_reason(obj: Hearing):
        return obj.cancellation_reason or None

    @staticmethod
    def resolve_participants(obj: Hearing):
        return list(obj.participants.all())


class HearingIn(StrictSchema):
    room_id: uuid.UUID
    purpose: HearingPurpose
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    participants: list[ParticipantSchema] = Field(..., min_length=1, max_length=20)
    notes: str = Field("", max_length=2000)


class RescheduleIn(StrictSchema):
    room_id: uuid.UUID
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    participants: list[ParticipantSchema] = Field(..., min_length=1, max_length=20)


class CancelIn(StrictSchema):
    reason: CancellationReason


def _people(items: list[ParticipantSchema]) -> list[services.ParticipantIn]:
    return [services.ParticipantIn(p.membership_id, p.role) for p in items]


def _detail(request: HttpRequest, hearing_id) -> Hearing:
    return selectors.hearing_get(actor=request.membership, hearing_id=hearing_id)


@router.get("/cases/{case_id}/hearings", response=list[HearingOut], summary="A case's hearings")
def case_hearings(request: HttpRequest, case_id: str):
    _case, hearings = selectors.hearings_of_case(actor=request.membership, case_id=case_id)
    return hearings


@router.post("/cases/{case_id}/hearings", response={201: HearingOut}, summary="Book a hearing room")
def book_hearing(request: HttpRequest, case_id: str, payload: HearingIn):
    """Each participant must have access to the case on the day (its managing organisation, or
    its team). 409 when the room or a participant is taken at that time; of two bookings racing
    for one slot exactly one succeeds. Every participant gets an iCalendar invitation."""
    hearing = services.hearing_book(
        actor=request.membership,
        case_id=case_id,
        room_id=payload.room_id,
        purpose=payload.purpose,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        participants=_people(payload.participants),
        notes=payload.notes,
    )
    return 201, _detail(request, hearing.pk)


@router.get("/hearings/{hearing_id}", response=HearingOut, summary="One hearing")
def get_hearing(request: HttpRequest, hearing_id: str):
    return _detail(request, hearing_id)


@router.post(
    "/hearings/{hearing_id}/reschedule", response=HearingOut, summary="Move or change a hearing"
)
def reschedule_hearing(request: HttpRequest, hearing_id: str, payload: RescheduleIn):
    services.hearing_reschedule(
        actor=request.membership,
        hearing_id=hearing_id,
        room_id=payload.room_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        participants=_people(payload.participants),
    )
    return _detail(request, hearing_id)


@router.post("/hearings/{hearing_id}/cancel", response=HearingOut, summary="Cancel a hearing")
def cancel_hearing(request: HttpRequest, hearing_id: str, payload: CancelIn):
    services.hearing_cancel(actor=request.membership, hearing_id=hearing_id, reason=payload.reason)
    return _detail(request, hearing_id)
