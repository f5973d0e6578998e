"""The administration's first page: what the acting membership may administer."""

from __future__ import annotations

from django.shortcuts import render

from punte.accounts.services import roles as role_services
from punte.accounts.views_admin.common import admin_view


@admin_view(*role_services.ADMIN_PERMISSIONS)
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
