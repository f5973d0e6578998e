"""The guided path "screen a person" for the emergency physician and every first responder:
record the person with what is known, screen them (the short clinical screen or the full lists),
see the result, take consent or notify anonymously where that applies, and send the referrals
the routing rules propose, each page ending with the next step's button.

Pages only: every step calls the services and selectors the separate pages use (persons,
screening, consent, referrals), so the lifecycle, the audit trail and the access rules are the
same wherever the work is done. A step about another organisation's screening is not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from punte.core.errors import ServiceError, uuid_or_404
from punte.core.idempotency import FORM_FIELD, new_form_key, page_post_once
from punte.core.models import County
from punte.identification.persons import selectors as person_selectors
from punte.identification.persons import services as person_services
from punte.identification.persons.forms import PersonForm
from punte.identification.screening import selectors as screening_selectors
from punte.identification.screening import views as screening_views
from punte.identification.screening.forms import AnonymousNotificationForm
from punte.identification.screening.models import (
    ConsentDecision,
    ConsentPurpose,
    RightsLanguage,
    Screening,
    ScreeningKind,
    ScreeningOutcome,
)
from punte.identification.screening.services import consent, screening
from punte.referrals import selectors as referral_selectors
from punte.referrals import views as referral_views
from punte.referrals.models import ReferralStatus

# The steps, in order, as the progress indicator names them.
PERSON, SCREEN, RESULT, CONSENT, REFERRALS = "person", "screen", "result", "consent", "referrals"
STEPS = (
    (PERSON, gettext_lazy("About the person")),
    (SCREEN, gettext_lazy("Screening")),
    (RESULT, gettext_lazy("Result")),
    (CONSENT, gettext_lazy("Consent")),
    (REFERRALS, gettext_lazy("Referrals")),
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # "done", "current" or "to do"
    note: str = ""


def progress(current: str, *, is_child: bool | None = None) -> list[Step]:
    """The progress indicator: an ordered list, the current step marked aria-current="step"."""
    keys = [key for key, _label in STEPS]
    position = keys.index(current)
    steps = []
    for index, (key, label) in enumerate(STEPS):
        state = "done" if index < position else "current" if index == position else "to do"
        note = _("not needed for a child") if key == CONSENT and is_child else ""
        steps.append(Step(key=key, label=str(label), state=state, note=note))
    return steps


def may_start(actor) -> bool:
    """Whether the home page offers "Screen a person" to this membership."""
    return actor is not None and all(
        actor.has_perm(p) for p in ("screening.conduct", "person.create")
    )


def _actor(request, *permissions: str):
    actor = request.membership
    if actor is None or not all(actor.has_perm(p) for p in ("screening.conduct", *permissions)):
        raise PermissionDenied
    return actor


def _own_completed(actor, screening_id) -> Screening:
    """A completed screening of the actor's organisation (an audited read); another
    organisation's is not found: the guided steps continue one's own work only."""
    own = screening_selectors.screenings_visible_to(actor=actor).filter(
        pk=uuid_or_404(screening_id), organisation_id=actor.organisation_id
    )
    if not own.exists():
        raise Http404
    return screening_selectors.screening_get_for_view(actor=actor, screening_id=screening_id)


def start(request):
    """Step 1: record the person with only what is known, then start the screening chosen."""
    actor = _actor(request, "person.create")
    form = PersonForm(request.POST or None)
    key = request.POST.get(FORM_FIELD) or new_form_key()

    def record():
        if not form.is_valid():
            return None
        kind = request.POST.get("kind") or ScreeningKind.SHORT
        if kind not in ScreeningKind.values:
            form.add_error(None, _("Choose the short screen or the full screening."))
            return None
        try:
            with transaction.atomic():
                person = person_services.person_create(actor=actor, data=form.to_input())
                if kind == ScreeningKind.FULL:
                    # The lists depend on the age group: chosen on the next page.
                    return redirect("journey:screen_full", person_id=person.pk)
                draft = screening.screening_start(
                    actor=actor, person=person, kind=ScreeningKind.SHORT
                )
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
            return None
        return redirect("journey:screen_questions", screening_id=draft.pk)

    if request.method == "POST":
        return page_post_once(request, lambda: record() or _start_page(request, form, key))
    return _start_page(request, form, key)


def _start_page(request, form, key):
    return render(
        request,
        "journey/screen/start.html",
        {"form": form, "form_key": key, "progress": progress(PERSON)},
        status=422 if form.is_bound and form.errors else 200,
    )


class FullScreeningForm(forms.Form):
    lists = forms.MultipleChoiceField(
        label=gettext_lazy("Indicator lists"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Choose every list that may fit; an indication found in two lists counts once."
        ),
        error_messages={"required": gettext_lazy("Choose at least one indicator list.")},
    )

    def __init__(self, *args, list_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = list_choices


def full(request, person_id):
    """The lists of a full screening (they depend on the person's age group), then its start."""
    actor = _actor(request)
    person = person_selectors.person_get_for_view(actor=actor, person_id=person_id)
    form = FullScreeningForm(
        request.POST or None, list_choices=screening_views.full_list_choices(person)
    )
    key = request.POST.get(FORM_FIELD) or new_form_key()

    def begin():
        if not form.is_valid():
            return None
        try:
            draft = screening.screening_start(
                actor=actor,
                person=person,
                kind=ScreeningKind.FULL,
                lists=form.cleaned_data["lists"],
            )
        except ServiceError as exc:
            form.add_error("lists" if exc.field == "lists" else None, exc.message)
            return None
        return redirect("journey:screen_questions", screening_id=draft.pk)

    def page():
        return render(
            request,
            "journey/screen/full.html",
            {
                "form": form,
                "form_key": key,
                "person": person,
                "progress": progress(SCREEN, is_child=person.is_treated_as_child(_today())),
            },
            status=422 if form.errors else 200,
        )

    if request.method == "POST":
        return page_post_once(request, lambda: begin() or page())
    return page()


def questions(request, screening_id):
    """Step 2: the questionnaire of the draft (the screening pages' own view), here ending with
    the result step; a stopped draft waits on the worklist, whose link comes back here."""
    _actor(request)
    return screening_views.conduct_screening(
        request,
        screening_id,
        result_url=lambda draft: reverse("journey:screen_result", args=[draft.pk]),
        stopped_url=lambda draft: reverse("home"),
        template="journey/screen/questions.html",
        context=lambda draft: {"progress": progress(SCREEN, is_child=draft.is_child)},
    )


def _today():
    return timezone.localdate()


def result(request, screening_id):
    """Step 3: the result, and the next step right there: the referrals the rules propose (for
    a child, or an adult who consented), consent first (an adult not asked), or the full
    screening (when the short screen asks for it)."""
    actor = _actor(request)
    done = _own_completed(actor, screening_id)
    person = person_selectors.person_get_for_view(actor=actor, person_id=done.person_id)
    is_child = person.is_treated_as_child(_today())
    state = consent.referral_consent_state(person, _today())
    presumed = done.outcome == ScreeningOutcome.PRESUMED_VICTIM
    may_send = presumed and actor.has_perm("referral.send") and state in ("child", "consented")
    facts = {
        "actor": actor,
        "done": done,
        "person": person,
        "is_child": is_child,
        "state": state,
        "presumed": presumed,
        "may_send": may_send,
        "county": referral_views.county_for(request, actor),
        "error": None,
    }
    if request.method != "POST":
        return _result_page(request, facts)
    if not may_send:
        raise PermissionDenied

    def send():
        try:
            referral_views.send_posted(request, actor=actor, person=person, county=facts["county"])
        except ServiceError as exc:
            facts["error"] = exc.message
            return None
        return redirect("journey:screen_sent", screening_id=done.pk)

    return page_post_once(request, lambda: send() or _result_page(request, facts))


def _result_page(request, facts: dict):
    actor, done, person = facts["actor"], facts["done"], facts["person"]
    context = {
        **screening_views.result_context(done),
        "progress": progress(RESULT, is_child=facts["is_child"]),
        "person": person,
        "is_child": facts["is_child"],
        "presumed": facts["presumed"],
        "may_send": facts["may_send"],
        "needs_consent": facts["presumed"]
        and facts["state"] in ("not_asked", "refused", "withdrawn"),
        "may_record_consent": actor.has_perm("consent.record"),
        "may_refer": actor.has_perm("referral.send"),
        "full_next": done.kind == ScreeningKind.SHORT
        and done.outcome
        in (ScreeningOutcome.REFER_FOR_FULL_SCREENING, ScreeningOutcome.PRESUMED_VICTIM),
        "error": facts["error"],
        "form_key": request.POST.get(FORM_FIELD) or new_form_key(),
    }
    if facts["may_send"]:
        context.update(
            {
                "county": facts["county"],
                "counties": County.objects.all(),
                **referral_views.routing_context(
                    request, actor=actor, person=person, county=facts["county"]
                ),
            }
        )
    return render(
        request,
        "journey/screen/result.html",
        context,
        status=422 if facts["error"] else 200,
    )


class GuidedConsentForm(forms.Form):
    """An adult's decision on referral, after the rights information in `rights_language`."""

    decision = forms.ChoiceField(
        label=gettext_lazy("The person's decision on referral"),
        choices=[
            (ConsentDecision.CONSENTED, ConsentDecision.CONSENTED.label),
            (ConsentDecision.REFUSED, ConsentDecision.REFUSED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select the person's decision.")},
    )
    rights_language = forms.ChoiceField(
        label=gettext_lazy("Rights information given in"),
        choices=RightsLanguage.choices,
        error_messages={"required": gettext_lazy("Select the language of the information.")},
    )


def consent_step(request, screening_id):
    """Step 4 (an adult): the rights information in the person's language and their decision;
    with consent the referrals follow, without it an anonymous notification is recorded."""
    actor = _actor(request, "consent.record")
    done = _own_completed(actor, screening_id)
    person = person_selectors.person_get_for_view(actor=actor, person_id=done.person_id)
    today = _today()
    if person.is_treated_as_child(today):
        return redirect("journey:screen_result", screening_id=done.pk)
    state = consent.referral_consent_state(person, today)
    language = request.GET.get("lang") or request.POST.get("rights_language") or ""
    if language not in RightsLanguage.values:
        spoken = set(person.languages.values_list("code", flat=True))
        language = next(
            (code for code, iso in (("uk", "ukr"), ("en", "eng")) if iso in spoken), "ro"
        )
    action = request.POST.get("action")
    form = GuidedConsentForm(
        request.POST if action == "consent" else None, initial={"rights_language": language}
    )
    notify_form = AnonymousNotificationForm(
        request.POST if action == "notify" else None, initial={"notified_on": today}
    )
    if request.method == "POST":
        if action == "consent" and form.is_valid():
            try:
                consent.consent_record(
                    actor=actor,
                    person=person,
                    purpose=ConsentPurpose.REFERRAL,
                    decision=form.cleaned_data["decision"],
                    decided_on=today,
                    rights_language=form.cleaned_data["rights_language"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The decision is recorded."))
                if form.cleaned_data["decision"] == ConsentDecision.CONSENTED:
                    return redirect("journey:screen_result", screening_id=done.pk)
                return redirect("journey:screen_consent", screening_id=done.pk)
        if action == "notify" and notify_form.is_valid():
            try:
                consent.anonymous_notification_from_person(
                    actor=actor, person=person, **notify_form.cleaned_data
                )
            except ServiceError as exc:
                field = exc.field if exc.field in notify_form.fields else None
                notify_form.add_error(field, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "The anonymous notification is recorded; it holds nothing that "
                        "identifies the person."
                    ),
                )
                return redirect("journey:screen_sent", screening_id=done.pk)
    return render(
        request,
        "journey/screen/consent.html",
        {
            "screening": done,
            "person": person,
            "progress": progress(CONSENT, is_child=False),
            "state": state,
            "consented": state == "consented",
            "may_notify": state in ("refused", "withdrawn"),
            "rights": screening_views.rights_text(language),
            "rights_language": language,
            "rights_languages": RightsLanguage.choices,
            "form": form,
            "notify_form": notify_form,
        },
        status=422 if form.errors or notify_form.errors else 200,
    )


@require_safe
def sent(request, screening_id):
    """The last step: what was sent for the person, to whom, and by when the answer is due."""
    actor = _actor(request)
    done = _own_completed(actor, screening_id)
    referrals = list(
        referral_selectors.referrals_sent_for_person(actor=actor, person_id=done.person_id)
    )
    return render(
        request,
        "journey/screen/sent.html",
        {
            "screening": done,
            "referrals": referrals,
            "open_referrals": [r for r in referrals if r.status == ReferralStatus.SENT],
            "progress": progress(REFERRALS, is_child=done.is_child),
            "now": timezone.now(),
        },
    )
