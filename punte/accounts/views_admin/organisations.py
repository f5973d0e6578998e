"""The registry of organisations: list, create, edit, (de)activate."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from punte.accounts import selectors
from punte.accounts.forms_admin import (
    OrganisationFilterForm,
    OrganisationForm,
    ReasonForm,
    active_filter,
    read_based_on,
    sign_based_on,
)
from punte.accounts.services import organisations as organisation_services
from punte.accounts.views_admin.common import INVALID, admin_view, history, is_htmx, page_of
from punte.core.errors import ServiceError
from punte.core.models import County


@admin_view("organisation.manage")
def organisation_list(request, actor):
    form = OrganisationFilterForm(request.GET or None, counties=County.objects.all())
    filters = form.cleaned_data if form.is_valid() else {}
    county = filters.get("county")
    organisations = selectors.organisation_list_for_admin(
        actor=actor,
        q=filters.get("q", ""),
        type=filters.get("type", ""),
        county=county.pk if county else "",
        active=active_filter(filters.get("active", "")),
    )
    context = {"form": form, "page_obj": page_of(request, organisations)}
    template = (
        "accounts/admin/_organisation_results.html"
        if is_htmx(request)
        else "accounts/admin/organisation_list.html"
    )
    return render(request, template, context)


def _organisation_form(actor, data=None, *, instance=None, initial=None):
    # Any active organisation can be a parent; on edit, not itself, and the current parent stays
    # selectable even if it was deactivated since.
    parents = selectors.organisation_list_for_admin(actor=actor)
    if instance is None:
        parents = parents.filter(is_active=True)
    else:
        parents = parents.filter(Q(is_active=True) | Q(pk=instance.parent_id)).exclude(
            pk=instance.pk
        )
    return OrganisationForm(data, initial=initial, counties=County.objects.all(), parents=parents)


def _organisation_input(cleaned) -> organisation_services.OrganisationInput:
    return organisation_services.OrganisationInput(
        name=cleaned["name"],
        code=cleaned["code"],
        type=cleaned["type"],
        county_id=cleaned["county"].pk if cleaned["county"] else None,
        parent_id=cleaned["parent"].pk if cleaned["parent"] else None,
        email=cleaned["email"],
    )


@admin_view("organisation.manage")
@require_http_methods(["GET", "POST"])
def organisation_create(request, actor):
    form = _organisation_form(actor, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_services.organisation_create(
                actor=actor, data=_organisation_input(form.cleaned_data)
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The organisation was created."))
            return redirect("accounts:admin_organisation_detail", organisation.pk)
    return render(
        request,
        "accounts/admin/organisation_form.html",
        {"form": form, "organisation": None},
        status=INVALID if form.is_bound else 200,
    )


@admin_view("organisation.manage")
def organisation_detail(request, actor, organisation_id):
    organisation = selectors.organisation_get_for_admin(
        actor=actor, organisation_id=organisation_id
    )
    children = selectors.organisation_list_for_admin(actor=actor).filter(parent=organisation)
    return render(
        request,
        "accounts/admin/organisation_detail.html",
        {
            "organisation": organisation,
            "children": children,
            "can_users": actor.has_perm("user.manage"),
            "history": history(actor, [organisation], "organisation.manage"),
        },
    )


@admin_view("organisation.manage")
@require_http_methods(["GET", "POST"])
def organisation_edit(request, actor, organisation_id):
    organisation = selectors.organisation_get_for_admin(
        actor=actor, organisation_id=organisation_id
    )
    values = organisation_services.organisation_values(organisation)
    initial = {
        "name": organisation.name,
        "code": organisation.code,
        "type": organisation.type,
        "county": organisation.county_id,
        "parent": organisation.parent_id,
        "email": organisation.email,
        "based_on": sign_based_on(values),
    }
    form = _organisation_form(actor, request.POST or None, instance=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_services.organisation_update(
                actor=actor,
                organisation=organisation,
                data=_organisation_input(form.cleaned_data),
                based_on=read_based_on(form.cleaned_data["based_on"]),
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The organisation was saved."))
            return redirect("accounts:admin_organisation_detail", organisation.pk)
    return render(
        request,
        "accounts/admin/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=INVALID if form.is_bound else 200,
    )


@admin_view("organisation.manage")
@require_http_methods(["GET", "POST"])
def organisation_set_active(request, actor, organisation_id, active: bool):
    organisation = selectors.organisation_get_for_admin(
        actor=actor, organisation_id=organisation_id
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_services.organisation_set_active(
                actor=actor,
                organisation=organisation,
                active=active,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The organisation was reactivated.")
                if active
                else _("The organisation was deactivated."),
            )
            return redirect("accounts:admin_organisation_detail", organisation.pk)
    return render(
        request,
        "accounts/admin/organisation_set_active.html",
        {"form": form, "organisation": organisation, "active": active},
        status=INVALID if form.is_bound else 200,
    )
