"""The workspace's entry: where /manage/ sends a user (each fund's dashboard is in dashboard.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from portfolio.roles import funds_managed_by

# The fund whose dashboard the user opened last in this session (set by the dashboard).
LAST_FUND = "workspace_fund"


@login_required
def home(request):
    """A fund manager goes straight to a dashboard: the fund they opened last in this session, else their
    largest fund (the demo's managers run Tolqyn and a small documentary fund, and land on Tolqyn).
    `?choose` lists their funds, which is also what a superuser sees, as they may open any fund. A user who
    manages none gets 404."""
    funds = list(funds_managed_by(request.user).order_by("-target_size", "name"))
    if not funds:
        raise Http404
    if len(funds) == 1 or not (request.user.is_superuser or "choose" in request.GET):
        last = request.session.get(LAST_FUND)
        fund = next((fund for fund in funds if fund.slug == last), funds[0])
        return redirect("manage:dashboard", slug=fund.slug)
    return render(request, "manage/home.html", {"funds": sorted(funds, key=lambda fund: fund.name)})
