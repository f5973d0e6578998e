"""Every write of hearing rooms and hearings (ADR 0027, ADR 0039).

A booking is checked in the order a person would fix it: the case and who may book for it, the
room, the times (future, opening hours, length), the participants (each must have access to the
case on the day), then the overlaps. The room's row is locked first, so two bookings of one room
are decided one after the other; a participant's overlap across rooms is decided by PostgreSQL's
exclusion constraint (answered like the service's own check: 409 naming the field) and, on
SQLite, by the IMMEDIATE transaction that serialises all writers.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.accounts.models import Membership
from punte.cases import selectors as case_selectors
from punte.cases.models import ACTIVE_STATUSES, Case, TeamMember
from punte.core import audit, lifecycle
from punte.core.errors import ServiceError, uuid_or_404
from punte.hearings import invitations, schedule
from punte.hearings.lifecycle import MACHINE
from punte.hearings.models import (
    CancellationReason,
    Hearing,
    HearingParticipant,
    HearingPurpose,
    HearingRoom,
    HearingStatus,
    OpeningHours,
    ParticipantRole,
)
from punte.notifications.services import notify

MIN_LENGTH = datetime.timedelta(minutes=30)
MAX_LENGTH = datetime.timedelta(hours=4)
_OVERLAP_CONSTRAINTS = ("hearing_room_no_overlap", "hearing_participant_no_overlap")


@dataclass(frozen=True)
class ParticipantIn:
    membership_id: uuid.UUID | str
    role: str


# --- the registry of rooms ----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    weekday: int
    opens: datetime.time
    closes: datetime.time


def _check_windows(windows: Sequence[Window]) -> None:
    for window in windows:
        if not 0 <= window.weekday <= 6:
            raise ServiceError("opening_hours", _("A weekday is a number from 0 (Monday) to 6."))
        if window.closes <= window.opens:
            raise ServiceError("opening_hours", _("Each opening window must close after it opens."))
    by_day: dict[int, list[Window]] = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    for day_windows in by_day.values():
        ordered = sorted(day_windows, key=lambda w: w.opens)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after.opens < before.closes:
                raise ServiceError("opening_hours", _("Two opening windows of one day overlap."))


def _require_manage(actor: Membership) -> None:
    if not actor.has_perm("hearing_room.manage"):
        raise ServiceError(None, _("You may not change the registry of hearing rooms."), status=403)


@transaction.atomic
def room_create(*, actor: Membership, windows: Sequence[Window], **fields) -> HearingRoom:
    _require_manage(actor)
    _check_windows(windows)
    room = HearingRoom(created_by=actor.user, modified_by=actor.user, **fields)
    room.full_clean()
    room.save()
    OpeningHours.objects.bulk_create(
        OpeningHours(room=room, weekday=w.weekday, opens=w.opens, closes=w.closes) for w in windows
    )
    audit.record(action="hearing_room.created", actor=actor, subject=room)
    return room


@transaction.atomic
def room_update(
    *, actor: Membership, room_id, windows: Sequence[Window] | None = None, **fields
) -> HearingRoom:
    if not actor.has_perm("hearing_room.manage"):
        raise Http404
    room = HearingRoom.objects.select_for_update().filter(pk=uuid_or_404(room_id)).first()
    if room is None or room.archived_at is not None:
        raise Http404
    for name, value in fields.items():
        setattr(room, name, value)
    room.modified_by = actor.user
    room.full_clean()
    room.save()
    changed = sorted(fields)
    if windows is not None:
        _check_windows(windows)
        room.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(room=room, weekday=w.weekday, opens=w.opens, closes=w.closes)
            for w in windows
        )
        changed.append("opening_hours")
    audit.record(
        action="hearing_room.changed", actor=actor, subject=room, changes={"fields": changed}
    )
    return room


# --- hearings -----------------------------------------------------------------------------------


def _case_to_book_for(actor: Membership, case_id) -> Case:
    """The case, if the actor may book hearings for it: it is visible to them, and they belong
    to the organisation managing it or sit on its team today."""
    if not actor.has_perm("hearing.book"):
        raise Http404
    case = (
        case_selectors.case_list_visible_to(actor=actor)
        .select_for_update(of=("self",))
        .filter(pk=uuid_or_404(case_id))
        .first()
    )
    if case is None:
        raise Http404
    on_team = TeamMember.objects.filter(
        TeamMember.in_force_q(timezone.localdate()), case=case, membership_id=actor.pk
    ).exists()
    if actor.organisation_id != case.owner_organisation_id and not on_team:
        raise ServiceError(
            None,
            _("Only the organisation managing the case, or its team, may book its hearings."),
            status=403,
        )
    if case.status not in ACTIVE_STATUSES:
        raise ServiceError("case", _("The case is closed: reopen it before booking a hearing."))
    return case


def _locked_room(room_id) -> HearingRoom:
    try:
        pk = uuid.UUID(str(room_id))
    except ValueError:
        pk = None
    room = HearingRoom.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if room is None or not room.is_active or room.archived_at is not None:
        raise ServiceError("room", _("Choose a hearing room from the registry."))
    return room


def _when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment, schedule.local_zone())
    return date_format(local, "SHORT_DATETIME_FORMAT")


def _check_times(room: HearingRoom, starts_at, ends_at) -> None:
    if starts_at is None:
        raise ServiceError("starts_at", _("Enter when the hearing starts."))
    if ends_at is None or ends_at <= starts_at:
        raise ServiceError("ends_at", _("Enter an end after the start."))
    if starts_at <= timezone.now():
        raise ServiceError("starts_at", _("Choose a start in the future."))
    length = ends_at - starts_at
    if length < MIN_LENGTH:
        raise ServiceError("ends_at", _("A hearing lasts at least 30 minutes."))
    if length > MAX_LENGTH:
        raise ServiceError(
            "ends_at", _("A hearing lasts at most 4 hours: book a second one for a later day.")
        )
    if not schedule.within_opening_hours(room, starts_at, ends_at):
        raise ServiceError(
            "starts_at",
            _("The room is closed at that time: choose a time within its opening hours."),
        )


def _participants(
    case: Case, room: HearingRoom, wanted: Sequence[ParticipantIn], day: datetime.date
) -> list[tuple[Membership, str]]:
    if not wanted:
        raise ServiceError("participants", _("Add at least one participant."))
    chosen: dict[uuid.UUID, tuple[Membership, str]] = {}
    for item in wanted:
        if item.role not in ParticipantRole.values:
            raise ServiceError("participants", _("Choose each participant's role from the list."))
        try:
            pk = uuid.UUID(str(item.membership_id))
        except ValueError:
            pk = None
        member = (
            Membership.objects.filter(pk=pk, is_active=True, user__is_active=True)
            .select_related("user", "organisation")
            .first()
            if pk is not None
            else None
        )
        if member is None:
            raise ServiceError("participants", _("A participant is not an active user of Punte."))
        if member.pk in chosen:
            raise ServiceError(
                "participants",
                _("%(name)s is listed twice: give each participant one role.")
                % {"name": member.user.get_full_name() or member.user.username},
            )
        chosen[member.pk] = (member, item.role)
    team = set(
        TeamMember.objects.filter(TeamMember.in_force_q(day), case=case).values_list(
            "membership_id", flat=True
        )
    )
    for member, _role in chosen.values():
        if member.organisation_id != case.owner_organisation_id and member.pk not in team:
            raise ServiceError(
                "participants",
                _(
                    "%(name)s (%(organisation)s) has no access to this case on that day: add "
                    "them to the case's team first."
                )
                % {
                    "name": member.user.get_full_name() or member.user.username,
                    "organisation": member.organisation.name,
                },
            )
    # The child is in the room too.
    if len(chosen) + 1 > room.capacity:
        raise ServiceError(
            "participants",
            _(
                "The room holds %(capacity)d people with the child: invite fewer or choose a "
                "larger room."
            )
            % {"capacity": room.capacity},
        )
    return list(chosen.values())


def _check_free(
    room: HearingRoom,
    people: list[tuple[Membership, str]],
    starts_at,
    ends_at,
    *,
    exclude: uuid.UUID | None = None,
) -> None:
    clash = schedule.room_busy([room.pk], starts_at, ends_at, exclude_hearing=exclude).first()
    if clash is not None:
        raise ServiceError(
            "starts_at",
            _("The room is booked from %(start)s to %(end)s: choose another time or room.")
            % {"start": _when(clash.starts_at), "end": _when(clash.ends_at)},
            status=409,
        )
    busy = (
        schedule.people_busy(
            [m.user_id for m, _r in people], starts_at, ends_at, exclude_hearing=exclude
        )
        .select_related("user")
        .first()
    )
    if busy is not None:
        raise ServiceError(
            "participants",
            _("%(name)s is at another hearing from %(start)s to %(end)s: choose another time.")
            % {
                "name": busy.user.get_full_name() or busy.user.username,
                "start": _when(busy.starts_at),
                "end": _when(busy.ends_at),
            },
            status=409,
        )


def _overlap_refused(error: IntegrityError) -> ServiceError | None:
    text = str(error)
    if _OVERLAP_CONSTRAINTS[0] in text:
        return ServiceError(
            "starts_at", _("The room was just booked at that time: choose another."), status=409
        )
    if _OVERLAP_CONSTRAINTS[1] in text:
        return ServiceError(
            "participants",
            _("A participant was just booked elsewhere at that time: choose another."),
            status=409,
        )
    return None


def _write_participants(hearing: Hearing, people: list[tuple[Membership, str]]) -> None:
    try:
        HearingParticipant.objects.bulk_create(
            HearingParticipant(
                hearing=hearing,
                membership=member,
                user_id=member.user_id,
                organisation_id=member.organisation_id,
                role=role,
                starts_at=hearing.starts_at,
                ends_at=hearing.ends_at,
            )
            for member, role in people
        )
    except IntegrityError as error:
        raise _overlap_refused(error) or error from error


def _save_hearing(hearing: Hearing, **kwargs) -> None:
    try:
        hearing.save(**kwargs)
    except IntegrityError as error:
        raise _overlap_refused(error) or error from error


_BOOKED = gettext_lazy("A hearing was booked for %(when)s in %(room)s.")
_MOVED = gettext_lazy("A hearing you take part in was changed: %(when)s in %(room)s.")
_CANCELLED = gettext_lazy("A hearing you were invited to on %(when)s was cancelled.")


def _tell(hearing: Hearing, members: list[Membership], message, kind: str) -> None:
    if not members:
        return
    notify(
        kind=kind,
        message=message,
        params={"when": _when(hearing.starts_at), "room": hearing.room.name},
        url=f"/hearings/{hearing.pk}/",
        subject=hearing,
        recipients=members,
        # The invitation is the e-mail; a second one would only repeat it.
        email=False,
    )


@transaction.atomic
def hearing_book(
    *,
    actor: Membership,
    case_id,
    room_id,
    purpose: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    participants: Sequence[ParticipantIn],
    notes: str = "",
) -> Hearing:
    case = _case_to_book_for(actor, case_id)
    room = _locked_room(room_id)
    if purpose not in HearingPurpose.values:
        raise ServiceError("purpose", _("Choose the purpose of the hearing."))
    _check_times(room, starts_at, ends_at)
    people = _participants(case, room, participants, timezone.localtime(starts_at).date())
    _check_free(room, people, starts_at, ends_at)
    hearing = Hearing(
        room=room,
        case=case,
        organisation_id=actor.organisation_id,
        purpose=purpose,
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes.strip() or None,
        created_by=actor.user,
        modified_by=actor.user,
    )
    _save_hearing(hearing)
    _write_participants(hearing, people)
    audit.record(
        action="hearing.booked",
        actor=actor,
        subject=hearing,
        person_id=case.person_id,
        changes={
            "room": str(room.pk),
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "purpose": purpose,
            "participants": len(people),
        },
    )
    members = [m for m, _r in people]
    _tell(hearing, [m for m in members if m.pk != actor.pk], _BOOKED, "hearing.booked")
    invitations.send_after_commit(hearing, [m.pk for m in members], invitations.REQUEST)
    return hearing


def _hearing_to_change(actor: Membership, hearing_id) -> Hearing:
    """The hearing, locked, if the actor may change it: they may book for its case."""
    if not actor.has_perm("hearing.book"):
        raise Http404
    pk = uuid_or_404(hearing_id)
    hearing = Hearing.objects.select_for_update().filter(pk=pk).first()
    if hearing is None:
        raise Http404
    _case_to_book_for(actor, hearing.case_id)
    return hearing


@transaction.atomic
def hearing_reschedule(
    *,
    actor: Membership,
    hearing_id,
    room_id,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    participants: Sequence[ParticipantIn],
) -> Hearing:
    """Move a booked hearing (time, room) or change who takes part; everyone concerned gets an
    updated invitation, and whoever no longer takes part a cancellation."""
    hearing = _hearing_to_change(actor, hearing_id)
    if hearing.status != HearingStatus.BOOKED:
        raise ServiceError(
            "status", _("A cancelled hearing cannot be changed: book a new one."), status=409
        )
    room = _locked_room(room_id)
    _check_times(room, starts_at, ends_at)
    people = _participants(hearing.case, room, participants, timezone.localtime(starts_at).date())
    _check_free(room, people, starts_at, ends_at, exclude=hearing.pk)
    before = {p.membership_id for p in hearing.participants.filter(is_active=True)}
    hearing.participants.all().delete()
    hearing.room = room
    hearing.starts_at = starts_at
    hearing.ends_at = ends_at
    hearing.sequence += 1
    hearing.modified_by = actor.user
    _save_hearing(
        hearing,
        update_fields=["room", "starts_at", "ends_at", "sequence", "modified_by", "modified_at"],
    )
    _write_participants(hearing, people)
    audit.record(
        action="hearing.rescheduled",
        actor=actor,
        subject=hearing,
        person_id=hearing.case.person_id,
        changes={
            "room": str(room.pk),
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "participants": len(people),
            "sequence": hearing.sequence,
        },
    )
    after = {m.pk for m, _r in people}
    dropped = before - after
    members = [m for m, _r in people]
    _tell(hearing, [m for m in members if m.pk != actor.pk], _MOVED, "hearing.rescheduled")
    _tell(
        hearing,
        list(Membership.objects.filter(pk__in=dropped)),
        _CANCELLED,
        "hearing.cancelled",
    )
    invitations.send_after_commit(hearing, sorted(after, key=str), invitations.REQUEST)
    invitations.send_after_commit(hearing, sorted(dropped, key=str), invitations.CANCEL)
    return hearing


@transaction.atomic
def hearing_cancel(*, actor: Membership, hearing_id, reason: str) -> Hearing:
    hearing = _hearing_to_change(actor, hearing_id)
    participants = list(hearing.participants.filter(is_active=True).select_related("membership"))

    def update(step: lifecycle.Step):
        if reason not in CancellationReason.values:
            raise ServiceError("reason", _("Choose why the hearing is cancelled."))
        hearing.cancellation_reason = reason
        hearing.cancelled_at = step.at
        hearing.sequence += 1
        return ["cancellation_reason", "cancelled_at", "sequence"]

    def audit_entry(step: lifecycle.Step) -> lifecycle.AuditEntry:
        return lifecycle.AuditEntry(
            action="hearing.cancelled",
            changes={"reason": reason, "sequence": hearing.sequence},
            person_id=hearing.case.person_id,
        )

    def effects(step: lifecycle.Step) -> None:
        hearing.participants.update(is_active=False)
        members = [p.membership for p in participants]
        _tell(hearing, [m for m in members if m.pk != actor.pk], _CANCELLED, "hearing.cancelled")
        invitations.send_after_commit(hearing, [m.pk for m in members], invitations.CANCEL)

    lifecycle.apply(
        MACHINE,
        actor=actor,
        to=HearingStatus.CANCELLED,
        row=hearing,
        update=update,
        audit_entry=audit_entry,
        effects=effects,
    )
    return hearing
