"""Small counts about victims identify people (DOMAIN.md §4): the rule for figures that may leave
the national agency (ADR 0025).

- A count from 1 to SMALL_COUNT - 1 is *small*. On the agency's own dashboard page it is shown
  exactly (the agency acts on it) and marked "small: do not publish or pass on".
- Wherever a figure can leave the agency (the API, which other systems read and store), a small
  count is *suppressed*: answered as null with `suppressed: true`, never as its value.
- Complementary suppression: a table is published with its total, so one suppressed cell could
  be recovered by subtraction. When a table has exactly one suppressed cell, the smallest other
  non-zero cell is suppressed too. A suppressed total suppresses the whole table.
- Zero is published: it counts no one.

SMALL_COUNT is 5 (settings: PUNTE_STATISTICS_SMALL_COUNT). Public statistics (a separate
capability) must go further: CTDC publishes with k = 11.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


def small_count() -> int:
    return getattr(settings, "PUNTE_STATISTICS_SMALL_COUNT", 5)


def is_small(count: int) -> bool:
    return 0 < count < small_count()


@dataclass
class Table:
    """A two-way table of counts: rows × columns, with labels, and its total."""

    key: str
    title: str
    rows: list[tuple[str, str]]  # (key, label)
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], int] = field(default_factory=dict)
    # The total is given, not summed: a person may count in several rows (exploitation forms).
    total: int = 0

    def value(self, row: str, column: str) -> int:
        return self.cells.get((row, column), 0)

    def grid(self) -> list[tuple[str, list[tuple[int, bool]]]]:
        """For pages: each row's label and its (count, is_small) per column."""
        return [
            (label, [(self.value(r, c), is_small(self.value(r, c))) for c, _ in self.columns])
            for r, label in self.rows
        ]


def suppressed_cells(table: Table) -> set[tuple[str, str]]:
    """The cells of `table` that may not leave the agency (primary and complementary)."""
    every = [(r, c) for r, _ in table.rows for c, _ in table.columns]
    if is_small(table.total):
        return {cell for cell in every if table.value(*cell) > 0}
    hidden = {cell for cell in every if is_small(table.value(*cell))}
    if len(hidden) == 1:
        others = sorted(
            (table.value(*cell), cell)
            for cell in every
            if cell not in hidden and table.value(*cell) > 0
        )
        if others:
            hidden.add(others[0][1])
    return hidden


def published(table: Table) -> dict:
    """The table as it may leave the agency: suppressed cells as null, flagged."""
    hidden = suppressed_cells(table)
    total_hidden = is_small(table.total)
    return {
        "key": table.key,
        "title": str(table.title),
        "rows": [{"key": key, "label": str(label)} for key, label in table.rows],
        "columns": [{"key": key, "label": str(label)} for key, label in table.columns],
        "cells": [
            {
                "row": r,
                "column": c,
                "count": None if (r, c) in hidden else table.value(r, c),
                "suppressed": (r, c) in hidden,
            }
            for r, _ in table.rows
            for c, _ in table.columns
        ],
        "total": None if total_hidden else table.total,
        "total_suppressed": total_hidden,
    }


def published_count(count: int) -> dict:
    hidden = is_small(count)
    return {"count": None if hidden else count, "suppressed": hidden}
