"""Every read of cases, scoped by the acting membership (outside scope: 404, never 403).

A case is visible to the members of the organisation managing it (the user's own cases for a
role of scope "own"), to the members of its team while their membership is in force (checked
here, at every read, whatever the lapsing job has recorded yet), and to the organisation a
pending transfer offers it to. A role of scope "all" holding `case.view` sees every case.
Providers see the services asked of them, not the case.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from punte.accounts.models import Membership
from punte.accounts.permissions import Scope
from punte.cases.models import (
    OPEN_SERVICE_STATUSES,
    Assessment,
    Case,
    CaseEvent,
    CaseService,
    CaseServiceStatus,
    CaseStatus,
    CaseTransfer,
    FollowUp,
    FollowUpStatus,
    PlanGoal,
    PlanVersion,
    RestrictedNote,
    TeamMember,
    TeamRole,
    TransferStatus,
)
from punte.cases.permissions import SECTION_TEAM_ROLES
from punte.core import audit
from punte.core.errors import uuid_or_404


def _team_in_force(actor: Membership, today: datetime.date) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(
        TeamMember.in_force_q(today), case=OuterRef("pk"), membership_id=actor.pk
    )


def case_list_visible_to(*, actor: Membership) -> QuerySet[Case]:
    if not actor.has_perm("case.view"):
        return Case.objects.none()
    cases = Case.objects.all()
    if actor.scope == Scope.ALL:
        return cases
    today = timezone.localdate()
    on_team = Q(Exists(_team_in_force(actor, today)))
    offered = Q(
        Exists(
            CaseTransfer.objects.filter(
                case=OuterRef("pk"),
                status=TransferStatus.REQUESTED,
                to_organisation_id=actor.organisation_id,
            )
        )
    )
    if actor.scope == Scope.ORGANISATION:
        return cases.filter(Q(owner_organisation_id=actor.organisation_id) | on_team | offered)
    mine = Q(owner_organisation_id=actor.organisation_id, created_by_id=actor.user_id)
    return cases.filter(mine | on_team)


def case_managed_by(*, actor: Membership) -> QuerySet[Case]:
    """The cases the actor's organisation manages (what `case.manage` acts on)."""
    if not (actor.has_perm("case.view") and actor.has_perm("case.manage")):
        return Case.objects.none()
    cases = Case.objects.filter(owner_organisation_id=actor.organisation_id)
    if actor.scope == Scope.OWN:
        cases = cases.filter(created_by_id=actor.user_id)
    return cases


def case_get(*, actor: Membership, case_id: uuid.UUID | str) -> Case:
    """Open one case (it concerns a person): 404 outside scope, an access event inside."""
    pk = uuid_or_404(case_id)
    with transaction.atomic():
        case = (
            case_list_visible_to(actor=actor)
            .select_related("owner_organisation", "county", "created_by")
            .filter(pk=pk)
            .first()
        )
        if case is None:
            raise Http404
        audit.record(action="case.viewed", actor=actor, subject=case, person_id=case.person_id)
    return case


def team_role_of(*, actor: Membership, case: Case, today: datetime.date | None = None) -> set[str]:
    """The roles in force the actor holds on the case's team."""
    today = today or timezone.localdate()
    return set(
        TeamMember.objects.filter(
            TeamMember.in_force_q(today), case=case, membership_id=actor.pk
        ).values_list("role", flat=True)
    )


def sections_readable(
    *, actor: Membership, case: Case, team_roles: set[str] | None = None
) -> list[str]:
    """The restricted sections the actor may read on this case: the section's permission, and
    either membership of the managing organisation or a team role the section admits."""
    if team_roles is None:
        team_roles = team_role_of(actor=actor, case=case)
    readable = []
    for section, roles in SECTION_TEAM_ROLES.items():
        if not actor.has_perm(f"case.section.{section}"):
            continue
        if actor.organisation_id == case.owner_organisation_id or team_roles & roles:
            readable.append(section)
    return readable


def restricted_notes_read(
    *, actor: Membership, case_id: uuid.UUID | str, section: str
) -> tuple[Case, list[RestrictedNote]]:
    """One restricted section of a case, for those allowed it; every read is audited. A
    section one may not read is not found, as a case one may not see."""
    if section not in SECTION_TEAM_ROLES:
        raise Http404
    case = case_get(actor=actor, case_id=case_id)
    if section not in sections_readable(actor=actor, case=case):
        raise Http404
    notes = list(
        case.restricted_notes.filter(section=section, archived_at__isnull=True).select_related(
            "organisation", "created_by"
        )
    )
    audit.record(
        action="case.restricted_viewed",
        actor=actor,
        subject=case,
        person_id=case.person_id,
        changes={"section": section, "notes": len(notes)},
    )
    return case, notes


@dataclass
class CasePage:
    """Everything a case's page shows, read in a number of queries that does not grow with the
    case's history, services or team."""

    case: Case
    events: list[CaseEvent]
    services: list[CaseService]
    team: list[TeamMember]
    follow_ups: list[FollowUp]
    transfers: list[CaseTransfer]
    assessment: Assessment | None
    plan: PlanVersion | None
    plan_versions: list[PlanVersion]
    sections: list[str]
    team_roles: set[str] = field(default_factory=set)

    @property
    def editable(self) -> bool:
        return self.case.is_active

    @property
    def team_role_labels(self) -> list[str]:
        return [str(TeamRole(role).label) for role in sorted(self.team_roles)]

    @property
    def pending_transfer(self) -> CaseTransfer | None:
        return next((t for t in self.transfers if t.status == TransferStatus.REQUESTED), None)


def case_page(*, actor: Membership, case_id: uuid.UUID | str) -> CasePage:
    case = case_get(actor=actor, case_id=case_id)
    today = timezone.localdate()
    events = list(case.events.select_related("actor", "organisation").order_by("occurred_at", "id"))
    services = list(
        case.services.select_related("provider", "requested_by_organisation").order_by(
            "created_at", "id"
        )
    )
    team = list(
        case.team.select_related("membership__user", "organisation").order_by("starts_on", "id")
    )
    follow_ups = list(case.follow_ups.order_by("due_at", "id"))
    transfers = list(
        case.transfers.select_related("from_organisation", "to_organisation").order_by(
            "-created_at"
        )
    )
    assessment = case.assessments.select_related("organisation", "created_by").first()
    versions = list(
        case.plan_versions.select_related("organisation", "saved_by").order_by("-number")
    )
    plan = None
    if versions:
        plan = (
            PlanVersion.objects.filter(pk=versions[0].pk)
            .prefetch_related(
                Prefetch(
                    "goals",
                    queryset=PlanGoal.objects.select_related("responsible_organisation"),
                )
            )
            .get()
        )
    roles = {m.role for m in team if m.membership_id == actor.pk and m.in_force(today)}
    return CasePage(
        case=case,
        events=events,
        services=services,
        team=team,
        follow_ups=follow_ups,
        transfers=transfers,
        assessment=assessment,
        plan=plan,
        plan_versions=versions,
        sections=sections_readable(actor=actor, case=case, team_roles=roles),
        team_roles=roles,
    )


def plan_version_get(*, actor: Membership, case_id, number: int) -> PlanVersion:
    case = case_get(actor=actor, case_id=case_id)
    version = (
        case.plan_versions.filter(number=number)
        .prefetch_related(
            Prefetch("goals", queryset=PlanGoal.objects.select_related("responsible_organisation"))
        )
        .first()
    )
    if version is None:
        raise Http404
    return version


# --- Providers ------------------------------------------------------------------------------


def service_list_for_provider(*, actor: Membership) -> QuerySet[CaseService]:
    """Services asked of the actor's organisation (providers answer and deliver them)."""
    if not actor.has_perm("case.deliver"):
        return CaseService.objects.none()
    return CaseService.objects.filter(provider_id=actor.organisation_id)


def service_get(*, actor: Membership, service_id: uuid.UUID | str) -> CaseService:
    """A service, for its provider or for whoever may see its case; the read is audited."""
    pk = uuid_or_404(service_id)
    with transaction.atomic():
        visible = Q(pk__in=service_list_for_provider(actor=actor).values("pk")) | Q(
            case__in=case_list_visible_to(actor=actor)
        )
        service = (
            CaseService.objects.filter(visible, pk=pk)
            .select_related("case", "provider", "requested_by_organisation", "case__county")
            .first()
        )
        if service is None:
            raise Http404
        audit.record(
            action="case_service.viewed",
            actor=actor,
            subject=service,
            person_id=service.case.person_id,
        )
    return service


# --- Worklists ------------------------------------------------------------------------------


def services_to_answer(*, actor: Membership) -> QuerySet[CaseService]:
    return service_list_for_provider(actor=actor).filter(status=CaseServiceStatus.REQUESTED)


def services_to_deliver(*, actor: Membership) -> QuerySet[CaseService]:
    return service_list_for_provider(actor=actor).filter(status=CaseServiceStatus.ACCEPTED)


def follow_ups_overdue(
    *, actor: Membership, now: datetime.datetime | None = None
) -> QuerySet[FollowUp]:
    """Missed follow-ups: nationally for the national agency (`case.monitor`), else those of
    the cases the actor's organisation manages."""
    now = now or timezone.now()
    missed = FollowUp.objects.filter(status=FollowUpStatus.SCHEDULED, due_at__lt=now)
    if actor.has_perm("case.monitor") and actor.has_perm("case.view"):
        return missed
    return missed.filter(case__in=case_managed_by(actor=actor))


def follow_ups_due(*, actor: Membership, days: int = 7) -> QuerySet[FollowUp]:
    now = timezone.now()
    return FollowUp.objects.filter(
        case__in=case_managed_by(actor=actor),
        status=FollowUpStatus.SCHEDULED,
        due_at__gte=now,
        due_at__lt=now + datetime.timedelta(days=days),
    )


def closures_to_approve(*, actor: Membership) -> QuerySet[Case]:
    if not (actor.has_perm("case.view") and actor.has_perm("case.approve_closure")):
        return Case.objects.none()
    return Case.objects.filter(
        owner_organisation_id=actor.organisation_id, status=CaseStatus.CLOSURE_REQUESTED
    )


def transfers_offered(*, actor: Membership) -> QuerySet[CaseTransfer]:
    if not (actor.has_perm("case.view") and actor.has_perm("case.manage")):
        return CaseTransfer.objects.none()
    return CaseTransfer.objects.filter(
        to_organisation_id=actor.organisation_id, status=TransferStatus.REQUESTED
    )


def cases_active(*, actor: Membership) -> QuerySet[Case]:
    return case_managed_by(actor=actor).filter(
        status__in=[CaseStatus.OPEN, CaseStatus.REOPENED, CaseStatus.CLOSURE_REQUESTED]
    )


def open_services_of(case: Case) -> QuerySet[CaseService]:
    return case.services.filter(status__in=OPEN_SERVICE_STATUSES)
