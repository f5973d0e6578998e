"""The administration pages: organisations, users, memberships, roles and API tokens.

Thin views: they check the permission, read through selectors, write through services. A user
without the permission a page needs gets 404, as if the page did not exist. organisation.manage,
user.manage and role.manage act nationally (see permissions.py).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import (
    INTERNAL_RESET_SESSION_TOKEN,
    PasswordResetConfirmView,
    redirect_to_login,
)
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from punte.accounts import recovery, selectors, services
from punte.accounts.forms_admin import (
    ApiTokenForm,
    MembershipAddForm,
    MembershipRoleForm,
    OrganisationFilterForm,
    OrganisationForm,
    ReasonForm,
    RolePermissionsForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    active_filter,
    read_based_on,
    sign_based_on,
)
from punte.accounts.permissions import catalogue
from punte.core.errors import ServiceError
from punte.core.models import County

PAGE_SIZE = 50
INVALID = 422  # a form sent back with errors: the request was understood and refused


def admin_view(*permissions: str):
    """Signed in with a second factor, and holding one of `permissions`; else 404.

    RequireMFAMiddleware makes the same first two checks for every page; they are repeated here
    so that these pages stay closed should a path prefix ever be opened there by mistake.
    The view receives the acting membership as its second argument.
    """

    def decorator(view):
        @wraps(view)
        @never_cache
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                if _is_htmx(request):
                    # Not the login form swapped into a fragment: have htmx load the page.
                    response = HttpResponse(status=200)
                    back = urlencode({"next": request.get_full_path()})
                    response["HX-Redirect"] = f"{reverse('accounts:login')}?{back}"
                    return response
                return redirect_to_login(request.get_full_path())
            if not user.is_verified():
                return redirect("accounts:mfa")
            actor = getattr(request, "membership", None)
            if actor is None or not any(actor.has_perm(p) for p in permissions):
                raise Http404
            return view(request, actor, *args, **kwargs)

        return wrapped

    return decorator


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


ACTION_LABELS = {
    "organisation.created": gettext_lazy("Organisation created"),
    "organisation.changed": gettext_lazy("Organisation changed"),
    "organisation.deactivated": gettext_lazy("Organisation deactivated"),
    "organisation.reactivated": gettext_lazy("Organisation reactivated"),
    "user.created": gettext_lazy("Account created"),
    "user.changed": gettext_lazy("Account changed"),
    "user.deactivated": gettext_lazy("Account deactivated"),
    "user.reactivated": gettext_lazy("Account reactivated"),
    "user.setup_link_issued": gettext_lazy("Link to choose a password sent"),
    "user.password_set": gettext_lazy("Password chosen through the link"),
    "user.sessions_ended": gettext_lazy("Signed out everywhere"),
    "mfa.factors_reset": gettext_lazy("Second factors reset, password voided, link sent"),
    "mfa.factor_removed": gettext_lazy("A second factor removed by the person"),
    "mfa.failed": gettext_lazy("A second-factor code was refused"),
    "membership.created": gettext_lazy("Membership added"),
    "membership.reactivated": gettext_lazy("Membership restored"),
    "membership.role_changed": gettext_lazy("Role changed"),
    "membership.deactivated": gettext_lazy("Membership ended"),
}


def _history(actor, subjects, permission) -> list[dict]:
    """Audit events about the page's objects, in words, with the reason given if any."""
    events = selectors.admin_history(actor=actor, subjects=subjects, permission=permission)
    rows = []
    for event in events:
        changed = ", ".join(
            name
            for name in event.changes
            if name not in {"reason", "sessions_ended", "tokens_revoked", "user", "organisation"}
        )
        label = str(ACTION_LABELS.get(event.action, event.action))
        if event.action.endswith(".changed") and changed:
            label = f"{label}: {changed}"
        rows.append(
            {
                "occurred_at": event.occurred_at,
                "actor_username": event.actor_username,
                "label": label,
                "reason": event.changes.get("reason", "")
                if isinstance(event.changes, dict)
                else "",
            }
        )
    return rows


# Overview


@admin_view(*services.ADMIN_PERMISSIONS)
def admin_home(request, actor):
    return render(
        request,
        "accounts/admin/home.html",
        {
            "can_organisations": actor.has_perm("organisation.manage"),
            "can_users": actor.has_perm("user.manage"),
            "can_roles": actor.has_perm("role.manage"),
        },
    )


# Organisations


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
    context = {"form": form, "page_obj": _page(request, organisations)}
    template = (
        "accounts/admin/_organisation_results.html"
        if _is_htmx(request)
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


def _organisation_input(cleaned) -> services.OrganisationInput:
    return services.OrganisationInput(
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
            organisation = services.organisation_create(
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
            "history": _history(actor, [organisation], "organisation.manage"),
        },
    )


@admin_view("organisation.manage")
@require_http_methods(["GET", "POST"])
def organisation_edit(request, actor, organisation_id):
    organisation = selectors.organisation_get_for_admin(
        actor=actor, organisation_id=organisation_id
    )
    values = services.organisation_values(organisation)
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
            services.organisation_update(
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
            services.organisation_set_active(
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


# Users


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
    context = {"form": form, "page_obj": _page(request, users)}
    template = (
        "accounts/admin/_user_results.html"
        if _is_htmx(request)
        else "accounts/admin/user_list.html"
    )
    return render(request, template, context)


def _user_input(cleaned) -> services.UserInput:
    return services.UserInput(
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
            user = services.user_create(
                actor=actor,
                username=cleaned["username"],
                data=_user_input(cleaned),
                organisation=cleaned["organisation"],
                role=cleaned["role"],
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            services.user_setup_link_issue(
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
            "history": _history(actor, [managed, *memberships], "user.manage"),
            "is_self": managed.pk == actor.user_id,
            "factors": selectors.second_factor_counts_for_admin(actor=actor, user=managed),
            "sessions": selectors.user_session_list_for_admin(actor=actor, user=managed),
        },
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def user_edit(request, actor, user_id):
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    values = services.user_values(managed)
    form = UserEditForm(request.POST or None, initial={**values, "based_on": sign_based_on(values)})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
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
                services.user_reactivate(actor=actor, user=managed, reason=reason)
            else:
                services.user_deactivate(actor=actor.user, user=managed, reason=reason)
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
            services.user_setup_link_issue(
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


# Memberships


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
            services.membership_add(
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
            services.membership_change_role(
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
            services.membership_deactivate(
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


# API tokens


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def token_create(request, actor, user_id):
    managed = selectors.user_get_for_admin(actor=actor, user_id=user_id)
    memberships = selectors.memberships_of_user_for_admin(actor=actor, user=managed).filter(
        is_active=True, organisation__is_active=True
    )
    form = ApiTokenForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.apitoken_create(
                actor=actor.user,
                membership=form.cleaned_data["membership"],
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            # Shown once, in this response only (never_cache: not kept by the browser either).
            return render(
                request,
                "accounts/admin/token_issued.html",
                {"managed": managed, "issued": issued},
                status=201,
            )
    return render(
        request,
        "accounts/admin/token_form.html",
        {"form": form, "managed": managed},
        status=INVALID if form.is_bound else 200,
    )


@admin_view("user.manage")
@require_http_methods(["GET", "POST"])
def token_revoke(request, actor, token_id):
    token = selectors.apitoken_get_for_admin(actor=actor, token_id=token_id)
    if request.method == "POST":
        services.apitoken_revoke(actor=actor.user, token=token)
        messages.success(request, _("The token was revoked: it stops working at once."))
        return redirect("accounts:admin_user_detail", token.membership.user_id)
    return render(request, "accounts/admin/token_revoke.html", {"token": token})


# Roles


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
            services.role_permissions_set(
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


# The person's own one-time link to choose a password (no administrator involved)


class WelcomeSetPasswordView(PasswordResetConfirmView):
    """A new account (or one an administrator reset) chooses its password, once.

    Django's view moves the token from the URL into the session before showing the form, so
    the token never leaks through the Referer header. Deactivated accounts get "invalid link".
    """

    template_name = "accounts/admin/set_password.html"
    success_url = reverse_lazy("accounts:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        try:
            services.user_password_set_from_link(
                user=form.user, password=form.cleaned_data["new_password1"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(
            self.request,
            _("Your password is set. Sign in now; you will then set up your second factor."),
        )
        return HttpResponseRedirect(self.get_success_url())


welcome_set_password = WelcomeSetPasswordView.as_view()
