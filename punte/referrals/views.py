"""Pages: the referral inbox, a referral with its actions and history, routing a person, the
national list of overdue referrals, the service registry. Thin: selectors and services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from punte.core.api_support import paginate_by_cursor
from punte.core.errors import ServiceError
from punte.core.models import County
from punte.identification.persons import selectors as person_selectors
from punte.referrals import lifecycle, registry, routing, selectors, services
from punte.referrals.forms import ArchiveOfferingForm, OfferingForm, ReasonForm
from punte.referrals.models import CONSENT_LABELS, ReferralStatus, ServiceOffering, ServiceType
from punte.referrals.rules import current_ruleset


def _actor(request, permission: str):
    if request.membership is None or not request.membership.has_perm(permission):
        raise PermissionDenied
    return request.membership


def _page(rows_and_cursor):
    try:
        return rows_and_cursor()
    except ServiceError:
        return [], None


def inbox(request):
    actor = _actor(request, "referral.view")
    incoming, incoming_next = _page(
        lambda: selectors.paginate_by_deadline(
            selectors.referral_incoming_open(actor=actor).select_related(
                "sender_organisation", "rule", "county"
            ),
            cursor=request.GET.get("incoming_cursor"),
            limit=50,
        )
    )
    awaiting, awaiting_next = _page(
        lambda: paginate_by_cursor(
            selectors.referral_awaiting_answer(actor=actor).select_related(
                "receiver_organisation", "rule", "county"
            ),
            cursor=request.GET.get("awaiting_cursor"),
            limit=50,
        )
    )
    return render(
        request,
        "referrals/inbox.html",
        {
            "incoming": incoming,
            "incoming_next": incoming_next,
            "awaiting": awaiting,
            "awaiting_next": awaiting_next,
            "now": timezone.now(),
            "can_respond": actor.has_perm("referral.respond"),
        },
    )


def _available_actions(actor, referral) -> list[dict]:
    """The transitions the actor's organisation may apply to the referral now."""
    actions = []
    for to_status, transition in lifecycle.TRANSITIONS[referral.status].items():
        side = getattr(referral, transition.side.field)
        if side == actor.organisation_id and actor.has_perm(transition.permission):
            actions.append(
                {
                    "to": to_status,
                    "label": _ACTION_LABELS[to_status],
                    "needs_reason": transition.needs_reason,
                    "confirm": to_status in CONFIRMED_STEPS,
                }
            )
    return actions


def detail(request, referral_id):
    actor = _actor(request, "referral.view")
    referral = selectors.referral_get(actor=actor, referral_id=referral_id)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "events": selectors.referral_events(referral=referral),
            "actions": _available_actions(actor, referral),
            "reason_form": ReasonForm(),
            "now": timezone.now(),
            "receiving": referral.receiver_organisation_id == actor.organisation_id,
        },
    )


_ACTION_LABELS = {
    ReferralStatus.ACCEPTED: gettext_lazy("Accept"),
    ReferralStatus.REJECTED: gettext_lazy("Reject"),
    ReferralStatus.COMPLETED: gettext_lazy("Mark completed"),
    ReferralStatus.WITHDRAWN: gettext_lazy("Withdraw"),
}

# Final steps: the page asks "are you sure?" first, saying what will happen, and the step is
# applied only by the confirmation's own button (a POST carrying confirmed=yes).
CONFIRMED_STEPS = {
    ReferralStatus.REJECTED: {
        "question": gettext_lazy("Reject this referral?"),
        "consequence": gettext_lazy(
            "The referral ends: your organisation will not act on it and gets no access to the "
            "person's record. The sending organisation is told, with your reason, and must "
            "find another body. This cannot be undone."
        ),
        "button": gettext_lazy("Yes, reject the referral"),
    },
    ReferralStatus.COMPLETED: {
        "question": gettext_lazy("Mark this referral completed?"),
        "consequence": gettext_lazy(
            "The referral ends as done: no deadline runs any longer and it leaves the "
            "worklists. The sending organisation is told. This cannot be undone: further work "
            "for the person needs a new referral."
        ),
        "button": gettext_lazy("Yes, mark it completed"),
    },
    ReferralStatus.WITHDRAWN: {
        "question": gettext_lazy("Withdraw this referral?"),
        "consequence": gettext_lazy(
            "The referral ends: the receiving organisation is told, with your reason, and "
            "stops its work on it. This cannot be undone: referring the person again needs a "
            "new referral."
        ),
        "button": gettext_lazy("Yes, withdraw the referral"),
    },
}


def confirm(request, referral_id, to_status, *, error: ServiceError | None = None):
    """Ask before a final step: what will happen, the reason where one is needed, and a second,
    explicit button. A step the actor may not take here is not found."""
    actor = _actor(request, "referral.view")
    if to_status not in CONFIRMED_STEPS:
        raise Http404
    referral = selectors.referral_get(actor=actor, referral_id=referral_id)
    action = next((a for a in _available_actions(actor, referral) if a["to"] == to_status), None)
    if action is None:
        raise Http404
    return render(
        request,
        "referrals/confirm.html",
        {
            "referral": referral,
            "action": action,
            "step": CONFIRMED_STEPS[to_status],
            "reason": request.POST.get("reason", ""),
            # The refusal in words that name the field and the fix.
            "error": error
            and _(
                "Enter the reason. Both organisations will read it, so write only what they need."
            ),
        },
        status=422 if error else 200,
    )


@require_POST
def transition(request, referral_id, to_status):
    actor = _actor(request, "referral.view")
    if to_status not in lifecycle.ACTION_PERMISSION:
        raise Http404
    confirmed = to_status not in CONFIRMED_STEPS or request.POST.get("confirmed") == "yes"
    if not confirmed:
        return redirect("referrals:confirm", referral_id=referral_id, to_status=to_status)
    try:
        services.referral_transition(
            actor=actor,
            referral_id=referral_id,
            to_status=to_status,
            reason=request.POST.get("reason"),
        )
    except ServiceError as exc:
        if to_status in CONFIRMED_STEPS and exc.field == "reason":
            return confirm(request, referral_id, to_status, error=exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The referral is now %(status)s.") % {"status": ReferralStatus(to_status).label},
        )
    return redirect("referrals:detail", referral_id=referral_id)


def _county_for(request, actor):
    code = request.POST.get("county") or request.GET.get("county") or actor.organisation.county_id
    return County.objects.filter(code=code).first() if code else None


def route(request, person_id):
    """Route a person: the mandatory referrals the rules give, explained; services to add."""
    actor = _actor(request, "referral.send")
    person = person_selectors.person_get_for_view(actor=actor, person_id=person_id)
    county = _county_for(request, actor)
    error = None
    if request.method == "POST":
        try:
            result = send_posted(request, actor=actor, person=person, county=county)
        except ServiceError as exc:
            error = exc.message
        else:
            report_sent(request, result)
            return redirect(reverse("referrals:inbox"))
    context = {
        "person": person,
        "counties": County.objects.all(),
        "county": county,
        "error": error,
        **routing_context(request, actor=actor, person=person, county=county),
    }
    return render(request, "referrals/route.html", context, status=422 if error else 200)


def county_for(request, actor) -> County | None:
    """The county of the case: the one asked for, else the acting organisation's."""
    return _county_for(request, actor)


def send_posted(request, *, actor, person, county: County | None) -> services.SendResult:
    """Send the referrals the route form (referrals/_route_form.html) chose, in one
    transaction (referrals_send): all or nothing, an open referral never sent twice."""
    if county is None:
        raise ServiceError("county", _("Choose the county of the case."))
    requests = []
    for code, receiver in request.POST.items():
        if code.startswith("rule:") and receiver:
            requests.append(
                services.ReferralRequest(
                    receiver_organisation_id=receiver, rule_code=code.removeprefix("rule:")
                )
            )
    for offering in ServiceOffering.objects.filter(
        pk__in=[v for v in request.POST.getlist("offering") if _is_uuid(v)]
    ):
        requests.append(
            services.ReferralRequest(
                receiver_organisation_id=offering.organisation_id, service=offering.service
            )
        )
    return services.referrals_send(
        actor=actor,
        person=person,
        county_code=county.code,
        requests=requests,
        note=request.POST.get("note", "").strip() or None,
    )


def report_sent(request, result: services.SendResult) -> None:
    messages.success(
        request,
        ngettext("%(count)d referral sent.", "%(count)d referrals sent.", len(result.referrals))
        % {"count": len(result.referrals)},
    )
    for rule in result.unresolved:
        messages.warning(
            request,
            _(
                "Mandatory referral to a %(type)s not sent: no such organisation is "
                "registered for the county. The national agency has been told."
            )
            % {"type": rule.target_label},
        )


def routing_context(request, *, actor, person, county: County | None) -> dict:
    """What the route form shows: the rules' proposals for the person in the county, explained,
    the consent that allows sending, and the registry's services."""
    ruleset = current_ruleset()
    context = {"ruleset": ruleset, "note": request.POST.get("note", "")}
    if county is None or ruleset is None:
        return context
    today = timezone.localdate()
    result = routing.route(
        person=person, county=county, sender=actor.organisation, ruleset=ruleset, on=today
    )
    consent = services._consent_state(person, today)
    context.update(
        {
            "routing": result,
            "consent_label": CONSENT_LABELS.get(consent, consent),
            "can_send": result.is_child or consent in services.CONSENT_OK,
            "offerings": routing.service_offerings_for(county=county, exclude=actor.organisation),
            "chosen_offerings": set(request.POST.getlist("offering")),
        }
    )
    return context


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def overdue(request):
    actor = _actor(request, "referral.monitor")
    rows, next_cursor = _page(
        lambda: selectors.paginate_by_deadline(
            selectors.referrals_overdue_national(actor=actor).select_related(
                "sender_organisation", "receiver_organisation", "rule", "county"
            ),
            cursor=request.GET.get("cursor"),
            limit=50,
        )
    )
    return render(
        request,
        "referrals/overdue.html",
        {"referrals": rows, "next_cursor": next_cursor, "now": timezone.now()},
    )


def service_registry(request):
    actor = _actor(request, "organisation.view")
    can_manage = actor.has_perm("service.manage")
    form = OfferingForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                registry.service_offering_create(
                    actor=actor,
                    organisation_id=form.cleaned_data["organisation"].pk,
                    service=form.cleaned_data["service"],
                    county_code=form.cleaned_data["county"].code,
                    notes=form.cleaned_data["notes"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Added to the service registry."))
                return redirect("referrals:services")
    county = request.GET.get("county") or None
    service = request.GET.get("service") or None
    return render(
        request,
        "referrals/services.html",
        {
            "offerings": selectors.service_offering_list(county_code=county, service=service),
            "form": form,
            "can_manage": can_manage,
            "counties": County.objects.all(),
            "service_types": ServiceType.choices,
            "selected_county": county,
            "selected_service": service,
            "archive_form": ArchiveOfferingForm(),
        },
        status=422 if form is not None and form.errors else 200,
    )


@require_POST
def service_archive(request, offering_id):
    actor = _actor(request, "service.manage")
    form = ArchiveOfferingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason the service is withdrawn."))
        return redirect("referrals:services")
    registry.service_offering_archive(
        actor=actor, offering_id=offering_id, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Withdrawn from the service registry."))
    return redirect("referrals:services")
