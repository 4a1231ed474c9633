"""The fund dashboard: the latest figures, projects by stage and what needs the manager's action."""

from django.shortcuts import render
from django.utils import timezone

from portfolio.workspace.access import fund_view
from portfolio.workspace.dashboard_reads import MULTIPLES, fund_dashboard


@fund_view
def dashboard(request, fund):
    today = timezone.localdate()
    board = fund_dashboard(fund, request.user, today)
    return render(
        request,
        "manage/dashboard.html",
        {"fund": fund, "board": board, "snapshot": board.snapshot, "multiples": MULTIPLES, "today": today},
    )
