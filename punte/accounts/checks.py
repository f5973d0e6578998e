"""System checks of what apps contribute about permissions (see punte.core.checks)."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from punte.accounts.permissions import catalogue, default_grants
from punte.core import contract


def named_permissions() -> list[tuple[str, str]]:
    """(where, permission) for every permission another contribution names."""
    named = [
        (f"navigation entry {entry.url_name}", permission)
        for entry in contract.collect("navigation", "NAVIGATION")
        for permission in entry.permissions
    ]
    named += [
        (f"worklist section {section.key}", section.permission)
        for section in contract.collect("journey", "WORKLIST_SECTIONS")
    ]
    return named


def permissions(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        default_grants()
    except (ImproperlyConfigured, ValueError) as exc:
        return [checks.Error(str(exc), hint="Correct DEFAULT_GRANTS.", id="punte.E005")]
    known = catalogue()
    return [
        checks.Error(
            f"The {where} needs the permission {permission!r}, which no app declares.",
            hint="Declare it in the app's permissions.py, or name a declared one.",
            id="punte.E006",
        )
        for where, permission in named_permissions()
        if permission not in known
    ]


CHECKS = [permissions]
