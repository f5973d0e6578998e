"""The page header's links: each app's `navigation.py` `NAVIGATION` (core.contract)."""

from django import template

from punte.core import contract

register = template.Library()


@register.simple_tag
def navigation_for(permission_codes) -> list[contract.NavEntry]:
    """The entries a membership holding `permission_codes` is shown, in their order."""
    entries = sorted(contract.collect("navigation", "NAVIGATION"), key=lambda entry: entry.order)
    return [e for e in entries if any(p in permission_codes for p in e.permissions)]
