"""Pages for screening, consent and decisions. Thin: a selector finds the record (404 outside
scope), a service changes it, and a refusal becomes a form error naming the field."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from punte.core import audit
from punte.core.errors import ServiceError
from punte.identification.persons import selectors as person_selectors
from punte.identification.screening import selectors
from punte.identification.screening.catalogue.vocabulary import Dimension, Grade, IndicatorList
from punte.identification.screening.forms import (
    AnonymousNotificationForm,
    ConsentForm,
    DecisionForm,
    ReflectionExtendForm,
    ReflectionStartForm,
    ReflectionTerminateForm,
    ScreeningStartForm,
    SuspendForm,
)
from punte.identification.screening.models import (
    ReflectionStatus,
    RightsLanguage,
    Screening,
    ScreeningKind,
)
from punte.identification.screening.services import consent, decisions, screening


def _actor(request):
    if request.membership is None:
        raise PermissionDenied
    return request.membership


def _refused(form, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# --- Screenings ------------------------------------------------------------------------------


def person_screenings(request, person_id):
    """A person's screening history, and the form that starts a new screening."""
    actor = _actor(request)
    person = person_selectors.person_get_for_view(actor=actor, person_id=person_id)
    can_view = actor.has_perm("screening.view") or actor.has_perm("screening.conduct")
    if not can_view:
        raise Http404
    can_conduct = actor.has_perm("screening.conduct")
    form = None
    if can_conduct:
        form = ScreeningStartForm(request.POST or None, list_choices=full_list_choices(person))
        if request.method == "POST" and form.is_valid():
            try:
                started = screening.screening_start(
                    actor=actor,
                    person=person,
                    kind=form.cleaned_data["kind"],
                    lists=form.cleaned_data["lists"],
                )
            except ServiceError as error:
                _refused(form, error)
            else:
                return redirect("identification:screening", screening_id=started.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "identification/screening/person_screenings.html",
        {
            "person": person,
            "screenings": selectors.screenings_for_person(actor=actor, person=person),
            "form": form,
            "is_child": person.is_treated_as_child(timezone.localdate()),
        },
    )


def full_list_choices(person) -> list[tuple[str, str]]:
    """The indicator lists a full screening of this person may use (by the presumption of
    minority today), as choices."""
    catalogue = screening.latest_catalogue()
    if catalogue is None:
        return []
    is_child = person.is_treated_as_child(timezone.localdate())
    return [
        (name, IndicatorList(name).label)
        for name in screening.lists_for(is_child=is_child, catalogue=catalogue)
    ]


def _grade_label(grade: str) -> str:
    """A grade's name in the reader's language, never its code; "" for a question."""
    return Grade(grade).label if grade else ""


def _questionnaire(draft):
    """The questions of the draft's lists, grouped list -> dimension, with the answers held."""
    catalogue = screening.catalogue_for(draft)
    language = translation.get_language()
    answers = draft.answers or {}
    groups: OrderedDict = OrderedDict()
    for indicator in catalogue.indicators.values():
        if indicator.list not in draft.lists:
            continue
        by_dimension = groups.setdefault(indicator.list, OrderedDict())
        by_dimension.setdefault(indicator.dimension, []).append(
            {
                "code": indicator.code,
                "text": indicator.text(language),
                "grade": _grade_label(indicator.grade),
                "answer": answers.get(indicator.code),
            }
        )
    return [
        {
            "list": name,
            "label": IndicatorList(name).label,
            "dimensions": [
                {"code": dim, "label": Dimension(dim).label, "indicators": items}
                for dim, items in dimensions.items()
            ],
        }
        for name, dimensions in groups.items()
    ]


def screening_page(request, screening_id):
    """The questionnaire of a draft: save, stop with a reason, or complete."""
    return conduct_screening(
        request,
        screening_id,
        result_url=lambda draft: reverse("identification:screening_result", args=[draft.pk]),
        stopped_url=lambda draft: reverse(
            "identification:person_screenings", args=[draft.person_id]
        ),
    )


def conduct_screening(
    request,
    screening_id,
    *,
    result_url: Callable[[Screening], str],
    stopped_url: Callable[[Screening], str],
    template: str = "identification/screening/questionnaire.html",
    context: Callable[[Screening], dict] | None = None,
):
    """The questionnaire page of a draft, wherever it is shown (a person's screenings, or the
    guided path of the journey app, which gives its own next steps and template)."""
    actor = _actor(request)
    draft = selectors.screening_get_to_conduct(actor=actor, screening_id=screening_id)
    if not draft.is_draft:
        return redirect(result_url(draft))
    suspend_form = SuspendForm(
        request.POST if request.POST.get("action") == "suspend" else None,
        initial={"reason": draft.draft_reason or None, "note": draft.draft_note},
    )
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            screening.screening_save_answers(
                actor=actor, screening=draft, answers=_posted_answers(request, draft)
            )
            if action == "complete":
                screening.screening_complete(actor=actor, screening=draft)
                return redirect(result_url(draft))
            if action == "suspend":
                if suspend_form.is_valid():
                    screening.screening_suspend(
                        actor=actor,
                        screening=draft,
                        reason=suspend_form.cleaned_data["reason"],
                        note=suspend_form.cleaned_data["note"],
                    )
                    messages.success(request, _("The draft is saved; it can be resumed later."))
                    return redirect(stopped_url(draft))
            else:
                messages.success(request, _("Answers saved."))
                return redirect(request.path)
        except ServiceError as refusal:
            error = refusal
        draft.refresh_from_db()
    else:
        audit.record(
            action="screening.viewed",
            actor=actor,
            subject=draft,
            person_id=draft.person_id,
        )
    return render(
        request,
        template,
        {
            "screening": draft,
            "groups": _questionnaire(draft),
            "suspend_form": suspend_form,
            "error": error,
            "short": draft.kind == ScreeningKind.SHORT,
            "choices": [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Unsure"))],
            **(context(draft) if context else {}),
        },
        status=422 if error else 200,
    )


def _posted_answers(request, draft) -> dict:
    """Every question of the page, as the form says: a short-screen radio per question, a
    checkbox per indicator (unticked clears the answer)."""
    catalogue = screening.catalogue_for(draft)
    codes = [i.code for i in catalogue.indicators.values() if i.list in draft.lists]
    if draft.kind == ScreeningKind.SHORT:
        return {code: request.POST.get(code) or None for code in codes}
    observed = set(request.POST.getlist("observed"))
    return {code: (True if code in observed else None) for code in codes}


@require_POST
def screening_autosave(request, screening_id):
    """htmx: save the one answer just changed; answers with a short status for a live region."""
    actor = _actor(request)
    draft = selectors.screening_get_to_conduct(actor=actor, screening_id=screening_id)
    code = request.POST.get("code", "")
    if draft.kind == ScreeningKind.SHORT:
        value = request.POST.get(code) or None
    else:
        value = True if code in request.POST.getlist("observed") else None
    try:
        screening.screening_save_answers(actor=actor, screening=draft, answers={code: value})
    except ServiceError as error:
        return HttpResponse(error.message, status=422)
    return HttpResponse(
        _("Saved at %(time)s.") % {"time": time_format(timezone.localtime(), "TIME_FORMAT")}
    )


def screening_result(request, screening_id):
    actor = _actor(request)
    done = selectors.screening_get_for_view(actor=actor, screening_id=screening_id)
    if done.is_draft:
        return redirect("identification:screening", screening_id=done.pk)
    return render(request, "identification/screening/result.html", result_context(done))


def result_context(done: Screening) -> dict:
    """What the result page shows of a completed screening: the outcome, why, the indicators
    by dimension, and where a full screening would start."""
    result = screening.assess_screening(done)
    catalogue = screening.catalogue_for(done)
    language = translation.get_language()
    dimensions = []
    for item in (done.result or {}).get("dimensions", []):
        if not item["indicators"] and not item["also_observed"]:
            continue
        dimensions.append(
            {
                "label": Dimension(item["dimension"]).label,
                "present": item["present"],
                "indicators": [
                    {
                        "code": code,
                        "grade": _grade_label(catalogue.indicators[code].grade),
                        "text": catalogue.indicators[code].text(language),
                    }
                    for code in item["indicators"]
                ],
            }
        )
    return {
        "screening": done,
        "explanation": result.explanation(),
        "dimensions": dimensions,
        "suggested": [
            {"code": code, "text": catalogue.indicators[code].text(language)}
            for code in (done.result or {}).get("suggested_indicators", [])
        ],
    }


# --- Consent ---------------------------------------------------------------------------------


def rights_text(language: str) -> str:
    """The rights information, rendered in the person's language whatever the page's."""
    with translation.override(language):
        return render_to_string("identification/consent/rights.html", {"language": language})


def person_consent(request, person_id):
    actor = _actor(request)
    person = person_selectors.person_get_for_view(actor=actor, person_id=person_id)
    today = timezone.localdate()
    language = request.GET.get("lang") or request.POST.get("rights_language") or "ro"
    if language not in RightsLanguage.values:
        language = "ro"
    can_record = actor.has_perm("consent.record")
    form = ConsentForm(
        request.POST if request.POST.get("action") == "consent" else None,
        initial={"decided_on": today, "rights_language": language},
    )
    notify_form = AnonymousNotificationForm(
        request.POST if request.POST.get("action") == "notify" else None,
        initial={"notified_on": today},
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if request.POST.get("action") == "consent" and form.is_valid():
            try:
                consent.consent_record(actor=actor, person=person, **form.cleaned_data)
            except ServiceError as error:
                _refused(form, error)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("identification:person_consent", person_id=person.pk)
        if request.POST.get("action") == "notify" and notify_form.is_valid():
            try:
                consent.anonymous_notification_from_person(
                    actor=actor, person=person, **notify_form.cleaned_data
                )
            except ServiceError as error:
                _refused(notify_form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The anonymous notification is recorded; it holds nothing that "
                        "identifies the person."
                    ),
                )
                return redirect("identification:person_consent", person_id=person.pk)
    referral_state = consent.referral_consent_state(person, today)
    return render(
        request,
        "identification/consent/person_consent.html",
        {
            "person": person,
            "referral_state": referral_state,
            "referral_state_label": consent.CONSENT_STATE_LABELS[referral_state],
            "data_sharing_state_label": consent.CONSENT_STATE_LABELS[
                consent.data_sharing_consent_state(person, today)
            ],
            "history": consent.consent_history(person),
            "rights": rights_text(language),
            "rights_language": language,
            "rights_languages": RightsLanguage.choices,
            "form": form if can_record else None,
            "notify_form": notify_form
            if can_record and referral_state in ("refused", "withdrawn", "not_asked")
            else None,
        },
        status=422 if form.errors or notify_form.errors else 200,
    )


# --- Decisions and reflection periods --------------------------------------------------------


def person_decisions(request, person_id):
    actor = _actor(request)
    person = person_selectors.person_get_for_view(actor=actor, person_id=person_id)
    competent = (
        actor.has_perm("decision.record")
        and actor.organisation.type in decisions.COMPETENT_AUTHORITY_TYPES
    )
    action = request.POST.get("action")
    today = timezone.localdate()
    decision_form = DecisionForm(
        request.POST if action == "decide" else None, initial={"decided_on": today}
    )
    start_form = ReflectionStartForm(
        request.POST if action == "start_period" else None,
        initial={"starts_on": today, "ends_on": decisions.latest_end(today)},
    )
    extend_form = ReflectionExtendForm(request.POST if action == "extend" else None)
    terminate_form = ReflectionTerminateForm(
        request.POST if action == "terminate" else None, initial={"on": today}
    )
    if request.method == "POST":
        if not actor.has_perm("decision.record"):
            raise PermissionDenied
        try:
            if action == "decide" and decision_form.is_valid():
                decisions.decision_record(actor=actor, person=person, **decision_form.cleaned_data)
                messages.success(request, _("The decision is recorded."))
                return redirect("identification:person_decisions", person_id=person.pk)
            if action == "start_period" and start_form.is_valid():
                decisions.reflection_period_start(
                    actor=actor, person=person, **start_form.cleaned_data
                )
                messages.success(request, _("The recovery and reflection period is recorded."))
                return redirect("identification:person_decisions", person_id=person.pk)
            if action in ("extend", "terminate"):
                period = selectors.reflection_period_get_to_change(
                    actor=actor, period_id=request.POST.get("period", "")
                )
                form = extend_form if action == "extend" else terminate_form
                if (
                    action == "terminate"
                    and form.is_valid()
                    and request.POST.get("confirmed") != "yes"
                ):
                    # Ending a period early is final: say what follows and ask again.
                    return render(
                        request,
                        "identification/decisions/confirm_terminate.html",
                        {"person": person, "period": period, "form": form},
                    )
                if form.is_valid():
                    service = (
                        decisions.reflection_period_extend
                        if action == "extend"
                        else decisions.reflection_period_terminate
                    )
                    service(actor=actor, period=period, **form.cleaned_data)
                    messages.success(request, _("The recovery and reflection period is updated."))
                    return redirect("identification:person_decisions", person_id=person.pk)
        except ServiceError as error:
            target = {
                "decide": decision_form,
                "start_period": start_form,
                "extend": extend_form,
                "terminate": terminate_form,
            }.get(action, decision_form)
            _refused(target, error)
    periods = selectors.reflection_periods_for_person(actor=actor, person=person)
    return render(
        request,
        "identification/decisions/person_decisions.html",
        {
            "person": person,
            "decisions": selectors.decisions_for_person(actor=actor, person=person),
            "periods": periods,
            "show_grounds": actor.has_perm("decision.record"),
            "competent": competent,
            "foreign": person.is_foreign_national,
            "running": [
                p for p in periods if p.status == ReflectionStatus.ACTIVE and p.ends_on >= today
            ],
            "decision_form": decision_form,
            "start_form": start_form,
            "extend_form": extend_form,
            "terminate_form": terminate_form,
            "today": today,
        },
        status=422
        if any(f.errors for f in (decision_form, start_form, extend_form, terminate_form))
        else 200,
    )
