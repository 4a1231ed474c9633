"""The application's URLs plus the bench's bare view (scripts/bench_pages.py); never in production's URLconf.

The bare view goes through the same middleware as every page (sessions, auth, CSRF, CSP, ...), needs the
same signed-in session, and renders a one-line template with the same context processors: what a page costs
before it does any work of its own."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

ONE_LINE = engines["django"].from_string("<p>{{ user.get_username }}</p>\n")


@login_required
def bare(request):
    return HttpResponse(ONE_LINE.render({}, request))


urlpatterns = [path("bench/bare/", bare), path("", include("fundtracker.urls"))]
