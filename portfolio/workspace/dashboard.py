"""The fund dashboard: the latest figures, projects by stage and what needs the manager's action."""

from django.shortcuts import render
from django.utils import timezone

from portfolio.workspace.access import fund_view
from portfolio.workspace.dashboard_reads import MULTIPLES, fund_dashboard
from portfolio.workspace.views import LAST_FUND


@fund_view
def dashboard(request, fund):
    today = timezone.localdate()
    if request.session.get(LAST_FUND) != fund.slug:
        request.session[LAST_FUND] = fund.slug  # /manage/ brings the user back here
    board = fund_dashboard(fund, request.user, today)
    return render(
        request,
        "manage/dashboard.html",
        {"fund": fund, "board": board, "snapshot": board.snapshot, "multiples": MULTIPLES, "today": today},
    )
