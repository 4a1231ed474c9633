"""Turning the demo data into records through the write services, idempotently, in one transaction.

The admin sets the funds up; the manager records commitments, calls, payments, receipts, valuations and
distributions, and the projects with their money (`projects.py`); the approver approves. Only investors and
the accounts themselves, which no service writes, are saved here directly.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portfolio import notifications
from portfolio.models import (
    CapitalCall,
    CapitalCallPayment,
    Commitment,
    Disbursement,
    Distribution,
    DistributionItem,
    Fund,
    FxRate,
    Investor,
    Project,
    Receipt,
    Stage,
    Valuation,
)
from portfolio.money import quantize_money
from portfolio.roles import sync_fund_manager_group
from portfolio.services.capital_calls import capital_call_issue, capital_call_payment_record
from portfolio.services.common import Foreign
from portfolio.services.distributions import distribution_issue, distribution_pay
from portfolio.services.funds import commitment_record, fund_create
from portfolio.services.progress import progress_snapshots_refresh
from portfolio.services.recompute import progress_refresh_request

from .data import ACCOUNTS, DATA_START, DEMO_PASSWORD, DEMO_TODAY, FUNDS, FX_CURRENCY, FX_SOURCE
from .projects import Desk, project_close, project_ledger, project_open
from .specs import CallSpec, FundSpec

# --- building -------------------------------------------------------------------------------------------


def usd_rates(
    start: datetime.date = DATA_START, end: datetime.date = DEMO_TODAY
) -> dict[datetime.date, Decimal]:
    """A plausible KZT/USD series, one rate a calendar day, the same on every run.

    Integer tiyn arithmetic and a seeded generator keep it free of float and of the clock: a slow swing
    between about 475 and 515 (the target), mean reversion towards it, and a little daily noise.
    """
    rng = random.Random(2026)
    rates = {}
    tiyn = 50500
    for offset in range((end - start).days + 1):
        phase = offset % 360
        target = 47500 + 4000 * min(phase, 360 - phase) // 180
        tiyn += (target - tiyn) // 40 + rng.randint(-120, 120)
        tiyn = max(45200, min(52800, tiyn))
        rates[start + datetime.timedelta(days=offset)] = Decimal(tiyn) / 100
    return rates


def _save(obj):
    # Investors have no write service; they pass the validation the admin applies all the same.
    obj.full_clean()
    obj.save()
    return obj


class _Builder:
    def __init__(self):
        self.users = {}
        self.rates = {}

    def usd(self, date: datetime.date, original: Decimal) -> tuple[Decimal, Foreign]:
        """The KZT amount of a USD record at the rate of its date, and the record of that conversion."""
        rate = self.rates[date]
        return quantize_money(original * rate), Foreign(FX_CURRENCY, original, rate, date)

    def fx_rates(self) -> None:
        FxRate.objects.bulk_create(
            [
                FxRate(currency=FX_CURRENCY, date=date, rate=rate, source=FX_SOURCE)
                for date, rate in usd_rates().items()
            ],
            ignore_conflicts=True,
        )
        # A rate already in the table (say, a real one an admin entered) wins; records must use that one.
        self.rates = dict(
            FxRate.objects.filter(currency=FX_CURRENCY, date__range=(DATA_START, DEMO_TODAY)).values_list(
                "date", "rate"
            )
        )

    def accounts(self) -> None:
        User = get_user_model()
        for account in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=account.username,
                defaults={
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "email": f"{account.username}@tolqyn.example",
                    "is_staff": account.is_staff,
                    "is_superuser": account.is_superuser,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            elif account.is_superuser and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            self.users[account.username] = user
        group = sync_fund_manager_group()
        group.user_set.add(self.users["manager"], self.users["approver"])

    def fund(self, spec: FundSpec) -> Fund:
        managers = [self.users[name] for name in spec.managers]
        fund = Fund.objects.filter(slug=spec.slug).first()
        if fund is None:
            fund = fund_create(
                user=self.users["admin"],
                slug=spec.slug,
                name=spec.name,
                target_size=spec.target_size,
                managers=managers,
                legal_form=spec.legal_form,
                project_band_min=spec.band[0],
                project_band_max=spec.band[1],
                investment_period_start=spec.period[0],
                investment_period_end=spec.period[1],
                concentration_cap_pct=spec.concentration_cap_pct,
                status=spec.status,
            )
        fund.managers.add(*managers)
        # The ledger is written once, whole: paid money records are permanent and are never "fixed" by a
        # second run. A project is opened once too; its money goes with the ledger.
        write_ledger = not self.ledger_exists(fund)
        if write_ledger:
            # One stale mark from the first date of the data covers every record written below, so the fund
            # is recomputed once after the commit rather than once for each earlier-dated record.
            progress_refresh_request(fund_id=fund.pk, since=DATA_START)
        manager = self.users["manager"]
        investors = {}
        for item in spec.investors:
            investor = Investor.objects.filter(name=item.name).first() or _save(
                Investor(name=item.name, kind=item.kind, country=item.country, email=item.email)
            )
            investor.users.add(*(self.users[name] for name in item.users))
            if not Commitment.objects.filter(investor=investor, fund=fund).exists():
                commitment_record(
                    user=manager, fund=fund, investor=investor, amount=item.commitment, date=item.date
                )
            investors[item.name] = investor
        desk = Desk(
            manager=manager,
            approver=self.users["approver"],
            usd=self.usd,
            reference=_References(spec.code).next,
        )
        if write_ledger:
            for call in spec.calls:
                self.call(fund, call, investors, desk)
        for project_spec in spec.projects:
            project = Project.objects.filter(fund=fund, slug=project_spec.slug).first()
            opened = project is None
            if opened:
                project = project_open(fund, project_spec, desk)
            if write_ledger:
                project_ledger(project, project_spec, desk)
            if opened:
                project_close(project, project_spec, desk)
        if write_ledger:
            for item in spec.distributions:
                distribution = distribution_issue(
                    user=manager,
                    fund=fund,
                    date=item.date,
                    amount=item.amount,
                    kind=item.kind,
                    note=item.note,
                    number=item.number,
                )
                distribution_pay(user=manager, distribution=distribution)
        return fund

    @staticmethod
    def ledger_exists(fund: Fund) -> bool:
        return (
            CapitalCall.objects.filter(fund=fund).exists()
            or Distribution.objects.filter(fund=fund).exists()
            or Disbursement.objects.filter(project__fund=fund).exists()
            or Receipt.objects.filter(project__fund=fund).exists()
            or Valuation.objects.filter(project__fund=fund).exists()
        )

    @staticmethod
    def call(fund: Fund, spec: CallSpec, investors: dict, desk: Desk) -> None:
        """Issue the call pro rata (the service splits it) and record each investor's payments in parts."""
        call = capital_call_issue(
            user=desk.manager,
            fund=fund,
            call_date=spec.call_date,
            due_date=spec.due_date,
            amount=spec.amount,
            purpose=spec.purpose,
            note=spec.note,
            number=spec.number,
        )
        items = {item.investor_id: item for item in call.items.all()}
        for name, parts in spec.payments.items():
            item = items[investors[name].pk]
            paid = Decimal("0.00")
            for part in parts:
                foreign = None
                if part.usd is not None:
                    amount, foreign = desk.usd(part.date, part.usd)
                elif part.share is not None:
                    amount = quantize_money(item.amount * part.share)
                else:
                    amount = item.amount - paid
                capital_call_payment_record(
                    user=desk.manager,
                    item=item,
                    amount=amount,
                    date=part.date,
                    bank_reference=desk.reference("IN", part.date),
                    foreign=foreign,
                )
                paid += amount


class _References:
    """Bank references of the demo payments, numbered in the order they are written."""

    def __init__(self, code: str):
        self.code = code
        self.count = 0

    def next(self, kind: str, date: datetime.date) -> str:
        self.count += 1
        return f"{self.code}-{kind}-{date:%Y%m%d}-{self.count:03d}"


def _total(queryset, field: str = "amount") -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or Decimal("0.00")


def fund_figures(fund: Fund) -> dict[str, Decimal]:
    """The headline money figures of a fund today, for the summary (the real metrics live in snapshots)."""
    paid = Disbursement.objects.filter(project__fund=fund, status=Disbursement.Status.PAID)
    allocated = _total(fund.projects.exclude(stage=Stage.ABANDONED), "commitment") + _total(
        paid.filter(project__stage=Stage.ABANDONED)
    )
    distributed = DistributionItem.objects.filter(
        distribution__fund=fund, distribution__status=Distribution.Status.PAID
    )
    return {
        "target_size": fund.target_size,
        "committed_capital": _total(fund.commitments.all()),
        "allocated": allocated,
        "disbursed": _total(paid),
        "paid_in": _total(CapitalCallPayment.objects.filter(item__capital_call__fund=fund)),
        "distributed": _total(distributed),
        "receipts": _total(Receipt.objects.filter(project__fund=fund)),
    }


def seed_demo(stdout=None) -> dict:
    """Create (or complete) the demo data set in one transaction and return a summary of it."""
    builder = _Builder()
    # The demo is a history import: nobody needs mail about requests decided months ago.
    with notifications.muted(), transaction.atomic():
        builder.fx_rates()
        builder.accounts()
        funds = [builder.fund(spec) for spec in FUNDS]
        snapshots = _history_snapshots(funds)
    summary = {
        "funds": {
            fund.slug: {
                "projects": fund.projects.count(),
                "investors": fund.commitments.count(),
                **fund_figures(fund),
            }
            for fund in funds
        },
        "fx_rates": FxRate.objects.filter(currency=FX_CURRENCY, date__range=(DATA_START, DEMO_TODAY)).count(),
        "accounts": [account.username for account in ACCOUNTS],
        "password": DEMO_PASSWORD,
        "snapshots_added": snapshots,
    }
    if stdout is not None:
        for line in summary_lines(summary):
            stdout.write(line)
    return summary


def _month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days, day = [], start
    while day <= end:
        following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        month_end = following - datetime.timedelta(days=1)
        if month_end <= end:
            days.append(month_end)
        day = following
    return [*days, end]


def _history_snapshots(funds: list[Fund]) -> int:
    """Month-end progress snapshots from each fund's start to the demo's today, so the history has a
    series to show. Only missing dates are computed: a second seed adds none."""
    added = 0
    for fund in funds:
        wanted = _month_ends(fund.investment_period_start, DEMO_TODAY)
        existing = set(fund.progress_snapshots.filter(as_of__in=wanted).values_list("as_of", flat=True))
        for day in wanted:
            if day not in existing:
                progress_snapshots_refresh(fund_ids=[fund.pk], as_of=day)
                added += 1
    return added


def summary_lines(summary: dict) -> list[str]:
    lines = []
    for slug, figures in summary["funds"].items():
        lines.append(
            _(
                "%(slug)s: projects %(projects)s, investors %(investors)s; committed %(committed)s, "
                "allocated %(allocated)s, disbursed %(disbursed)s, paid-in %(paid_in)s, "
                "distributed %(distributed)s KZT."
            )
            % {
                "slug": slug,
                "projects": figures["projects"],
                "investors": figures["investors"],
                "committed": f"{figures['committed_capital']:,.2f}",
                "allocated": f"{figures['allocated']:,.2f}",
                "disbursed": f"{figures['disbursed']:,.2f}",
                "paid_in": f"{figures['paid_in']:,.2f}",
                "distributed": f"{figures['distributed']:,.2f}",
            }
        )
    lines.append(
        _("%(count)s daily %(currency)s rates from %(start)s to %(end)s.")
        % {"count": summary["fx_rates"], "currency": FX_CURRENCY, "start": DATA_START, "end": DEMO_TODAY}
    )
    lines.append(
        _("Accounts: %(accounts)s; password for new accounts: %(password)s")
        % {"accounts": ", ".join(summary["accounts"]), "password": summary["password"]}
    )
    return lines
