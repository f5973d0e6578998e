"""Who is told about a case: its managers, the owner's supervisors, providers, receivers.

Messages carry organisation names, codes and dates only, never anything about the person. Like
referrals, a duty never lands where nobody reads it: supervisors, then the parent organisation,
then the national agency.
"""

from __future__ import annotations

from django.urls import reverse

from punte.accounts.models import Membership, Organisation
from punte.cases.models import Case, CaseService, CaseTransfer
from punte.notifications.services import notify


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def national_monitors() -> list[Membership]:
    return list(
        Membership.objects.filter(
            is_active=True, user__is_active=True, role__grants__permission="case.monitor"
        ).distinct()
    )


def escalate(
    organisation: Organisation, *, kind: str, message, params: dict, url: str, subject
) -> tuple[str, list]:
    """Supervisors (case.approve_closure) of the organisation, else of its parents, else the
    national agency. Returns (level, notifications)."""
    level = "organisation"
    current: Organisation | None = organisation
    while current is not None:
        rows = notify(
            kind=kind,
            message=message,
            params=params,
            url=url,
            subject=subject,
            organisation=current,
            permission="case.approve_closure",
        )
        if rows:
            return level, rows
        current, level = current.parent, "parent"
    rows = notify(
        kind=kind,
        message=message,
        params=params,
        url=url,
        subject=subject,
        recipients=national_monitors(),
    )
    return "national", rows


def notify_managers(case: Case, *, kind: str, message, params: dict) -> list:
    rows = notify(
        kind=kind,
        message=message,
        params=params,
        url=case_url(case),
        subject=case,
        organisation=case.owner_organisation,
        permission="case.manage",
    )
    if rows:
        return rows
    return escalate(
        case.owner_organisation,
        kind=kind,
        message=message,
        params=params,
        url=case_url(case),
        subject=case,
    )[1]


def notify_supervisors(case: Case, *, kind: str, message, params: dict) -> list:
    return escalate(
        case.owner_organisation,
        kind=kind,
        message=message,
        params=params,
        url=case_url(case),
        subject=case,
    )[1]


def notify_provider(service: CaseService, *, kind: str, message, params: dict) -> list:
    url = reverse("cases:service", args=[service.pk])
    rows = notify(
        kind=kind,
        message=message,
        params=params,
        url=url,
        subject=service,
        organisation=service.provider,
        permission="case.deliver",
    )
    if rows:
        return rows
    return escalate(
        service.provider, kind=kind, message=message, params=params, url=url, subject=service
    )[1]


def notify_receiver(transfer: CaseTransfer, *, kind: str, message, params: dict) -> list:
    url = case_url(transfer.case)
    rows = notify(
        kind=kind,
        message=message,
        params=params,
        url=url,
        subject=transfer,
        organisation=transfer.to_organisation,
        permission="case.manage",
    )
    if rows:
        return rows
    return escalate(
        transfer.to_organisation,
        kind=kind,
        message=message,
        params=params,
        url=url,
        subject=transfer,
    )[1]
