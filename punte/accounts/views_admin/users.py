"""Accounts: list, open, edit, (de)activate, the set-password link, second factors, sessions."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from punte.accounts import recovery, selectors
from punte.accounts.forms_admin import (
    MembershipAddForm,
    MembershipRoleForm,
    ReasonForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    active_filter,
    read_based_on,
    sign_based_on,
)
from punte.accounts.services import users as user_services
from punte.accounts.views_admin.common import INVALID, admin_view, history, is_htmx, page_of
from punte.core.errors import ServiceError


@admin_view("user.manage")
def user_list(request, actor):
    organisations = selectors.organisation_choices_for_admin(actor=actor, include_inactive=True)
    form = UserFilterForm(request.GET or None, organisations=organisations)
    filters = form.cleaned_data if form.is_valid() else {}
    organisation = filters.get("organisation")
    users = selectors.user_list_for_admin(
        actor=actor,
        q=filters.get("q", ""),
        organisation_id=organisation.pk if organisation else None,
        active=active_filter(filters.get("active", "")),
    )
    context = {"form": form, "page_obj": page_of(request, users)}
    template = (
        "accounts/admin/_user_results.html" if is_htmx(request) else "accounts/admin/user_list.html"
    )
    return render(request, template, context)


def _user_input(cleaned) -> user_services.UserInput:
    return user_services.UserInput(
        first_name=cleaned["first_name"],
        last_name=cleaned["last_name"],
        email=cleaned["email"],
        preferred_language=cleaned["preferred_language"],
    )


def _setup_url_builder(request):
    def build(uidb64: str, token: str) -> str:
        return request.build_absolute_uri(
            reverse("accounts:welcome", kwargs={"uidb64": uidb64, "token": token})
        )

    return build


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def user_create(request, actor):
    form = UserCreateForm(
        request.POST or None,
        organisations=selectors.organisation_choices_for_admin(actor=actor),
        roles=selectors.role_choices_for_admin(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            user = user_services.user_create(
                actor=actor,
                username=cleaned["username"],
                data=_user_input(cleaned),
                organisation=cleaned["organisation"],
                role=cleaned["role"],
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            user_services.user_setup_link_issue(
                actor=actor, user=user, build_url=_setup_url_builder(request)
            )
            messages.success(
                request,
                _(
                    "The account was created. A link to choose a password was sent to %(email)s; "
                    "it works once, within three days. A second factor is set up at the first "
                    "sign-in."
                )
                % {"email": user.email},
            )
            return redirect("accounts:admin_user_detail", user.pk)
    return render(
        request,
        "accounts/admin/user_create.html",
        {"form": form},
        status=INVALID if form.is_bound else 200,
    )


@admin_view("user.manage")
def user_detail(request, actor, user_id):
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    memberships = list(selectors.memberships_of_user_for_admin(actor=actor, user=managed))
    roles = selectors.role_choices_for_admin(actor=actor)
    for membership in memberships:
        membership.role_form = MembershipRoleForm(
            initial={"role": membership.role_id},
            roles=roles,
            auto_id=f"id_m{membership.pk.hex[:8]}_%s",
        )
    return render(
        request,
        "accounts/admin/user_detail.html",
        {
            "managed": managed,
            "memberships": memberships,
            "add_form": MembershipAddForm(
                organisations=selectors.organisation_choices_for_admin(actor=actor), roles=roles
            ),
            "tokens": selectors.apitoken_list_for_admin(actor=actor, user=managed),
            "history": history(actor, [managed, *memberships], "user.manage"),
            "is_self": managed.pk == actor.user_id,
            "factors": selectors.second_factor_counts_for_admin(actor=actor, user=managed),
            "sessions": selectors.user_session_list_for_admin(actor=actor, user=managed),
        },
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def user_edit(request, actor, user_id):
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    values = user_services.user_values(managed)
    form = UserEditForm(request.POST or None, initial={**values, "based_on": sign_based_on(values)})
    if request.method == "POST" and form.is_valid():
        try:
            user_services.user_update(
                actor=actor,
                user=managed,
                data=_user_input(form.cleaned_data),
                based_on=read_based_on(form.cleaned_data["based_on"]),
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The account was saved."))
            return redirect("accounts:admin_user_detail", managed.pk)
    return render(
        request,
        "accounts/admin/user_edit.html",
        {"form": form, "managed": managed},
        status=INVALID if form.is_bound else 200,
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def user_set_active(request, actor, user_id, active: bool):
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if active:
                user_services.user_reactivate(actor=actor, user=managed, reason=reason)
            else:
                user_services.user_deactivate(actor=actor.user, user=managed, reason=reason)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The account was reactivated.")
                if active
                else _(
                    "The account was deactivated: it was signed out everywhere and its API tokens "
                    "were revoked."
                ),
            )
            return redirect("accounts:admin_user_detail", managed.pk)
    return render(
        request,
        "accounts/admin/user_set_active.html",
        {"form": form, "managed": managed, "active": active},
        status=INVALID if form.is_bound else 200,
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def user_setup_link(request, actor, user_id):
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    error = None
    if request.method == "POST":
        try:
            user_services.user_setup_link_issue(
                actor=actor, user=managed, build_url=_setup_url_builder(request)
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _(
                    "A new link to choose a password was sent to %(email)s. The old password and "
                    "any earlier link no longer work, and the account was signed out everywhere."
                )
                % {"email": managed.email},
            )
            return redirect("accounts:admin_user_detail", managed.pk)
    return render(
        request,
        "accounts/admin/user_setup_link.html",
        {"managed": managed, "error": error},
        status=INVALID if error else 200,
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def user_factors_reset(request, actor, user_id):
    """A person lost their phone or security key: remove every second factor (ADR 0008)."""
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery.user_second_factors_reset(
                actor=actor,
                user=managed,
                reason=form.cleaned_data["reason"],
                build_url=_setup_url_builder(request),
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "The second factors were removed, the password no longer works and the "
                    "account was signed out everywhere. A link to choose a new password was sent "
                    "to %(email)s; a second factor is set up again at the next sign-in."
                )
                % {"email": managed.email},
            )
            return redirect("accounts:admin_user_detail", managed.pk)
    return render(
        request,
        "accounts/admin/user_factors_reset.html",
        {
            "form": form,
            "managed": managed,
            "factors": selectors.second_factor_counts_for_admin(actor=actor, user=managed),
            "is_self": managed.pk == actor.user_id,
        },
        status=INVALID if form.is_bound else 200,
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def user_sessions_end(request, actor, user_id):
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = recovery.user_sessions_end_for_admin(
                actor=actor, user=managed, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                ngettext("%(count)d session was ended.", "%(count)d sessions were ended.", ended)
                % {"count": ended},
            )
            return redirect("accounts:admin_user_detail", managed.pk)
    return render(
        request,
        "accounts/admin/user_sessions_end.html",
        {
            "form": form,
            "managed": managed,
            "sessions": selectors.user_session_list_for_admin(actor=actor, user=managed),
            "is_self": managed.pk == actor.user_id,
        },
        status=INVALID if form.is_bound else 200,
    )
