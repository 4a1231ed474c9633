"""Turning the demo data into validated records, idempotently, in one transaction."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import (
    CapitalCall,
    CapitalCallItem,
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
    Tranche,
    TrancheCondition,
    Valuation,
)
from portfolio.money import quantize_money
from portfolio.roles import sync_fund_manager_group
from portfolio.services.progress import progress_snapshots_refresh
from portfolio.services.projects import project_create, project_stage_change

from .data import ACCOUNTS, CONDITIONS, DATA_START, DEMO_PASSWORD, DEMO_TODAY, FUNDS, FX_CURRENCY, FX_SOURCE
from .specs import DistributionSpec, FundSpec, ProjectSpec, Reverse

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


def split_pro_rata(total: Decimal, weights: dict) -> dict:
    """Split `total` in proportion to `weights`, each part rounded half-up to 0.01; the rounding remainder
    goes to the largest weight so the parts add up to the total exactly."""
    whole = sum(weights.values())
    parts = {key: quantize_money(total * weight / whole) for key, weight in weights.items()}
    largest = max(weights, key=lambda key: weights[key])
    parts[largest] += total - sum(parts.values())
    return parts


def _save(obj):
    # Every demo row passes the validation the admin applies: the demo never shows data a form would refuse.
    obj.full_clean()
    obj.save()
    return obj


def _at(date: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


class _Builder:
    def __init__(self):
        self.users = {}
        self.rates = {}

    def usd(self, date: datetime.date, original: Decimal) -> dict:
        rate = self.rates[date]
        return {
            "amount": quantize_money(original * rate),
            "original_currency": FX_CURRENCY,
            "original_amount": original,
            "fx_rate": rate,
            "fx_rate_date": date,
        }

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
        fund = Fund.objects.filter(slug=spec.slug).first()
        if fund is None:
            fund = _save(
                Fund(
                    slug=spec.slug,
                    name=spec.name,
                    legal_form=spec.legal_form,
                    target_size=spec.target_size,
                    project_band_min=spec.band[0],
                    project_band_max=spec.band[1],
                    investment_period_start=spec.period[0],
                    investment_period_end=spec.period[1],
                    concentration_cap_pct=spec.concentration_cap_pct,
                    status=spec.status,
                )
            )
        fund.managers.add(*(self.users[name] for name in spec.managers))
        investors = {}
        for item in spec.investors:
            investor = Investor.objects.filter(name=item.name).first() or _save(
                Investor(name=item.name, kind=item.kind, country=item.country, email=item.email)
            )
            investor.users.add(*(self.users[name] for name in item.users))
            if not Commitment.objects.filter(investor=investor, fund=fund).exists():
                _save(Commitment(investor=investor, fund=fund, amount=item.commitment, date=item.date))
            investors[item.name] = investor
        projects = {project.slug: self.project(fund, project) for project in spec.projects}
        if not self.ledger_exists(fund):
            self.ledger(fund, spec, investors, projects)
        return fund

    def project(self, fund: Fund, spec: ProjectSpec) -> Project:
        project = Project.objects.filter(fund=fund, slug=spec.slug).first()
        if project is not None:
            return project
        project = project_create(
            user=self.users["manager"],
            fund=fund,
            slug=spec.slug,
            title=spec.title,
            original_title=spec.original_title,
            format=spec.format,
            genre=spec.genre,
            language=spec.language,
            director=spec.director,
            producer=spec.producer,
            production_company=spec.production_company,
            total_budget=spec.total_budget,
            commitment=spec.commitment,
            instrument=spec.instrument,
            approval_date=spec.approval_date,
            expected_release=spec.expected_release,
            stage=spec.stages[0][0],
        )
        for stage, date in spec.stages[1:]:
            note = spec.stage_note if stage == Stage.ABANDONED else ""
            project_stage_change(
                project=project, stage=stage, date=date, user=self.users["manager"], note=note
            )
        amounts = [quantize_money(spec.commitment * tranche.sixths / 6) for tranche in spec.tranches]
        amounts[-1] = spec.commitment - sum(amounts[:-1])  # the schedule adds up to the commitment exactly
        abandoned_on = dict(spec.stages).get(Stage.ABANDONED)
        for tranche, amount in zip(spec.tranches, amounts, strict=True):
            by_date = isinstance(tranche.on, datetime.date)
            cancelled = tranche.status == Tranche.Status.CANCELLED
            saved = _save(
                Tranche(
                    project=project,
                    number=tranche.number,
                    amount=amount,
                    planned_date=tranche.planned_date,
                    trigger=Tranche.Trigger.DATE if by_date else Tranche.Trigger.STAGE,
                    trigger_date=tranche.on if by_date else None,
                    trigger_stage="" if by_date else tranche.on,
                    status=tranche.status,
                    cancelled_on=abandoned_on if cancelled else None,
                    cancel_reason=spec.stage_note if cancelled else "",
                )
            )
            # Conditions are met on the day the trigger fires for every tranche that has become due.
            met_on = (
                None
                if tranche.status in (Tranche.Status.PLANNED, Tranche.Status.CANCELLED)
                else (tranche.on if by_date else next(d for s, d in spec.stages if s == tranche.on))
            )
            for position, text in enumerate(CONDITIONS[tranche.number], start=1):
                TrancheCondition.objects.create(
                    tranche=saved,
                    position=position,
                    text=text,
                    met_on=met_on,
                    met_by=self.users["manager"] if met_on else None,
                    met_recorded_at=_at(met_on) if met_on else None,
                )
        return project

    @staticmethod
    def ledger_exists(fund: Fund) -> bool:
        return (
            CapitalCall.objects.filter(fund=fund).exists()
            or Distribution.objects.filter(fund=fund).exists()
            or Disbursement.objects.filter(project__fund=fund).exists()
            or Receipt.objects.filter(project__fund=fund).exists()
            or Valuation.objects.filter(project__fund=fund).exists()
        )

    def ledger(self, fund: Fund, spec: FundSpec, investors: dict, projects: dict) -> None:
        commitments = dict(Commitment.objects.filter(fund=fund).values_list("investor_id", "amount"))
        by_id = {investor.pk: name for name, investor in investors.items()}
        references = _References(spec.code)
        for call_spec in spec.calls:
            call = _save(
                CapitalCall(
                    fund=fund,
                    number=call_spec.number,
                    call_date=call_spec.call_date,
                    due_date=call_spec.due_date,
                    purpose=call_spec.purpose,
                    amount=call_spec.amount,
                    note=call_spec.note,
                )
            )
            for investor_id, amount in split_pro_rata(call_spec.amount, commitments).items():
                item = _save(CapitalCallItem(capital_call=call, investor_id=investor_id, amount=amount))
                paid = Decimal("0.00")
                for part in call_spec.payments.get(by_id.get(investor_id), ()):
                    if part.usd is not None:
                        money = self.usd(part.date, part.usd)
                    elif part.share is not None:
                        money = {"amount": quantize_money(amount * part.share)}
                    else:
                        money = {"amount": amount - paid}
                    payment = CapitalCallPayment(
                        item=item, date=part.date, bank_reference=references.next("IN", part.date), **money
                    )
                    paid += _save(payment).amount
        for project_spec in spec.projects:
            self.project_ledger(projects[project_spec.slug], project_spec, references)
        for dist_spec in spec.distributions:
            self.distribution(fund, dist_spec, commitments)

    def project_ledger(self, project: Project, spec: ProjectSpec, references: "_References") -> None:
        manager, approver = self.users["manager"], self.users["approver"]
        tranches = {tranche.number: tranche for tranche in project.tranches.all()}
        paid_on = {number: Decimal("0.00") for number in tranches}
        previous = None
        for entry in spec.disbursements:
            if isinstance(entry, Reverse):
                amount = -(entry.amount if entry.amount is not None else previous.amount)
                previous = _save(
                    Disbursement(
                        project=project,
                        tranche=previous.tranche,
                        amount=amount,
                        status=Disbursement.Status.PAID,
                        requested_by=manager,
                        requested_at=_at(entry.date - datetime.timedelta(days=1)),
                        approved_by=approver,
                        approved_at=_at(entry.date, 9),
                        paid_date=entry.date,
                        bank_reference=references.next("RET", entry.date),
                        reverses=previous,
                        note=entry.note,
                    )
                )
                paid_on[previous.tranche.number] += amount
                continue
            tranche = tranches[entry.tranche]
            if entry.usd is not None:
                money = self.usd(entry.date, entry.usd)
            elif entry.rest:
                money = {"amount": tranche.amount - paid_on[tranche.number]}
            else:
                money = {"amount": tranche.amount}
            is_paid = entry.status == Disbursement.Status.PAID
            is_rejected = entry.status == Disbursement.Status.REJECTED
            is_requested = entry.status == Disbursement.Status.REQUESTED or is_rejected
            # Four eyes: the manager asks, the approver approves days later, the bank pays the day after.
            requested_on = entry.date - datetime.timedelta(
                days=1 if is_rejected else 0 if is_requested else 3
            )
            approved_on = entry.date - datetime.timedelta(days=1 if is_paid else 0)
            previous = _save(
                Disbursement(
                    project=project,
                    tranche=tranche,
                    status=entry.status,
                    requested_by=manager,
                    requested_at=_at(requested_on),
                    approved_by=None if is_requested else approver,
                    approved_at=None if is_requested else _at(approved_on),
                    rejected_by=approver if is_rejected else None,
                    rejected_at=_at(entry.date) if is_rejected else None,
                    rejection_reason=entry.note if is_rejected else "",
                    paid_date=entry.date if is_paid else None,
                    bank_reference=references.next("OUT", entry.date) if is_paid else "",
                    note="" if is_rejected else entry.note,
                    **money,
                )
            )
            if is_paid:
                paid_on[tranche.number] += previous.amount
        for receipt in spec.receipts:
            money = (
                self.usd(receipt.date, receipt.usd) if receipt.usd is not None else {"amount": receipt.amount}
            )
            _save(
                Receipt(project=project, date=receipt.date, source=receipt.source, note=receipt.note, **money)
            )
        for date, amount, note in spec.valuations:
            _save(
                Valuation(
                    project=project, date=date, amount=amount, note=note, recorded_by=self.users["manager"]
                )
            )

    @staticmethod
    def distribution(fund: Fund, spec: DistributionSpec, commitments: dict) -> None:
        distribution = _save(
            Distribution(fund=fund, number=spec.number, date=spec.date, kind=spec.kind, note=spec.note)
        )
        # Items go in while the distribution is still planned: the database refuses new items of a paid one.
        for investor_id, amount in split_pro_rata(spec.amount, commitments).items():
            _save(DistributionItem(distribution=distribution, investor_id=investor_id, amount=amount))
        distribution.status = Distribution.Status.PAID
        distribution.full_clean()
        distribution.save(update_fields=["status"])


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
    with transaction.atomic():
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
