"""/api/v1/statistics/dashboard: the dashboard's figures as they may leave the agency."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from punte.statistics import disclosure, selectors

router = Router(tags=["statistics"])


class CountOut(Schema):
    count: int | None
    suppressed: bool


class FigureOut(CountOut):
    key: str
    label: str


class LabelOut(Schema):
    key: str
    label: str


class CellOut(CountOut):
    row: str
    column: str


class TableOut(Schema):
    key: str
    title: str
    rows: list[LabelOut]
    columns: list[LabelOut]
    cells: list[CellOut]
    total: int | None
    total_suppressed: bool


class OverdueOut(Schema):
    reference: str
    receiver_type: str
    county: str
    due_at: datetime.datetime


class DashboardOut(Schema):
    today: datetime.date
    small_count: int
    figures: list[FigureOut]
    tables: list[TableOut]
    overdue_referrals: CountOut | None
    overdue: list[OverdueOut]


@router.get(
    "/statistics/dashboard", response=DashboardOut, summary="The national agency's dashboard"
)
def get_dashboard(request: HttpRequest):
    """Aggregate figures for holders of `dashboard.national` (others: 404). Counts from 1 to
    `small_count - 1` are suppressed (`count: null, suppressed: true`), and so is one more
    cell of a table that would otherwise have exactly one suppressed cell (ADR 0025). Overdue
    referrals are listed by reference, type of receiving organisation, county and deadline,
    unless their count is small."""
    board = selectors.national_dashboard(actor=request.membership)
    return {
        "today": board.periods.today,
        "small_count": disclosure.small_count(),
        "figures": [
            {"key": key, "label": str(label), **disclosure.published_count(count)}
            for key, (label, count) in board.figures.items()
        ],
        "tables": [disclosure.published(table) for table in board.tables],
        "overdue_referrals": (
            disclosure.published_count(board.overdue_count)
            if board.overdue_count is not None
            else None
        ),
        # A list would tell the count it stands for: given only when that count is not small
        # (each referral stays reachable through /referrals/overdue for referral.monitor).
        "overdue": [] if disclosure.is_small(board.overdue_count or 0) else board.overdue,
    }
