"""Request middleware of our own: the session idle timeout."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LAST_ACTIVITY = "_last_activity"


class SessionIdleTimeoutMiddleware:
    """Log a signed-in user out after SESSION_IDLE_TIMEOUT seconds without a request.

    Django's own expiry counts from the last *save* of the session, and saving it on every request would
    cost a write per page. Here the time of activity is refreshed at most once a minute
    (SESSION_ACTIVITY_RESOLUTION), so a busy user costs one session write a minute and an idle one is
    out on the first request after the limit. API calls with a token carry no session and are untouched.
    (django-session-timeout does the same but has not been released since Django 3.0, and redirects API
    calls to the login page.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60},
                )
            elif last is None or now - last >= settings.SESSION_ACTIVITY_RESOLUTION:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)
