from django.shortcuts import redirect
from django.templatetags.static import static

from portfolio.roles import funds_managed_by


def home(request):
    """Send each kind of user where their work is: staff to admin, a fund's managers to their workspace,
    investors to their funds."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_staff:
        return redirect("admin:index")
    if funds_managed_by(request.user).exists():
        return redirect("manage:home")
    return redirect("fund-list")


def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon (Django admin). The URL is resolved per
    # request: in production it is the hashed name from the static files manifest.
    return redirect(static("favicon.svg"), permanent=True)
