"""Pages of signals: the staff's list, recording one, opening one and moving it on; and the
anonymous public report form, which anyone may use with no account (ADR 0021).

Abuse of the public form is held back without any outside service:
- a rate limit per client, counted in the database, keyed by an HMAC of the client's IP address
  (services/public_report.py);
- a limit in characters on every field, and on the request's size before it is parsed
  (punte.core.body_limit, far above the largest valid report);
- a honeypot field and a minimum fill time (forms.PublicReportForm);
- Django's CSRF protection.
A refused report writes nothing but the rate-limit counter of a bot-like refusal: the form's
single use, the count and the signal are one transaction, or nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from punte.core import context
from punte.core.api_support import paginate_by_cursor
from punte.core.errors import ServiceError
from punte.identification.persons.selectors import person_get_for_view
from punte.identification.signals import selectors
from punte.identification.signals.forms import (
    PersonDescriptionForm,
    PublicReportForm,
    SignalForm,
    TriageForm,
    new_form_token,
)
from punte.identification.signals.models import (
    SignalStatus,
    exploitation_form_labels,
)
from punte.identification.signals.services import public_report as public_services
from punte.identification.signals.services import signal as services

_THANKS_SALT = "punte.public_report.thanks"


def _actor(request, permission: str):
    if request.membership is None or not request.membership.has_perm(permission):
        raise PermissionDenied
    return request.membership


def signal_list(request):
    actor = _actor(request, "signal.view")
    status = request.GET.get("status", "")
    signals = selectors.signal_list_visible_to(actor=actor).select_related("county")
    if status in SignalStatus.values:
        signals = signals.filter(status=status)
    try:
        rows, next_cursor = paginate_by_cursor(signals, cursor=request.GET.get("cursor"), limit=50)
    except ServiceError:
        rows, next_cursor = [], None
    worklist = list(selectors.signal_worklist_for(actor=actor).select_related("county")[:50])
    context = {
        "signals": rows,
        "next_cursor": next_cursor,
        "worklist": worklist,
        "status": status,
        "statuses": SignalStatus.choices,
        "can_create": actor.has_perm("signal.create"),
    }
    template = (
        "identification/_signal_rows.html"
        if request.headers.get("HX-Request")
        else "identification/signal_list.html"
    )
    return render(request, template, context)


def signal_create(request):
    actor = _actor(request, "signal.create")
    # From a person's record ("record a signal about this person"): opening it is audited.
    about = request.GET.get("person")
    person = person_get_for_view(actor=actor, person_id=about) if about else None
    form = SignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = [services.SignalPersonInput(person_id=person.pk)] if person else []
        people += [
            services.SignalPersonInput(description=line.strip())
            for line in data["people_description"].splitlines()
            if line.strip()
        ]
        try:
            signal = services.signal_create(
                actor=actor,
                data=services.SignalInput(
                    channel=data["channel"],
                    description=data["description"],
                    county=data["county"] or None,
                    locality=data["locality"],
                    observed_on=data["observed_on"],
                    exploitation_forms=data["exploitation_forms"],
                    people=people,
                ),
            )
        except ServiceError as exc:
            field = exc.field.split(".")[0] if exc.field else None
            field = "people_description" if field == "people" else field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The signal was recorded."))
            return redirect("signals:detail", signal_id=signal.pk)
    return render(request, "identification/signal_form.html", {"form": form, "person": person})


def signal_detail(request, signal_id, triage_form=None, person_form=None):
    actor = _actor(request, "signal.view")
    signal = selectors.signal_get_for_view(actor=actor, signal_id=signal_id)
    can_triage = (
        actor.has_perm("signal.triage")
        and selectors.signal_list_visible_to(actor=actor, permission="signal.triage")
        .filter(pk=signal.pk)
        .exists()
    )
    context = {
        "signal": signal,
        "people": selectors.signal_people_for(actor=actor, signal=signal),
        "transitions": selectors.signal_transitions_for(signal=signal),
        "forms": exploitation_form_labels(signal.exploitation_forms),
        "triage_form": triage_form
        or (TriageForm(actor=actor, signal=signal) if can_triage else None),
        "person_form": person_form or (PersonDescriptionForm() if can_triage else None),
    }
    return render(
        request,
        "identification/signal_detail.html",
        context,
        status=400 if triage_form is not None or person_form is not None else 200,
    )


@require_POST
def signal_triage(request, signal_id):
    actor = _actor(request, "signal.view")
    signal = selectors.signal_get_for_view(actor=actor, signal_id=signal_id)
    form = TriageForm(request.POST, actor=actor, signal=signal)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.signal_transition(
                actor=actor,
                signal_id=signal.pk,
                to=data["to"],
                close_reason=data["close_reason"] or None,
                assign_to=data["assign_to"] or None,
                duplicate_of=data["duplicate_of"] or None,
                note=data["note"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The signal was moved on."))
            return redirect("signals:detail", signal_id=signal.pk)
    return signal_detail(request, signal_id, triage_form=form)


@require_POST
def signal_add_person(request, signal_id):
    actor = _actor(request, "signal.view")
    signal = selectors.signal_get_for_view(actor=actor, signal_id=signal_id)
    form = PersonDescriptionForm(request.POST)
    if form.is_valid():
        try:
            services.signal_add_person(
                actor=actor,
                signal_id=signal.pk,
                entry=services.SignalPersonInput(description=form.cleaned_data["description"]),
            )
        except ServiceError as exc:
            form.add_error("description" if exc.field else None, exc.message)
        else:
            messages.success(request, _("The person was added to the signal."))
            return redirect("signals:detail", signal_id=signal.pk)
    return signal_detail(request, signal_id, person_form=form)


# --- The public report ---------------------------------------------------------------------


def _render(request, form, *, status: int = 200) -> HttpResponse:
    # Every rendering carries a fresh token, so a refused form can be sent again after a check.
    data = form.data.copy() if form.is_bound else None
    if data is not None:
        data["started"] = new_form_token()
        form.data = data
    else:
        form.initial["started"] = new_form_token()
    return render(request, "identification/public_report.html", {"form": form}, status=status)


def _refused(request, template_status: int, message, *, retry: int | None = None):
    response = render(
        request,
        "identification/public_report_refused.html",
        {"message": message, "status": template_status},
        status=template_status,
    )
    if retry is not None:
        response["Retry-After"] = str(retry)
    return response


_TOO_MANY = gettext_lazy(
    "Too many reports were sent from your connection. Please try again later, or call the free "
    "anti-trafficking hotline 0800 800 678. In an emergency call 112."
)


@require_http_methods(["GET", "POST"])
def public_report(request):
    if request.method == "GET":
        return _render(request, PublicReportForm())
    client = public_services.client_hash(request)
    wait = public_services.retry_after(client)
    if wait is not None:
        return _refused(request, 429, _TOO_MANY, retry=wait)
    form = PublicReportForm(request.POST)
    if not form.is_valid():
        if form.bot_suspected:
            public_services.count_attempt(client)
        return _render(request, form, status=400 if form.bot_suspected else 200)
    data = form.cleaned_data
    # The audit event of a public report must not keep the reporter's address.
    token = context.activate(
        context.RequestContext(request_id=getattr(request, "request_id", "public"), source_ip=None)
    )
    try:
        signal = public_services.public_report_submit(
            data=public_services.PublicReportInput(
                description=data["description"],
                county=data["county"] or None,
                locality=data["locality"],
                observed_on=data["observed_on"],
                exploitation_forms=data["exploitation_forms"],
                people_description=data["people_description"],
                contact=data["contact"],
                language=translation.get_language() or "",
            ),
            client=client,
            form_nonce=form.nonce,
        )
    except public_services.RateLimited as exc:
        return _refused(request, 429, _TOO_MANY, retry=exc.retry_after)
    except ServiceError as exc:
        if exc.status >= 500:
            return _refused(request, exc.status, exc.message)
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render(request, form, status=exc.status if exc.status == 409 else 200)
    finally:
        context.deactivate(token)
    reference = signing.dumps(signal.reference, salt=_THANKS_SALT)
    return redirect(f"{reverse('public_report_thanks')}?r={reference}")


def public_report_thanks(request):
    try:
        reference = signing.loads(request.GET.get("r", ""), salt=_THANKS_SALT, max_age=3600)
    except signing.BadSignature:
        reference = None
    return render(request, "identification/public_report_thanks.html", {"reference": reference})
