"""Who may do what, in one place: every interface (admin, the API, the pages, the services) asks here.

- A superuser sees and changes every fund.
- A fund manager sees and changes only the funds they manage (`Fund.managers`), whether or not they are
  staff; being staff only opens Django admin, it widens nothing.
- An investor's portal user reads the funds their investor committed to, and only that investor's rows.

The object rules are `rules` predicates, so `user.has_perm("portfolio.manage_fund", fund)` answers the
same question anywhere (the rules backend is in AUTHENTICATION_BACKENDS). The queryset helpers answer it
for many funds at once, in one query, for lists.
"""

import rules
from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

from portfolio.models import Fund, Investor

# The role a user holds in one fund, strongest first.
SUPERUSER, MANAGER, INVESTOR = "superuser", "manager", "investor"


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def funds_managed_by(user) -> QuerySet[Fund]:
    """Funds whose records the user may change: all for a superuser, else the ones they manage."""
    if not _active(user):
        return Fund.objects.none()
    if user.is_superuser:
        return Fund.objects.all()
    return Fund.objects.filter(managers=user)


def funds_visible_to(user) -> QuerySet[Fund]:
    """Funds the user may read: the ones they manage and the ones their investor committed to."""
    if not _active(user):
        return Fund.objects.none()
    if user.is_superuser:
        return Fund.objects.all()
    return Fund.objects.filter(
        pk__in=Fund.objects.filter(Q(managers=user) | Q(commitments__investor__users=user)).values("pk")
    )


def investors_of(user) -> QuerySet[Investor]:
    """The investors whose rows (commitments, calls, distributions, capital account) the user may read."""
    if not _active(user):
        return Investor.objects.none()
    return Investor.objects.filter(users=user)


def investor_ids_of(user) -> set[int]:
    return set(investors_of(user).values_list("pk", flat=True))


def role_in_fund(user, fund: Fund) -> str | None:
    """SUPERUSER, MANAGER, INVESTOR or None (the user may not see the fund at all)."""
    if not _active(user) or fund is None:
        return None
    if user.is_superuser:
        return SUPERUSER
    if fund.managers.filter(pk=user.pk).exists():
        return MANAGER
    if fund.commitments.filter(investor__users=user).exists():
        return INVESTOR
    return None


def is_manager_of(user, fund: Fund) -> bool:
    """A named manager of this very fund (superusers are not, unless listed): four eyes needs two of them."""
    return _active(user) and fund is not None and fund.managers.filter(pk=user.pk).exists()


@rules.predicate
def can_manage_fund(user, fund) -> bool:
    return role_in_fund(user, fund) in (SUPERUSER, MANAGER)


@rules.predicate
def can_view_fund(user, fund) -> bool:
    return role_in_fund(user, fund) is not None


@rules.predicate
def sees_every_investor(user, fund) -> bool:
    """Managers and superusers see every investor's row of the fund; an investor sees only their own."""
    return role_in_fund(user, fund) in (SUPERUSER, MANAGER)


rules.add_perm("portfolio.manage_fund", can_manage_fund)
rules.add_perm("portfolio.view_fund", can_view_fund)
rules.add_perm("portfolio.view_all_investors", sees_every_investor)

FUND_MANAGERS_GROUP = "Fund managers"

# Managers log the portfolio and its money; they read (but do not edit) investors and FX rates, and
# never touch users or snapshots, which belong to admins and the background jobs.
FUND_MANAGER_PERMISSIONS = {
    "fund": ("view", "change"),
    "investor": ("view",),
    "commitment": ("view", "add", "change"),
    "capitalcall": ("view", "add", "change"),
    "capitalcallitem": ("view", "add", "change"),
    "capitalcallpayment": ("view", "add"),
    "distribution": ("view", "add", "change"),
    "distributionitem": ("view", "add", "change"),
    "project": ("view", "add", "change"),
    "stagechange": ("view", "add"),
    "projectcommitmentchange": ("view",),
    "tranche": ("view", "add", "change"),
    "tranchecondition": ("view", "add", "change"),
    "disbursement": ("view", "add", "change"),
    "receipt": ("view", "add"),
    "valuation": ("view", "add", "change"),
    "fxrate": ("view",),
    "progresssnapshot": ("view",),
    "capitalaccount": ("view",),
    "progressstalemark": ("view",),
}


def fund_manager_codenames() -> set[str]:
    return {f"{action}_{model}" for model, actions in FUND_MANAGER_PERMISSIONS.items() for action in actions}


def sync_fund_manager_group(sender=None, using="default", **kwargs) -> Group:
    """Create the group if missing and set its permissions to exactly the list above (idempotent)."""
    group, _created = Group.objects.using(using).get_or_create(name=FUND_MANAGERS_GROUP)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="portfolio", codename__in=fund_manager_codenames()
    )
    group.permissions.set(permissions)
    return group
