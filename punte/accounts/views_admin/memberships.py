"""A user's memberships: add one, change its role, end it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from punte.accounts import selectors
from punte.accounts.forms_admin import MembershipAddForm, MembershipRoleForm, ReasonForm
from punte.accounts.services import memberships as membership_services
from punte.accounts.views_admin.common import INVALID, admin_view
from punte.core.errors import ServiceError


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def membership_add(request, actor, user_id):
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    form = MembershipAddForm(
        request.POST or None,
        organisations=selectors.organisation_choices_for_admin(actor=actor),
        roles=selectors.role_choices_for_admin(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_services.membership_add(
                actor=actor,
                user=managed,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The membership was added."))
            return redirect("accounts:admin_user_detail", managed.pk)
    return render(
        request,
        "accounts/admin/membership_add.html",
        {"form": form, "managed": managed},
        status=INVALID if form.is_bound else 200,
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def membership_role(request, actor, membership_id):
    membership = selectors.membership_get_for_admin(actor=actor, membership_id=membership_id)
    form = MembershipRoleForm(
        request.POST or None,
        initial={"role": membership.role_id},
        roles=selectors.role_choices_for_admin(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_services.membership_change_role(
                actor=actor, membership=membership, role=form.cleaned_data["role"]
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The role was changed."))
            return redirect("accounts:admin_user_detail", membership.user_id)
    return render(
        request,
        "accounts/admin/membership_role.html",
        {"form": form, "membership": membership},
        status=INVALID if form.is_bound else 200,
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def membership_deactivate(request, actor, membership_id):
    membership = selectors.membership_get_for_admin(actor=actor, membership_id=membership_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership_services.membership_deactivate(
                actor=actor, membership=membership, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The membership was ended and its API tokens revoked."))
            return redirect("accounts:admin_user_detail", membership.user_id)
    return render(
        request,
        "accounts/admin/membership_deactivate.html",
        {"form": form, "membership": membership},
        status=INVALID if form.is_bound else 200,
    )
