from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone

from portfolio.roles import funds_visible_to
from portfolio.selectors import fund_overview_list, latest_progress_snapshot


def home(request):
    """Send each kind of user where their work is: admins to admin, everyone else to their funds."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("fund-list")


@login_required
def fund_list(request):
    funds = fund_overview_list(request.user, timezone.localdate())
    return render(request, "portfolio/fund_list.html", {"funds": funds})


@login_required
def fund_detail(request, slug):
    # 404, not 403, for a fund the user may not see: its existence is not theirs to learn.
    fund = get_object_or_404(funds_visible_to(request.user), slug=slug)
    # Every figure comes from the stored snapshot, as in the list and the API.
    snapshot = latest_progress_snapshot(fund, timezone.localdate())
    metrics = snapshot.metrics if snapshot else {}
    return render(
        request,
        "portfolio/fund_detail.html",
        {"fund": fund, "snapshot": snapshot, "metrics": metrics, "projects": metrics.get("projects", [])},
    )


def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon (Django admin). The URL is resolved per
    # request: in production it is the hashed name from the static files manifest.
    return redirect(static("favicon.svg"), permanent=True)
