"""Pages about a case that apps above this one keep (hearings, proceedings, documents): each
declares them in its `case_links.py` as `CASE_LINKS`, found by punte.core.contract, so the case
page links to them without importing them (docs/NEW_APP.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from punte.core import contract


@dataclass(frozen=True)
class CaseLink:
    label: Any  # a lazy translation
    url_name: str  # a URL taking the case's id
    permission: str
    order: int = 100


def links_for(*, actor, case) -> list[tuple[Any, str]]:
    """(label, address) of every page about `case` that the actor's role may open."""
    links = sorted(contract.collect("case_links", "CASE_LINKS"), key=lambda link: link.order)
    return [
        (link.label, reverse(link.url_name, args=[case.pk]))
        for link in links
        if actor.has_perm(link.permission)
    ]
