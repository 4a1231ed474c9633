"""`manage.py seed_demo`: the documented demo data, valid, consistent, and the same after a second run.

The demo is built once for this module (`tests/demo_seed.py`), and each test runs in a savepoint within the
transaction that holds it, so a test that changes something leaves the next one the same demo. What the
command does on an empty database is in tests/test_seed_demo_command.py.
"""

import datetime
import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pytest
from django.contrib.auth import get_user_model
from django.db import models as db_models
from django.http import HttpRequest

from portfolio import demo
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
    ProjectCommitmentChange,
    Receipt,
    Stage,
    StageChange,
    Tranche,
    TrancheCondition,
    Valuation,
)
from portfolio.money import quantize_money
from portfolio.roles import FUND_MANAGERS_GROUP
from tests import demo_seed
from tests.demo_seed import net_paid, seed_command, seeded_models, table_state, total

pytestmark = pytest.mark.django_db

seeded = demo_seed.seeded  # the fixture: one demo for the whole module

TODAY = demo.DEMO_TODAY


@pytest.fixture
def tolqyn(seeded):
    return Fund.objects.get(slug="tolqyn")


# --- running it --------------------------------------------------------------------------------------------


def test_seeding_twice_leaves_every_row_count_and_every_money_sum_unchanged(seeded):
    counts, sums = table_state()

    seed_command()

    assert table_state() == (counts, sums)
    assert counts["portfolio.Disbursement"] > 0 and counts["portfolio.FxRate"] > 0


def test_the_summary_names_the_funds_the_figures_and_the_accounts(seeded):
    assert "tolqyn" in seeded and "steppe-docs" in seeded
    assert "4,600,000,000.00" in seeded
    assert demo.DEMO_PASSWORD in seeded and "outsider" in seeded


# --- accounts ----------------------------------------------------------------------------------------------


def test_the_five_demo_accounts_exist_and_log_in_with_the_demo_password(seeded, client):
    for username in ("admin", "manager", "approver", "investor", "outsider"):
        # Axes wants the request it guards; the test client does not pass one by itself.
        assert client.login(request=HttpRequest(), username=username, password=demo.DEMO_PASSWORD), username
        client.logout()


def test_admin_is_a_superuser_and_the_managers_are_not_staff(seeded, tolqyn):
    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for username in ("manager", "approver"):
        user = users.get(username=username)
        assert not user.is_staff and not user.is_superuser
        assert user.groups.filter(name=FUND_MANAGERS_GROUP).exists()
        assert tolqyn.managers.filter(pk=user.pk).exists()
    assert not users.get(username="investor").groups.exists()


def test_the_investor_account_is_a_portal_user_of_a_tolqyn_investor(seeded, tolqyn):
    investors = Investor.objects.filter(users__username="investor")
    assert investors.count() == 1
    assert Commitment.objects.filter(fund=tolqyn, investor=investors.get()).exists()


def test_the_outsider_is_linked_only_to_the_second_funds_only_investor(seeded):
    steppe = Fund.objects.get(slug="steppe-docs")
    investor = Investor.objects.get(users__username="outsider")
    assert list(Investor.objects.filter(users__username="outsider")) == [investor]
    assert list(steppe.commitments.values_list("investor__name", flat=True)) == ["Outsider Capital"]
    assert investor.name == "Outsider Capital"
    assert list(investor.commitments.values_list("fund__slug", flat=True)) == ["steppe-docs"]


def test_a_second_run_leaves_a_changed_password_alone(seeded):
    user = get_user_model().objects.get(username="manager")
    user.set_password("a-password-the-manager-chose")
    user.save()

    seed_command()

    user.refresh_from_db()
    assert user.check_password("a-password-the-manager-chose")


# --- written through the services --------------------------------------------------------------------------

# Every money and status record: the manager writes them all but the funds (the admin sets those up).
WRITTEN = (Commitment, Project, StageChange, ProjectCommitmentChange, Tranche, TrancheCondition, CapitalCall)
WRITTEN += (
    CapitalCallItem,
    CapitalCallPayment,
    Disbursement,
    Receipt,
    Valuation,
    Distribution,
    DistributionItem,
)


def _who(history) -> set[str]:
    return set(history.values_list("history_user__username", flat=True))


def test_every_money_and_status_record_was_written_by_the_demo_user_who_acts(seeded):
    for model, users in [(Fund, {"admin"}), *((model, {"manager"}) for model in WRITTEN)]:
        created = model.history.filter(history_type="+")
        assert created.count() == model.objects.count() > 0, model.__name__
        assert _who(created) == users, model.__name__
    changes = Disbursement.history.filter(history_type="~")
    assert _who(changes.filter(status__in=["approved", "rejected"])) == {"approver"}
    assert _who(changes.filter(status="paid")) == {"manager"}
    assert ProjectCommitmentChange.objects.exclude(reason="").exists()  # changed after approval, with why


# --- the documented figures --------------------------------------------------------------------------------


def test_tolqyn_has_the_documented_size_band_cap_and_period(tolqyn):
    assert tolqyn.name == "Tolqyn Film Fund OEIC Ltd."
    assert tolqyn.target_size == Decimal("5500000000.00")
    assert (tolqyn.project_band_min, tolqyn.project_band_max) == (15, 20)
    assert tolqyn.concentration_cap_pct == Decimal("15.00")
    assert tolqyn.status == Fund.Status.INVESTING
    assert tolqyn.investment_period_start < TODAY < tolqyn.investment_period_end
    assert tolqyn.investment_period_end.year - tolqyn.investment_period_start.year == 3


def test_tolqyn_has_about_twelve_projects_covering_every_stage_with_one_abandoned(tolqyn):
    projects = tolqyn.projects.all()
    assert 11 <= projects.count() <= 13
    assert set(projects.values_list("stage", flat=True)) == set(Stage.values)
    assert projects.filter(stage=Stage.ABANDONED).count() == 1
    assert set(projects.values_list("format", flat=True)) == set(Project.Format.values)
    assert set(projects.values_list("instrument", flat=True)) == set(Project.Instrument.values)
    assert {"kk", "ru", "en"} <= set(projects.values_list("language", flat=True))
    assert all(project.original_title for project in projects)


def test_each_projects_stage_history_runs_from_development_to_its_current_stage(seeded):
    for project in Project.objects.all():
        history = list(project.stage_changes.order_by("date", "id"))
        assert history[0].stage == Stage.DEVELOPMENT and history[0].date == project.approval_date
        assert history[-1].stage == project.stage
        assert [change.date for change in history] == sorted(change.date for change in history)
        assert history[-1].date <= TODAY


def test_project_commitments_respect_the_cap_the_budget_and_the_fund_commitments(seeded):
    for fund in Fund.objects.all():
        projects = fund.projects.all()
        for project in projects:
            assert project.commitment <= fund.concentration_cap_amount
            assert project.commitment <= project.total_budget
            assert total(project.tranches.all()) == project.commitment
            assert net_paid(project.disbursements.all()) <= project.commitment
        allocated = total(projects.exclude(stage=Stage.ABANDONED), "commitment") + net_paid(
            Disbursement.objects.filter(project__fund=fund, project__stage=Stage.ABANDONED)
        )
        assert allocated <= total(fund.commitments.all())


def test_tranche_statuses_agree_with_what_was_paid_against_them(seeded):
    for tranche in Tranche.objects.select_related("project"):
        paid = net_paid(tranche.disbursements.all())
        if tranche.status == Tranche.Status.PAID:
            assert paid == tranche.amount, tranche
        else:
            assert paid == 0, tranche
        if tranche.status == Tranche.Status.CANCELLED:
            assert tranche.project.stage == Stage.ABANDONED


def test_tranches_wait_until_their_trigger_and_are_cancelled_only_on_the_abandoned_project(seeded):
    order = [stage for stage in Stage.values if stage != Stage.ABANDONED]
    for tranche in Tranche.objects.select_related("project"):
        project = tranche.project
        if project.stage == Stage.ABANDONED:
            assert tranche.status in (Tranche.Status.PAID, Tranche.Status.CANCELLED), tranche
            continue
        if tranche.trigger == Tranche.Trigger.DATE:
            triggered = tranche.trigger_date <= TODAY
        else:
            triggered = order.index(project.stage) >= order.index(tranche.trigger_stage)
        assert (tranche.status == Tranche.Status.PLANNED) == (not triggered), tranche


def test_disbursements_pass_four_eyes_and_paid_ones_carry_a_bank_reference(tolqyn):
    disbursements = Disbursement.objects.filter(project__fund=tolqyn)
    assert set(disbursements.values_list("status", flat=True)) == set(Disbursement.Status.values)
    for disbursement in disbursements:
        assert disbursement.requested_by.username == "manager"
        if disbursement.status == Disbursement.Status.REJECTED:
            assert disbursement.rejected_by.username == "approver" and disbursement.rejection_reason
        elif disbursement.status != Disbursement.Status.REQUESTED and disbursement.reverses_id is None:
            assert disbursement.approved_by.username == "approver"
        if disbursement.status == Disbursement.Status.PAID:
            assert disbursement.bank_reference and disbursement.paid_date <= TODAY
    references = list(
        Disbursement.objects.exclude(bank_reference="").values_list("bank_reference", flat=True)
    )
    assert len(references) == len(set(references))


def test_there_is_exactly_one_reversal_of_a_paid_disbursement(tolqyn):
    reversal = Disbursement.objects.get(reverses__isnull=False)
    assert reversal.amount < 0 and reversal.status == Disbursement.Status.PAID
    assert reversal.reverses.status == Disbursement.Status.PAID
    assert -reversal.amount <= reversal.reverses.amount
    assert reversal.project == reversal.reverses.project
    assert reversal.paid_date >= reversal.reverses.paid_date


def test_tolqyn_has_at_least_six_investors_committing_a_realistic_part_of_target(tolqyn):
    commitments = tolqyn.commitments.select_related("investor")
    assert commitments.count() >= 6
    assert {c.investor.kind for c in commitments} == set(Investor.Kind.values)
    assert Decimal("4200000000") <= total(commitments) <= Decimal("5000000000")


def test_capital_call_items_are_pro_rata_to_commitments_and_add_up_to_the_call(tolqyn):
    commitments = dict(tolqyn.commitments.values_list("investor_id", "amount"))
    committed = sum(commitments.values())
    for call in tolqyn.capital_calls.all():
        items = dict(call.items.values_list("investor_id", "amount"))
        assert sum(items.values()) == call.amount
        assert items.keys() == commitments.keys()
        # domain.md: each exact share cut to the cent; the cents left over go to the largest remainders.
        exact = {
            key: Fraction(call.amount) * 100 * Fraction(commitments[key]) / Fraction(committed)
            for key in items
        }
        extra = {key: int(items[key] * 100) - math.floor(exact[key]) for key in items}
        assert set(extra.values()) <= {0, 1}
        topped = [exact[key] - math.floor(exact[key]) for key in items if extra[key]]
        others = [exact[key] - math.floor(exact[key]) for key in items if not extra[key]]
        assert not topped or not others or min(topped) >= max(others)
        assert (call.due_date - call.call_date).days >= 14  # 10 business days at least


def test_the_first_call_is_fully_paid_and_the_second_only_in_part(tolqyn):
    first, second = tolqyn.capital_calls.order_by("number")
    assert list(tolqyn.capital_calls.values_list("number", flat=True)) == [1, 2]

    def paid(item):
        return total(item.payments.all())

    assert all(paid(item) == item.amount for item in first.items.all())
    second_paid = {item.investor.name: (paid(item), item.amount) for item in second.items.all()}
    assert any(done == amount for done, amount in second_paid.values())
    assert any(done == 0 for done, _amount in second_paid.values())
    assert any(0 < done < amount for done, amount in second_paid.values())
    assert (
        second.items.filter(payments__isnull=False)
        .annotate(n=db_models.Count("payments"))
        .filter(n__gt=1)
        .exists()
    )
    for payment in CapitalCallPayment.objects.select_related("item__capital_call"):
        assert payment.item.capital_call.call_date <= payment.date <= TODAY


def test_one_paid_distribution_is_split_pro_rata_to_commitments(tolqyn):
    distribution = tolqyn.distributions.get()
    assert distribution.status == Distribution.Status.PAID
    items = dict(distribution.items.values_list("investor_id", "amount"))
    assert items.keys() == set(tolqyn.commitments.values_list("investor_id", flat=True))
    assert sum(items.values()) == Decimal("150000000.00")


def test_released_projects_have_receipts_and_some_projects_quarterly_valuations(tolqyn):
    for project in tolqyn.projects.filter(stage=Stage.RELEASED):
        sources = set(project.receipts.values_list("source", flat=True))
        assert {Receipt.Source.BOX_OFFICE, Receipt.Source.STREAMING, Receipt.Source.TV} <= sources
    valued = Valuation.objects.filter(project__fund=tolqyn).values("project").distinct().count()
    assert valued >= 3
    assert Valuation.objects.filter(project__fund=tolqyn, date__gt=TODAY).count() == 0


def test_fund_cash_never_goes_negative(seeded):
    for fund in Fund.objects.all():
        flows = defaultdict(Decimal)
        for date, amount in CapitalCallPayment.objects.filter(item__capital_call__fund=fund).values_list(
            "date", "amount"
        ):
            flows[date] += amount
        for date, amount in Receipt.objects.filter(project__fund=fund).values_list("date", "amount"):
            flows[date] += amount
        for date, amount in Disbursement.objects.filter(
            project__fund=fund, status=Disbursement.Status.PAID
        ).values_list("paid_date", "amount"):
            flows[date] -= amount
        for date, amount in DistributionItem.objects.filter(
            distribution__fund=fund, distribution__status=Distribution.Status.PAID
        ).values_list("distribution__date", "amount"):
            flows[date] -= amount
        cash = Decimal("0.00")
        for date in sorted(flows):
            cash += flows[date]
            assert cash >= 0, (fund.slug, date, cash)
        assert max(flows) <= TODAY


def test_there_is_an_fx_rate_for_every_day_from_the_first_record_to_today(seeded):
    dates = [
        *Commitment.objects.values_list("date", flat=True),
        *StageChange.objects.values_list("date", flat=True),
        *CapitalCall.objects.values_list("call_date", flat=True),
        *CapitalCallPayment.objects.values_list("date", flat=True),
        *Receipt.objects.values_list("date", flat=True),
        *Valuation.objects.values_list("date", flat=True),
        *Distribution.objects.values_list("date", flat=True),
        *Disbursement.objects.exclude(paid_date=None).values_list("paid_date", flat=True),
    ]
    first = min(dates)
    rates = FxRate.objects.filter(currency="USD", source="NBK", date__range=(first, TODAY))

    assert first == demo.DATA_START
    assert rates.count() == (TODAY - first).days + 1
    assert FxRate.objects.count() == rates.count()
    assert Decimal("450") <= total(rates, "rate") / rates.count() <= Decimal("530")
    assert all(Decimal("450") <= rate <= Decimal("530") for rate in rates.values_list("rate", flat=True))


def test_usd_records_use_the_rate_of_their_date(seeded):
    foreign = []
    for model in (Commitment, CapitalCallPayment, Disbursement, Receipt, DistributionItem):
        foreign += list(model.objects.exclude(original_currency=""))
    assert len(foreign) >= 2
    for record in foreign:
        assert record.original_currency == "USD"
        assert record.fx_rate == FxRate.objects.get(currency="USD", date=record.fx_rate_date).rate
        assert record.amount == quantize_money(record.original_amount * record.fx_rate)


def test_every_seeded_object_passes_full_clean(seeded):
    for model in seeded_models():
        for obj in model._default_manager.all():
            obj.full_clean()


def test_the_second_fund_is_smaller_with_two_or_three_projects(seeded):
    steppe = Fund.objects.get(slug="steppe-docs")
    assert steppe.name == "Steppe Documentary Fund"
    assert steppe.target_size == Decimal("800000000.00")
    assert 2 <= steppe.projects.count() <= 3


def test_the_demo_has_month_end_snapshots_for_the_history_and_a_second_seed_adds_none(seeded, tolqyn):
    dates = list(tolqyn.progress_snapshots.order_by("as_of").values_list("as_of", flat=True))
    assert dates[0] == datetime.date(2025, 3, 31)
    assert dates[-1] == demo.DEMO_TODAY
    assert len(dates) == 21  # March 2025 to October 2026, and the demo's today
    first, last = (
        tolqyn.progress_snapshots.get(as_of=dates[0]),
        tolqyn.progress_snapshots.get(as_of=dates[-1]),
    )
    assert Decimal(first.metrics["disbursed"]) < Decimal(last.metrics["disbursed"])
    assert demo.seed_demo()["snapshots_added"] == 0
