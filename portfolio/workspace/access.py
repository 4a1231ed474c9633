"""Fund scoping for the workspace: one decorator every /manage/ view goes through."""

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from portfolio.roles import funds_managed_by


def managed_fund(user, slug: str):
    """The fund with this slug if the user manages it (any fund for a superuser), else 404.

    404 rather than 403: a manager of another fund must not learn that this fund, or any record of it,
    exists.
    """
    return get_object_or_404(funds_managed_by(user), slug=slug)


def fund_view(view):
    """Log-in required; the URL's `slug` becomes the `fund` argument, scoped to the user's funds."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        return view(request, managed_fund(request.user, slug), *args, **kwargs)

    return wrapper
