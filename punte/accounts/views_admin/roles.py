"""Roles: the matrix of every role's permissions, and one role's permissions edited."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from punte.accounts import selectors
from punte.accounts.forms_admin import RolePermissionsForm, read_based_on, sign_based_on
from punte.accounts.permissions import catalogue
from punte.accounts.services import roles as role_services
from punte.accounts.views_admin.common import INVALID, admin_view
from punte.core.errors import ServiceError


@admin_view("role.manage")
def role_matrix(request, actor):
    roles = selectors.role_list_for_admin(actor=actor)
    columns = [
        {"role": role, "based_on": sign_based_on(sorted(role.permission_set))} for role in roles
    ]
    rows = [
        {
            "code": code,
            "description": description,
            "cells": [(role, code in role.permission_set) for role in roles],
        }
        for code, description in catalogue().items()
    ]
    return render(request, "accounts/admin/role_matrix.html", {"columns": columns, "rows": rows})


@admin_view("role.manage")
@require_http_methods(["GET", "POST"])
def role_edit(request, actor, code):
    role = selectors.role_get_for_admin(actor=actor, code=code)
    held = sorted(role.permission_set & set(catalogue()))
    form = RolePermissionsForm(
        request.POST or None, initial={"permissions": held, "based_on": sign_based_on(held)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            role_services.role_permissions_set(
                actor=actor,
                role=role,
                permissions=form.cleaned_data["permissions"],
                based_on=read_based_on(form.cleaned_data["based_on"]),
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "The permissions of %(role)s were saved. They apply "
                    "from the next request of everyone holding the role."
                )
                % {"role": role.name},
            )
            if request.POST.get("return_to") == "matrix":
                return redirect("accounts:admin_role_matrix")
            return redirect("accounts:admin_role_edit", role.pk)
    return render(
        request,
        "accounts/admin/role_edit.html",
        {"form": form, "role": role},
        status=INVALID if form.is_bound else 200,
    )
