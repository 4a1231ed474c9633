"""What the progress engine stores besides the snapshot: each investor's capital account per date, and the
outbox row that says a fund's stored figures are stale from a date on."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.dates import DateField, DateTimeField, dates_in_range
from portfolio.money import MoneyField

from .funds import Fund, Investor

# Ratios carry 10 places (as in the snapshot); 14 digits before the point hold any multiple or rate the
# XIRR search can return (it stops at 10^6).
RATIO_DIGITS = 24
RATIO_PLACES = 10


def _ratio_field(verbose_name):
    return models.DecimalField(
        verbose_name, max_digits=RATIO_DIGITS, decimal_places=RATIO_PLACES, null=True, blank=True
    )


class CapitalAccount(models.Model):
    """One investor's figures in one fund as of one date, written with the fund's snapshot of that date."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.CASCADE, related_name="capital_accounts"
    )
    investor = models.ForeignKey(
        Investor, verbose_name=_("investor"), on_delete=models.CASCADE, related_name="capital_accounts"
    )
    as_of = DateField(_("as of"))
    commitment = MoneyField(_("commitment"))
    paid_in = MoneyField(_("paid-in"))
    unfunded = MoneyField(_("unfunded"))
    distributed = MoneyField(_("distributed"))
    nav_share = MoneyField(_("NAV share"))
    dpi = _ratio_field(_("DPI"))
    rvpi = _ratio_field(_("RVPI"))
    tvpi = _ratio_field(_("TVPI"))
    net_irr = _ratio_field(_("net IRR"))
    computed_at = DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("capital account")
        verbose_name_plural = _("capital accounts")
        ordering = ["fund", "-as_of", "investor"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "as_of", "investor"],
                name="capital_account_one_per_fund_date_and_investor",
            ),
            dates_in_range("capital_account", dates=("as_of",), timestamps=("computed_at",)),
        ]
        # An investor's own statement reads their rows across dates; the unique key serves the fund's reads.
        indexes = [models.Index(fields=["investor", "fund", "as_of"], name="capital_account_investor")]

    def __str__(self):
        return f"{self.investor} · {self.fund} @ {self.as_of}"


class ProgressStaleMark(models.Model):
    """The outbox: the fund's stored progress is stale from `stale_from` on.

    Written in the same transaction as the change that made it stale (the earliest date wins), so a change
    that commits is never without its mark, whatever happens to Redis or a worker afterwards. The recompute
    deletes the mark only while `token` is still the one it read: a change that arrives meanwhile writes a
    new token and keeps the mark for the next run."""

    # No database constraint: a change inside the cascade that deletes its fund still writes its mark (the
    # signals cannot tell), and a recompute that finds no fund just deletes the mark.
    fund = models.OneToOneField(
        Fund,
        verbose_name=_("fund"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="progress_stale_mark",
    )
    stale_from = DateField(_("stale from"))
    token = models.CharField(_("token"), max_length=32)
    marked_at = DateTimeField(_("marked at"), db_index=True)

    class Meta:
        verbose_name = _("stale progress mark")
        verbose_name_plural = _("stale progress marks")
        constraints = [
            dates_in_range("progress_stale_mark", dates=("stale_from",), timestamps=("marked_at",))
        ]

    def __str__(self):
        return f"{self.fund_id} stale from {self.stale_from}"
