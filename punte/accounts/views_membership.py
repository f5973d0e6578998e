"""Choosing which membership (organisation and role) one acts in, for users who have several."""

import uuid

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from punte.accounts import selectors
from punte.accounts.middleware import SESSION_MEMBERSHIP
from punte.core import audit


@require_POST
def membership_switch(request):
    try:
        membership_id = uuid.UUID(request.POST.get("membership", ""))
    except ValueError as exc:  # a malformed id is as unknown as someone else's
        raise Http404 from exc
    membership = selectors.memberships_of(user=request.user).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    previous = request.membership
    if previous is None or previous.pk != membership.pk:
        with transaction.atomic():
            request.session[SESSION_MEMBERSHIP] = str(membership.pk)
            audit.record(
                action="membership.switched",
                actor=request.user,
                organisation=membership.organisation,
                subject=membership,
                changes={
                    "organisation": {
                        "old": str(previous.organisation_id) if previous else None,
                        "new": str(membership.organisation_id),
                    },
                    "role": {
                        "old": previous.role_id if previous else None,
                        "new": membership.role_id,
                    },
                },
            )
        messages.success(
            request,
            _("You now act as %(role)s at %(organisation)s.")
            % {"role": membership.role, "organisation": membership.organisation},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "home"
    return redirect(target)
