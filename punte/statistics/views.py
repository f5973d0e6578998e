from django.shortcuts import render
from django.views.decorators.http import require_safe

from punte.statistics import disclosure, selectors


@require_safe
def dashboard(request):
    """The national agency's dashboard: 404 without `dashboard.national` (ADR 0003)."""
    board = selectors.national_dashboard(actor=request.membership)
    return render(
        request,
        "statistics/dashboard.html",
        {"board": board, "small_count": disclosure.small_count()},
    )
