"""Pages of assistance cases. Thin: forms parse, selectors read (audited), services write; a
refused write shows the service's message beside the field it names."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from punte.accounts.models import Membership, Organisation
from punte.cases import forms, lifecycle, selectors, services
from punte.cases.links import links_for
from punte.cases.models import (
    ACTIVE_STATUSES,
    Case,
    CaseServiceStatus,
    CaseStatus,
    RestrictedSection,
    TransferStatus,
)
from punte.cases.permissions import TEAM_ROLE_ORGANISATION_TYPES
from punte.cases.services.common import CASE_MANAGER_TYPES, CHILD_CASE_MANAGER_TYPES
from punte.core.errors import ServiceError
from punte.referrals.models import Referral, ReferralStatus, ServiceOffering


def _actor(request, permission: str) -> Membership:
    if request.membership is None or not request.membership.has_perm(permission):
        raise PermissionDenied
    return request.membership


def _attach(form, error: ServiceError) -> None:
    """The service's refusal beside the field it names (the form's field of that name, or the
    field the API name maps to), else at the top of the form."""
    name = (error.field or "").removesuffix("_id")
    form.add_error(name if name in form.fields else None, error.message)


def case_list(request):
    actor = _actor(request, "case.view")
    cases = (
        selectors.case_list_visible_to(actor=actor)
        .select_related("owner_organisation", "county")
        .order_by("-created_at")[:200]
    )
    return render(
        request,
        "cases/list.html",
        {
            "cases": cases,
            "can_open": actor.has_perm("case.manage"),
            "can_deliver": actor.has_perm("case.deliver"),
        },
    )


def _referrals_to_open(actor: Membership):
    """Accepted referrals to the actor's organisation whose person has no active case."""
    active = Case.objects.filter(person_id=OuterRef("person_id"), status__in=ACTIVE_STATUSES)
    rows = (
        Referral.objects.filter(
            receiver_organisation_id=actor.organisation_id,
            status__in=[ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED],
        )
        .filter(~Exists(active))
        .select_related("sender_organisation", "county", "rule")
        .defer("note")
        .order_by("-created_at")[:100]
    )
    for referral in rows:
        referral.label = _("%(purpose)s from %(sender)s, %(date)s · record %(record)s") % {
            "purpose": referral.purpose_label,
            "sender": referral.sender_organisation.name,
            "date": timezone.localtime(referral.created_at).date().isoformat(),
            "record": str(referral.person_id)[:8],
        }
    return list(rows)


def case_open(request):
    actor = _actor(request, "case.manage")
    referrals = _referrals_to_open(actor)
    initial = {"referral": request.GET.get("referral")} if request.GET.get("referral") else None
    form = forms.OpenForm(request.POST or None, referrals=referrals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=actor, referral_id=form.cleaned_data["referral"])
        except ServiceError as exc:
            form.add_error("referral" if exc.field == "referral_id" else None, exc.message)
        else:
            messages.success(request, _("The case is open."))
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/open.html", {"form": form, "referrals": referrals})


# --- The case page ----------------------------------------------------------------------------


def _candidates(case: Case):
    """Active members of organisations that may fill some team role, outside the owner."""
    types = set().union(*TEAM_ROLE_ORGANISATION_TYPES.values())
    return (
        Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            organisation__is_active=True,
            organisation__type__in=types,
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name")[:300]
    )


def _receivers(case: Case):
    types = CHILD_CASE_MANAGER_TYPES if case.is_child else CASE_MANAGER_TYPES
    return (
        Organisation.objects.filter(is_active=True, type__in=types)
        .exclude(pk=case.owner_organisation_id)
        .order_by("name")
    )


def _offerings(case: Case):
    return (
        ServiceOffering.objects.filter(county_id=case.county_id, archived_at__isnull=True)
        .select_related("organisation")
        .order_by("service", "organisation__name")
    )


def _case_forms(case: Case, bound: dict | None = None) -> dict:
    bound = bound or {}
    made = {
        "closure_form": forms.ClosureRequestForm(),
        "refuse_form": forms.ReasonForm(prefix="refuse"),
        "reopen_form": forms.ReasonForm(prefix="reopen"),
        "transfer_form": forms.TransferForm(organisations=_receivers(case)),
        "decline_form": forms.ReasonForm(prefix="decline"),
        "team_form": forms.TeamMemberForm(candidates=_candidates(case)),
        "service_form": forms.ServiceRequestForm(offerings=_offerings(case)),
        "follow_up_form": forms.FollowUpForm(),
    }
    made.update(bound)
    return made


def detail(request, case_id, bound: dict | None = None, status: int = 200):
    actor = _actor(request, "case.view")
    page = selectors.case_page(actor=actor, case_id=case_id)
    case = page.case
    manages = actor.organisation_id == case.owner_organisation_id and actor.has_perm("case.manage")
    pending = page.pending_transfer
    context = {
        "page": page,
        "case": case,
        "manages": manages and case.is_active,
        "can_reopen": manages and case.status == CaseStatus.CLOSED,
        "can_decide_closure": actor.organisation_id == case.owner_organisation_id
        and actor.has_perm("case.approve_closure")
        and case.status == CaseStatus.CLOSURE_REQUESTED,
        "receives_transfer": pending is not None
        and pending.to_organisation_id == actor.organisation_id
        and actor.has_perm("case.manage"),
        "today": timezone.localdate(),
        "now": timezone.now(),
        "sections": [(s, RestrictedSection(s).label) for s in page.sections],
        "related": links_for(actor=actor, case=case),
    }
    if context["manages"]:
        context.update(_case_forms(case, bound))
    return render(request, "cases/detail.html", context, status=status)


def _post(request, case_id, form, key: str, call, success: str):
    """Run one page action: a valid form calls the service; a refusal shows on the case page
    beside the field named (422), with nothing written."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ServiceError as exc:
            _attach(form, exc)
        else:
            messages.success(request, success)
            return redirect("cases:detail", case_id=case_id)
    return detail(request, case_id, bound={key: form}, status=422)


@require_POST
def closure_request(request, case_id):
    actor = _actor(request, "case.manage")
    return _post(
        request,
        case_id,
        forms.ClosureRequestForm(request.POST),
        "closure_form",
        lambda d: services.case_request_closure(
            actor=actor, case_id=case_id, closure_reason=d["closure_reason"], note=d["note"]
        ),
        _("Closure requested: a supervisor of your organisation decides."),
    )


@require_POST
def closure_decide(request, case_id, decision):
    actor = _actor(request, "case.approve_closure")
    if decision == "approve":
        try:
            services.case_approve_closure(actor=actor, case_id=case_id)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The case is closed."))
        return redirect("cases:detail", case_id=case_id)
    if decision != "refuse":
        raise Http404
    return _post(
        request,
        case_id,
        forms.ReasonForm(request.POST, prefix="refuse"),
        "refuse_form",
        lambda d: services.case_refuse_closure(actor=actor, case_id=case_id, reason=d["reason"]),
        _("Closure refused: the case stays open."),
    )


@require_POST
def reopen(request, case_id):
    actor = _actor(request, "case.manage")
    form = forms.ReasonForm(request.POST, prefix="reopen")
    if form.is_valid():
        try:
            services.case_reopen(actor=actor, case_id=case_id, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The case is reopened."))
    else:
        messages.error(request, _("Give the reason for reopening the case."))
    return redirect("cases:detail", case_id=case_id)


@require_POST
def transfer_request(request, case_id):
    actor = _actor(request, "case.manage")
    case = selectors.case_list_visible_to(actor=actor).filter(pk=case_id).first()
    if case is None:
        raise Http404
    return _post(
        request,
        case_id,
        forms.TransferForm(request.POST, organisations=_receivers(case)),
        "transfer_form",
        lambda d: services.case_transfer_request(
            actor=actor,
            case_id=case_id,
            to_organisation_id=d["to_organisation"],
            reason=d["reason"],
        ),
        _("Transfer offered: the case changes hands when the organisation accepts."),
    )


@require_POST
def transfer_decide(request, case_id, transfer_id, to_status):
    actor = _actor(request, "case.manage")
    if to_status not in (
        TransferStatus.ACCEPTED,
        TransferStatus.DECLINED,
        TransferStatus.WITHDRAWN,
    ):
        raise Http404
    try:
        services.case_transfer_decide(
            actor=actor,
            transfer_id=transfer_id,
            to_status=to_status,
            reason=request.POST.get("decline-reason") or request.POST.get("reason"),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The transfer is %(status)s.") % {"status": TransferStatus(to_status).label}
        )
    return redirect("cases:detail", case_id=case_id)


@require_POST
def team_add(request, case_id):
    actor = _actor(request, "case.manage")
    case = selectors.case_list_visible_to(actor=actor).filter(pk=case_id).first()
    if case is None:
        raise Http404
    return _post(
        request,
        case_id,
        forms.TeamMemberForm(request.POST, candidates=_candidates(case)),
        "team_form",
        lambda d: services.team_member_add(
            actor=actor,
            case_id=case_id,
            membership_id=d["membership"],
            role=d["role"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
        ),
        _("The member joined the team."),
    )


@require_POST
def team_end(request, case_id, member_id):
    actor = _actor(request, "case.manage")
    try:
        services.team_member_end(actor=actor, member_id=member_id)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The membership has ended."))
    return redirect("cases:detail", case_id=case_id)


@require_POST
def service_request(request, case_id):
    actor = _actor(request, "case.manage")
    case = selectors.case_list_visible_to(actor=actor).filter(pk=case_id).first()
    if case is None:
        raise Http404

    def call(data):
        service, _sep, provider = data["offering"].partition(":")
        return services.case_service_request(
            actor=actor, case_id=case_id, service=service, provider_id=provider, note=data["note"]
        )

    return _post(
        request,
        case_id,
        forms.ServiceRequestForm(request.POST, offerings=_offerings(case)),
        "service_form",
        call,
        _("The service is requested from the provider."),
    )


@require_POST
def follow_up_schedule(request, case_id):
    actor = _actor(request, "case.manage")
    return _post(
        request,
        case_id,
        forms.FollowUpForm(request.POST),
        "follow_up_form",
        lambda d: services.follow_up_schedule(
            actor=actor, case_id=case_id, due_at=d["due_at"], purpose=d["purpose"]
        ),
        _("The follow-up is scheduled."),
    )


@require_POST
def follow_up_done(request, case_id, follow_up_id):
    actor = _actor(request, "case.manage")
    form = forms.FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_done(
                actor=actor, follow_up_id=follow_up_id, outcome=form.cleaned_data["outcome"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The follow-up is recorded as done."))
    else:
        messages.error(request, _("Say what came of the follow-up."))
    return redirect("cases:detail", case_id=case_id)


# --- Assessment and plan ----------------------------------------------------------------------


def assess(request, case_id):
    actor = _actor(request, "case.manage")
    case = selectors.case_get(actor=actor, case_id=case_id)
    form = forms.AssessmentForm(request.POST or None, initial={"assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_record(
                actor=actor,
                case_id=case_id,
                assessed_on=data["assessed_on"],
                needs=form.needs(),
                retrafficking_risk=data["retrafficking_risk"],
                risk_factors=data["risk_factors"],
            )
        except ServiceError as exc:
            name = (exc.field or "").replace("needs.", "").replace(".", "_")
            form.add_error(name if name in form.fields else None, exc.message)
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect("cases:detail", case_id=case_id)
    return render(
        request,
        "cases/assess.html",
        {"case": case, "form": form},
        status=422 if form.errors else 200,
    )


_EMPTY_GOALS = 3


def plan(request, case_id):
    actor = _actor(request, "case.manage")
    page = selectors.case_page(actor=actor, case_id=case_id)
    case = page.case
    if page.case.owner_organisation_id != actor.organisation_id:
        raise Http404
    organisations = Organisation.objects.filter(is_active=True).order_by("name")
    current = list(page.plan.goals.all()) if page.plan else []
    count = int(request.POST.get("goal_count", len(current) + _EMPTY_GOALS) or 0)
    count = max(1, min(count, 50))
    if request.method == "POST":
        goal_forms = [
            forms.GoalForm(request.POST, prefix=f"goal-{i}", organisations=organisations)
            for i in range(count)
        ]
        plan_form = forms.PlanForm(request.POST)
    else:
        goal_forms = [
            forms.GoalForm(
                prefix=f"goal-{i}",
                organisations=organisations,
                initial={
                    "key": str(g.key),
                    "area": g.area,
                    "goal": g.goal,
                    "responsible_organisation": str(g.responsible_organisation_id),
                    "starts_on": g.starts_on,
                    "due_on": g.due_on,
                    "status": g.status,
                },
            )
            for i, g in enumerate(current)
        ] + [
            forms.GoalForm(prefix=f"goal-{i}", organisations=organisations)
            for i in range(len(current), len(current) + _EMPTY_GOALS)
        ]
        plan_form = forms.PlanForm(
            initial={"review_on": page.plan.review_on if page.plan else None}
        )
    if request.method == "POST" and plan_form.is_valid() and all(f.is_valid() for f in goal_forms):
        filled = [(i, f) for i, f in enumerate(goal_forms) if not f.is_blank]
        goals = []
        for _i, f in filled:
            d = f.cleaned_data
            goals.append(
                services.GoalInput(
                    area=d["area"],
                    goal=d["goal"],
                    responsible_organisation_id=d["responsible_organisation"],
                    starts_on=d["starts_on"] or timezone.localdate(),
                    due_on=d["due_on"] or d["starts_on"] or timezone.localdate(),
                    status=d["status"],
                    key=d["key"] or None,
                )
            )
        try:
            version = services.plan_save(
                actor=actor,
                case_id=case_id,
                goals=goals,
                review_on=plan_form.cleaned_data["review_on"],
                summary=plan_form.cleaned_data["summary"],
            )
        except ServiceError as exc:
            _plan_error(exc, plan_form, [f for _i, f in filled])
        else:
            messages.success(
                request, _("Version %(number)d of the plan is saved.") % {"number": version.number}
            )
            return redirect("cases:detail", case_id=case_id)
    return render(
        request,
        "cases/plan.html",
        {"case": case, "page": page, "plan_form": plan_form, "goal_forms": goal_forms},
        status=422 if request.method == "POST" else 200,
    )


def _plan_error(exc: ServiceError, plan_form, filled_forms) -> None:
    parts = (exc.field or "").split(".")
    if parts[0] == "goals" and len(parts) == 3:
        form = filled_forms[int(parts[1])]
        name = parts[2].removesuffix("_id")
        form.add_error(name if name in form.fields else None, exc.message)
        return
    plan_form.add_error(parts[0] if parts[0] in plan_form.fields else None, exc.message)


def plan_compare(request, case_id):
    actor = _actor(request, "case.view")
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        raise Http404 from None
    older = selectors.plan_version_get(actor=actor, case_id=case_id, number=min(a, b))
    newer = selectors.plan_version_get(actor=actor, case_id=case_id, number=max(a, b))
    return render(
        request,
        "cases/plan_compare.html",
        {
            "case": older.case,
            "older": older,
            "newer": newer,
            "changes": services.plan_diff(older, newer),
        },
    )


# --- Restricted sections ----------------------------------------------------------------------


def section(request, case_id, section):
    actor = _actor(request, "case.view")
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.restricted_note_add(
                actor=actor, case_id=case_id, section=section, text=form.cleaned_data["text"]
            )
        except ServiceError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("The note is added."))
            return redirect("cases:section", case_id=case_id, section=section)
    case, notes = selectors.restricted_notes_read(actor=actor, case_id=case_id, section=section)
    return render(
        request,
        "cases/section.html",
        {
            "case": case,
            "notes": notes,
            "form": form,
            "section_label": RestrictedSection(section).label,
            "writable": case.is_active,
        },
        status=422 if form.errors else 200,
    )


# --- Providers ------------------------------------------------------------------------------


def provider_services(request):
    actor = _actor(request, "case.deliver")
    rows = (
        selectors.service_list_for_provider(actor=actor)
        .select_related("requested_by_organisation", "case__county")
        .defer("request_note", "reason")
        .order_by("-created_at")[:200]
    )
    return render(request, "cases/provider_services.html", {"services": rows})


_SERVICE_ACTIONS = frozenset(
    {
        CaseServiceStatus.ACCEPTED,
        CaseServiceStatus.DECLINED,
        CaseServiceStatus.DELIVERED,
        CaseServiceStatus.CANCELLED,
    }
)


def service_detail(request, service_id, bound=None, status=200):
    actor = request.membership
    if actor is None:
        raise PermissionDenied
    service = selectors.service_get(actor=actor, service_id=service_id)
    actions = []
    for to, transition in lifecycle.SERVICE_MACHINE.transitions[service.status].items():
        if getattr(service, transition.side.field) == actor.organisation_id and actor.has_perm(
            transition.permission
        ):
            actions.append({"to": to, "needs_reason": transition.needs_reason})
    bound = bound or {}
    return render(
        request,
        "cases/service.html",
        {
            "service": service,
            "actions": [a["to"] for a in actions],
            "delivery_form": bound.get("delivery") or forms.DeliveryForm(),
            "reason_form": bound.get("reason") or forms.ReasonForm(prefix="service"),
            "case_active": service.case.is_active,
            "is_provider": service.provider_id == actor.organisation_id,
        },
        status=status,
    )


@require_POST
def service_transition(request, service_id, to_status):
    actor = request.membership
    if actor is None:
        raise PermissionDenied
    if to_status not in _SERVICE_ACTIONS:
        raise Http404
    if to_status == CaseServiceStatus.DELIVERED:
        form = forms.DeliveryForm(request.POST)
        key = "delivery"
    elif to_status in (CaseServiceStatus.DECLINED, CaseServiceStatus.CANCELLED):
        form = forms.ReasonForm(request.POST, prefix="service")
        key = "reason"
    else:
        form, key = None, None
    if form is not None and not form.is_valid():
        return service_detail(request, service_id, bound={key: form}, status=422)
    data = form.cleaned_data if form is not None else {}
    try:
        services.case_service_transition(
            actor=actor,
            service_id=service_id,
            to_status=to_status,
            reason=data.get("reason"),
            delivered_from=data.get("delivered_from"),
            delivered_to=data.get("delivered_to"),
            units=data.get("units"),
            unit=data.get("unit"),
        )
    except ServiceError as exc:
        if form is not None and (exc.field or "") in form.fields:
            form.add_error(exc.field, exc.message)
            return service_detail(request, service_id, bound={key: form}, status=422)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The service is now %(status)s.") % {"status": CaseServiceStatus(to_status).label},
        )
    return redirect("cases:service", service_id=service_id)
