"""API tokens of a user's memberships: issue (the secret shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from punte.accounts import selectors
from punte.accounts.forms_admin import ApiTokenForm
from punte.accounts.services import tokens as token_services
from punte.accounts.views_admin.common import INVALID, admin_view
from punte.core.errors import ServiceError


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
            issued = token_services.apitoken_create(
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
        token_services.apitoken_revoke(actor=actor.user, token=token)
        messages.success(request, _("The token was revoked: it stops working at once."))
        return redirect("accounts:admin_user_detail", token.membership.user_id)
    return render(request, "accounts/admin/token_revoke.html", {"token": token})
