"""The multidisciplinary team: members join with a role and an end date, and lapse by
themselves. Membership opens the case (selectors) and its person's record to the member's
organisation (person_access_grant, reason "team", expiring at the end date): nothing else."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.cases.models import Case, CaseEvent, TeamMember, TeamRole
from punte.cases.permissions import TEAM_ROLE_ORGANISATION_TYPES
from punte.cases.services.common import as_uuid, history, locked_case
from punte.core import audit
from punte.core.errors import ServiceError, uuid_or_404
from punte.identification.persons.models import PersonAccessReason
from punte.identification.persons.services import person_access_grant, person_access_revoke


def _end_of(day: datetime.date) -> datetime.datetime:
    """The moment a membership ending on `day` (included) stops opening the record."""
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tz)


@transaction.atomic
def team_member_add(
    *,
    actor: Membership,
    case_id,
    membership_id,
    role: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> TeamMember:
    case = locked_case(actor=actor, case_id=case_id)
    pk = as_uuid(membership_id)
    member = (
        Membership.objects.select_related("organisation", "user")
        .filter(pk=pk, is_active=True, user__is_active=True)
        .first()
        if pk
        else None
    )
    if member is None or not member.organisation.is_active:
        raise ServiceError("membership_id", _("No such active member of an organisation."))
    if role not in TeamRole.values:
        raise ServiceError("role", _("Choose the member's role on the team."))
    if member.organisation.type not in TEAM_ROLE_ORGANISATION_TYPES[role]:
        raise ServiceError(
            "membership_id",
            _(
                "%(organisation)s (%(type)s) has no relation to the role %(role)s on a team: "
                "choose a member of an organisation that fills it."
            )
            % {
                "organisation": member.organisation.name,
                "type": member.organisation.get_type_display(),
                "role": TeamRole(role).label,
            },
        )
    if ends_on < starts_on:
        raise ServiceError("ends_on", _("The end date cannot be before the start date."))
    if ends_on < timezone.localdate():
        raise ServiceError("ends_on", _("The end date has passed."))
    if starts_on > ends_on or (ends_on - starts_on).days > 3 * 366:
        raise ServiceError("ends_on", _("A team membership lasts three years at most."))
    duplicate = TeamMember.objects.filter(
        case=case, membership=member, role=role, ended_at__isnull=True
    ).exists()
    if duplicate:
        raise ServiceError("membership_id", _("This member already holds this role on the team."))
    try:
        with transaction.atomic():
            team_member = TeamMember.objects.create(
                case=case,
                membership=member,
                organisation=member.organisation,
                role=role,
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=actor.user,
                modified_by=actor.user,
            )
    except IntegrityError:
        raise ServiceError(
            "membership_id", _("This member already holds this role on the team.")
        ) from None
    history(
        case,
        CaseEvent.Action.MEMBER_ADDED,
        actor=actor,
        at=team_member.created_at,
        details={
            "member": str(team_member.pk),
            "organisation": str(member.organisation_id),
            "role": role,
            "ends_on": ends_on.isoformat(),
        },
    )
    audit.record(
        action="team_member.added",
        actor=actor,
        subject=team_member,
        person_id=case.person_id,
        changes={
            "case": str(case.pk),
            "membership": str(member.pk),
            "role": role,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    _sync_access(actor=actor, case=case, organisation_id=member.organisation_id)
    return team_member


def _sync_access(*, actor: Membership | None, case: Case, organisation_id) -> None:
    """Make the organisation's team grant to the person match its memberships in force on the
    person's cases: the latest end date among them, or none. The managing organisation holds
    its own grant and needs none for its team members."""
    if organisation_id == case.owner_organisation_id:
        return
    today = timezone.localdate()
    latest = TeamMember.objects.filter(
        # In force, or starting later: a future membership keeps its grant waiting.
        Q(ended_at__isnull=True, ends_on__gte=today),
        case__person_id=case.person_id,
        organisation_id=organisation_id,
    ).aggregate(latest=Max("ends_on"))["latest"]
    person_access_revoke(
        actor=actor,
        person_id=case.person_id,
        organisation_id=organisation_id,
        reason=PersonAccessReason.TEAM,
        source=case,
    )
    if latest is not None:
        person_access_grant(
            actor=actor,
            person_id=case.person_id,
            organisation_id=organisation_id,
            reason=PersonAccessReason.TEAM,
            source=case,
            expires_at=_end_of(latest),
        )


@transaction.atomic
def team_member_end(*, actor: Membership, member_id) -> TeamMember:
    pk = uuid_or_404(member_id)
    case_id = TeamMember.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404
    case = locked_case(actor=actor, case_id=case_id)
    member = TeamMember.objects.select_for_update().get(pk=pk)
    if member.ended_at is not None:
        raise ServiceError("status", _("This membership has ended already."), status=409)
    _end(member, case=case, actor=actor, at=timezone.now(), action=CaseEvent.Action.MEMBER_ENDED)
    return member


def _end(member: TeamMember, *, case: Case, actor, at, action: str) -> None:
    member.ended_at = at
    if actor is not None:
        member.modified_by = actor.user
    member.save(update_fields=["ended_at", "modified_by", "modified_at"])
    history(
        case,
        action,
        actor=actor,
        at=at,
        organisation=None if actor is not None else case.owner_organisation,
        details={
            "member": str(member.pk),
            "organisation": str(member.organisation_id),
            "role": member.role,
        },
    )
    audit.record(
        action="team_member.lapsed"
        if action == CaseEvent.Action.MEMBER_LAPSED
        else "team_member.ended",
        actor=actor,
        organisation=case.owner_organisation if actor is None else None,
        subject=member,
        person_id=case.person_id,
        changes={"case": str(case.pk), "role": member.role},
    )
    _sync_access(actor=actor, case=case, organisation_id=member.organisation_id)


def end_all_members(*, actor: Membership, case: Case, at: datetime.datetime) -> int:
    """A closing case ends its team (called inside the closure's transaction)."""
    members = list(case.team.select_for_update().filter(ended_at__isnull=True))
    for member in members:
        _end(member, case=case, actor=actor, at=at, action=CaseEvent.Action.MEMBER_ENDED)
    return len(members)


@dataclass
class LapseRun:
    lapsed: int


def team_lapse_expired(*, today: datetime.date | None = None) -> LapseRun:
    """Record the end of memberships past their end date and take back the access they gave,
    each in its own transaction. Reads already ignore them (selectors check the dates)."""
    today = today or timezone.localdate()
    due = list(
        TeamMember.objects.filter(ended_at__isnull=True, ends_on__lt=today).values_list(
            "pk", flat=True
        )
    )
    lapsed = sum(_lapse_one(pk, today=today) for pk in due)
    return LapseRun(lapsed=lapsed)


@transaction.atomic
def _lapse_one(pk: uuid.UUID, *, today: datetime.date) -> int:
    member = (
        TeamMember.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=pk, ended_at__isnull=True, ends_on__lt=today)
        .select_related("case__owner_organisation")
        .first()
    )
    if member is None:
        return 0
    _end(
        member,
        case=member.case,
        actor=None,
        at=timezone.now(),
        action=CaseEvent.Action.MEMBER_LAPSED,
    )
    return 1
