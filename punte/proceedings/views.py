"""Pages: a case's criminal proceedings (and linking one), a proceeding with its stage,
charges, suspects and offenders. Thin: selectors and services decide."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from punte.accounts.models import Membership
from punte.core.errors import ServiceError
from punte.core.models import Country
from punte.proceedings import lifecycle, selectors, services
from punte.proceedings.forms import ChargeForm, OffenderForm, ProceedingForm, StageForm
from punte.proceedings.models import Stage


def _actor(request, permission: str) -> Membership:
    if request.membership is None or not request.membership.has_perm(permission):
        raise PermissionDenied
    return request.membership


def _show(form, error: ServiceError, rename: dict | None = None) -> None:
    field = (rename or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
def case_proceedings(request, case_id):
    actor = _actor(request, "proceeding.view")
    case, proceedings = selectors.proceedings_of_case(actor=actor, case_id=case_id)
    may_record = actor.has_perm("proceeding.record")
    form = ProceedingForm(request.POST or None) if may_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                proceeding = services.proceeding_record(
                    actor=actor,
                    case_id=case.pk,
                    file_number=form.cleaned_data["file_number"],
                    prosecuting_office_id=form.cleaned_data["prosecuting_office"].pk,
                    victim_role=form.cleaned_data["victim_role"],
                    protection_measures=form.cleaned_data["protection_measures"],
                )
            except ServiceError as error:
                _show(form, error, {"prosecuting_office_id": "prosecuting_office"})
            else:
                return redirect("proceedings:detail", proceeding.pk)
    return render(
        request,
        "proceedings/case_proceedings.html",
        {"case": case, "proceedings": proceedings, "form": form},
    )


def _forms(proceeding, data=None, which=None):
    countries = Country.objects.order_by("name").values_list("alpha2", "name")
    allowed = lifecycle.MACHINE.allowed_next(proceeding.stage)
    return {
        "stage_form": StageForm(data if which == "stage" else None, allowed=allowed),
        "charge_form": ChargeForm(data if which == "charge" else None),
        "offender_form": OffenderForm(data if which == "offender" else None, countries=countries),
    }


def _detail_page(request, actor, proceeding, forms, status=200):
    return render(
        request,
        "proceedings/detail.html",
        {
            "proceeding": proceeding,
            "may_follow": actor.has_perm("proceeding.manage") and proceeding.stage != Stage.FINAL,
            "names": selectors.may_read_names(actor),
            **forms,
        },
        status=status,
    )


def detail(request, proceeding_id):
    actor = _actor(request, "proceeding.view")
    proceeding = selectors.proceeding_get(actor=actor, proceeding_id=proceeding_id)
    return _detail_page(request, actor, proceeding, _forms(proceeding))


@require_POST
def follow(request, proceeding_id, what):
    """One of the follow-up forms of the detail page: the next stage, a charge, an offender."""
    actor = _actor(request, "proceeding.manage")
    proceeding = selectors.proceeding_get(actor=actor, proceeding_id=proceeding_id)
    forms = _forms(proceeding, request.POST, what)
    form = forms.get(f"{what}_form")
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        data = form.cleaned_data
        try:
            if what == "stage":
                services.proceeding_advance(
                    actor=actor,
                    proceeding_id=proceeding.pk,
                    stage=data["stage"],
                    outcome=data["outcome"],
                    decided_on=data["decided_on"],
                    sentence_months=data["sentence_months"],
                    compensation_ordered=data["compensation_ordered"],
                )
            elif what == "charge":
                services.charge_add(
                    actor=actor, proceeding_id=proceeding.pk, offence=data["offence"]
                )
            else:
                services.offender_record(
                    actor=actor,
                    proceeding_id=proceeding.pk,
                    sex=data["sex"],
                    age_group=data["age_group"],
                    citizenship=data["citizenship"],
                    name=data["name"],
                    stage=data["stage"],
                )
        except ServiceError as error:
            _show(form, error)
        else:
            return redirect("proceedings:detail", proceeding.pk)
    return _detail_page(request, actor, proceeding, forms, status=200)
