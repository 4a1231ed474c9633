"""Who may do what: the "Fund managers" group and the questions views ask about a user and a fund."""

from django.contrib.auth.models import Group, Permission

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
    "tranche": ("view", "add", "change"),
    "disbursement": ("view", "add", "change"),
    "receipt": ("view", "add"),
    "valuation": ("view", "add", "change"),
    "fxrate": ("view",),
    "progresssnapshot": ("view",),
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
