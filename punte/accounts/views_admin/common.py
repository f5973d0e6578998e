"""What every administration page shares: the gate, paging, htmx, and the history in words.

Thin views: they check the permission, read through selectors, write through services. A user
without the permission a page needs gets 404, as if the page did not exist. organisation.manage,
user.manage and role.manage act nationally (see permissions.py).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from punte.accounts import selectors

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
                if is_htmx(request):
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


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def is_htmx(request) -> bool:
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


def history(actor, subjects, permission) -> list[dict]:
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
