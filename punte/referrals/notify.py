"""Who is told about a referral: the receiver's responders, the sender, the supervisors.

A referral must never arrive, or fall late, where nobody reads it: each function falls back
(supervisors, the parent organisation, the national agency) when nobody holds the duty.
"""

from __future__ import annotations

from django.urls import reverse

from punte.accounts.models import Membership
from punte.notifications.services import notify
from punte.referrals.models import Referral


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def national_monitors() -> list[Membership]:
    return list(
        Membership.objects.filter(
            is_active=True, user__is_active=True, role__grants__permission="referral.monitor"
        ).distinct()
    )


def notify_receiver(referral: Referral, *, kind: str, message, params: dict) -> list:
    """Tell the receiving organisation's responders; if it has none, its supervisors, then its
    parent's, then the national agency: a referral must never arrive where nobody reads it."""
    for permission in ("referral.respond", "referral.escalation"):
        rows = notify(
            kind=kind,
            message=message,
            params=params,
            url=referral_url(referral),
            subject=referral,
            organisation=referral.receiver_organisation,
            permission=permission,
        )
        if rows:
            return rows
    return notify_escalation(referral, kind=kind, message=message, params=params)[1]


def notify_escalation(referral: Referral, *, kind: str, message, params: dict):
    """Supervisors (referral.escalation) of the receiver, else of its parent organisations,
    else the national agency (referral.monitor). Returns (level, notifications)."""
    organisation = referral.receiver_organisation
    level = "organisation"
    while organisation is not None:
        rows = notify(
            kind=kind,
            message=message,
            params=params,
            url=referral_url(referral),
            subject=referral,
            organisation=organisation,
            permission="referral.escalation",
        )
        if rows:
            return level, rows
        organisation, level = organisation.parent, "parent"
    rows = notify(
        kind=kind,
        message=message,
        params=params,
        url=referral_url(referral),
        subject=referral,
        recipients=national_monitors(),
    )
    return "national", rows


def notify_sender(referral: Referral, *, kind: str, message, params: dict) -> list:
    """Tell whoever sent it (if still a member), else the sending organisation's senders."""
    sender = Membership.objects.filter(
        user_id=referral.created_by_id,
        organisation_id=referral.sender_organisation_id,
        is_active=True,
        user__is_active=True,
    ).first()
    if sender is not None:
        return notify(
            kind=kind,
            message=message,
            params=params,
            url=referral_url(referral),
            subject=referral,
            recipients=[sender],
        )
    return notify(
        kind=kind,
        message=message,
        params=params,
        url=referral_url(referral),
        subject=referral,
        organisation=referral.sender_organisation,
        permission="referral.send",
    )
