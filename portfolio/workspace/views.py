"""The workspace's entry: the list of the user's funds and each fund's dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from portfolio.roles import funds_managed_by
from portfolio.selectors import latest_progress_snapshot
from portfolio.workspace.access import fund_view


@login_required
def home(request):
    """A manager of one fund goes straight to its dashboard; of several, picks one; of none, 404."""
    funds = list(funds_managed_by(request.user).order_by("name"))
    if not funds:
        raise Http404
    if len(funds) == 1:
        return redirect("manage:dashboard", slug=funds[0].slug)
    return render(request, "manage/home.html", {"funds": funds})


@fund_view
def dashboard(request, fund):
    snapshot = latest_progress_snapshot(fund, timezone.localdate())
    return render(
        request,
        "manage/dashboard.html",
        {"fund": fund, "snapshot": snapshot, "metrics": snapshot.metrics if snapshot else {}},
    )
