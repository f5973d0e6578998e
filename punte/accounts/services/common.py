"""What every administration service checks the same way: the permission, the reason, an edit.

The administration services take the acting Membership, not the bare User: the permission that
allows the act is a property of the membership (its role), and the service checks it again
whatever the view did. organisation.manage, user.manage and role.manage act nationally (see
permissions.py): the national agency's administrator keeps the registry of every organisation
and every account.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.core.errors import ServiceError


def require_permission(actor: Membership | None, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise ServiceError(None, _("Your role does not allow this action."), status=403)


def checked_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason", _("Give a reason: it is kept in the audit trail."))
    if len(reason) > 500:
        raise ServiceError("reason", _("Keep the reason under 500 characters."))
    return reason


def merge_changes(
    current: dict[str, Any], submitted: dict[str, Any], based_on: dict[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """The fields to change, as {name: {"old", "new"}}, without losing a concurrent edit.

    `based_on` holds the values the submitter's form was showing. A field the submitter left as
    it was keeps whatever is stored now (another administrator may have changed it meanwhile); a
    field both changed, to different values, is refused rather than silently overwritten.
    Without `based_on` (an API call, a script) the submitted values simply win.
    """
    changes: dict[str, dict[str, Any]] = {}
    for name, new in submitted.items():
        now = current[name]
        if based_on is not None:
            seen = based_on.get(name, now)
            if new == seen:
                continue
            if now not in (seen, new):
                raise ServiceError(
                    name,
                    _(
                        "Someone else changed this field while you were editing. "
                        "Reload the page to see their change, then edit again."
                    ),
                    status=409,
                )
        if now != new:
            changes[name] = {"old": now, "new": new}
    return changes
