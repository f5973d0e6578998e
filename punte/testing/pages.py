"""The pages of the site, as every app lists them in its `tests/pages.py` (`PAGES`) for the
accessibility suite (punte.testing.accessibility). Kept apart from the suite, which builds
records of every app: an app's page list imports only this module, so it stays within its layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from punte.core import contract


@dataclass(frozen=True)
class Page:
    """One page of the site in the accessibility suite."""

    name: str
    # path(scene) -> the address to open, building what the page needs through the scene (a
    # punte.testing.accessibility.Scene).
    path: Callable[[Any], str]
    # login(scene) -> the membership signed in, or None for a public page.
    login: Callable[[Any], Any] | None = None
    # False: signed in with the password only (the second-factor pages).
    verified: bool = True


def all_pages() -> list[Page]:
    pages = contract.collect("tests.pages", "PAGES")
    names = [page.name for page in pages]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"two pages share a name in the accessibility suite: {duplicates}"
    return pages
