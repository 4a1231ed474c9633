"""The workspace's entry: the list of the user's funds (each fund's dashboard is in dashboard.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from portfolio.roles import funds_managed_by


@login_required
def home(request):
    """A manager of one fund goes straight to its dashboard; of several, picks one; of none, 404."""
    funds = list(funds_managed_by(request.user).order_by("name"))
    if not funds:
        raise Http404
    if len(funds) == 1:
        return redirect("manage:dashboard", slug=funds[0].slug)
    return render(request, "manage/home.html", {"funds": funds})
