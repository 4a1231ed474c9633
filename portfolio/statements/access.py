"""Whose capital account a request may read.

- An investor's portal user reads their own investor's account in a fund that investor committed to. A user
  linked to several investors of the fund picks one with `?investor=<id>` (the first by name otherwise).
- The fund's managers and superusers read any investor's account in the fund with `?investor=<id>`: they
  keep every investor's row already (admin, the API), and a manager prepares statements on request. Being
  staff widens nothing.
- Anything else answers 404, never 403: neither the fund nor the investor is the reader's to learn about.
"""

import re
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from portfolio.models import Fund, Investor
from portfolio.roles import funds_visible_to, investors_of, is_manager_of

# An id as a person would type it: ASCII digits only (a NUL byte, "1e3" or "٣" is not an investor's id),
# and short enough for a bigint.
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)
INVESTOR_PARAM = "investor"


def _requested_investor_id(request) -> int | None:
    value = request.GET.get(INVESTOR_PARAM)
    if value is None:
        return None
    if not _ID.fullmatch(value):
        raise Http404
    return int(value)


@dataclass(frozen=True)
class Owner:
    fund: Fund
    investor: Investor
    own: list[Investor]  # the reader's own investors in the fund (several: the page offers each)
    on_behalf: bool  # a manager or superuser reads another investor's account

    @property
    def query(self) -> dict:
        """The parameters that keep the same investor on the next request (downloads, another date)."""
        return {INVESTOR_PARAM: self.investor.pk} if self.on_behalf or len(self.own) > 1 else {}


def account_owner(request, slug: str) -> Owner:
    """Whose account the request reads, or Http404.

    Three queries for an investor reading their own account; one more when a manager or superuser names an
    investor who is not theirs."""
    user = request.user
    fund = get_object_or_404(funds_visible_to(user), slug=slug)
    wanted = _requested_investor_id(request)
    own = list(investors_of(user).filter(commitments__fund=fund).order_by("name", "pk"))
    if wanted is None:
        if not own:
            raise Http404
        return Owner(fund, own[0], own, False)
    for investor in own:
        if investor.pk == wanted:
            return Owner(fund, investor, own, False)
    if not (user.is_superuser or is_manager_of(user, fund)):
        raise Http404
    investor = get_object_or_404(Investor.objects.filter(commitments__fund=fund), pk=wanted)
    return Owner(fund, investor, own, True)
