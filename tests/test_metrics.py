"""The metrics service against funds whose every figure is derived by hand."""

import datetime
from decimal import Decimal as D

import pytest

from portfolio.metrics import compute_fund_progress, compute_progress, xnpv
from portfolio.models import Distribution, Stage, Tranche
from tests import factories as f

pytestmark = pytest.mark.django_db

T = datetime.date(2026, 1, 1)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def accounts_of(fund, as_of):
    return compute_progress([fund], [as_of])[(fund.pk, as_of)].accounts


@pytest.fixture
def golden():
    """A small fund, as of 2026-01-01, with records on both sides of that date.

    Fund: target 1,000,000; band 2–3; period 2025-01-01 → 2027-01-01 (730 days, so 365/730 = 0.5 elapsed);
    cap 50%.
    Commitments: A 600,000 and B 200,000 (2025-01-10); C 100,000 dated 2026-06-01 is after t, not counted.
      committed_capital = 800,000; fundraising_pct = 0.8.
    Capital call 1: items A 450,000, B 150,000. Payments: A 450,000 (2025-02-15), B 100,000 (2025-02-20),
      B 50,000 (2026-03-01, after t). paid_in = 550,000; unfunded = 250,000.
    P1 "Steppe" 400,000 committed, approved 2025-01-15; development then production (2025-06-01); released
      on 2026-02-01 (after t) so it is in production as of t. Tranches: T1 200,000 (2025-02-01, paid),
      T2 100,000 (2026-02-15, planned), T3 100,000 (2026-06-01, beyond 90 days). Disbursements: D1 200,000
      paid 2025-02-20 on T1; D2 50,000 paid 2025-12-01 on T2; reversal −10,000 of D2 paid 2025-12-15;
      D3 30,000 only requested. Net disbursed 240,000. Valuation 300,000 on 2025-12-31 (999 on 2026-03-31
      is after t).
    P2 "Lost" 100,000 committed, approved 2025-03-01, abandoned 2025-09-01; received 30,000 (2025-04-01);
      no valuation → carried at 0; its tranche T4 (2026-02-01) needs no cash any more.
    P3 "Home" 200,000 committed, approved 2025-05-01, released 2025-11-01; received 200,000 (2025-06-01);
      receipts 50,000 (2025-12-01) and 20,000 (2026-02-01, after t); no valuation → carried at cost.
    P4 approved 2026-02-01: after t, absent.
    Distribution 1 (paid, 2025-12-20): A 30,000, B 10,000 → distributed 40,000. Distribution 2 is only
      planned, not counted.

    allocated = 400,000 + 30,000 (abandoned: what it got) + 200,000 = 630,000
    disbursed = 240,000 + 30,000 + 200,000 = 470,000; undisbursed_allocations = 160,000
    available_to_allocate = 800,000 − 630,000 = 170,000
    receipts = 50,000; carrying values = 300,000 + 0 + 200,000 = 500,000
    fund cash = 550,000 + 50,000 − 470,000 − 40,000 = 90,000; nav = 590,000
    allocation_pct = 0.7875; deployment_pct = 0.5875; deployment_pct_of_target = 0.47
    projects_active = 2 (within 2–3); planned_disbursed = 400,000; pace_ratio = 1.175
    projected_full_deployment = 2025-01-01 + 365 × 800,000 / 470,000 days (621.28 → 621) = 2026-09-14
    cash_needed_next_90_days = T2 only: 100,000 − (50,000 − 10,000) = 60,000
    max_project_share = 0.4, no breach of the 500,000 cap
    dpi = 40,000/550,000; rvpi = 590,000/550,000; tvpi = 630,000/550,000
    investor A: nav share = 590,000 × 450/550 = 482,727.27; B: 590,000 × 100/550 = 107,272.73
    """
    fund = f.FundFactory(
        target_size=D("1000000.00"),
        project_band_min=2,
        project_band_max=3,
        investment_period_start=day("2025-01-01"),
        investment_period_end=day("2027-01-01"),
        concentration_cap_pct=D("50.00"),
    )
    a = f.InvestorFactory(name="A")
    b = f.InvestorFactory(name="B")
    c = f.InvestorFactory(name="C")
    f.CommitmentFactory(fund=fund, investor=a, amount=D("600000.00"), date=day("2025-01-10"))
    f.CommitmentFactory(fund=fund, investor=b, amount=D("200000.00"), date=day("2025-01-10"))
    f.CommitmentFactory(fund=fund, investor=c, amount=D("100000.00"), date=day("2026-06-01"))

    call = f.CapitalCallFactory(fund=fund, amount=D("600000.00"), call_date=day("2025-02-01"))
    item_a = f.CapitalCallItemFactory(capital_call=call, investor=a, amount=D("450000.00"))
    item_b = f.CapitalCallItemFactory(capital_call=call, investor=b, amount=D("150000.00"))
    f.CapitalCallPaymentFactory(item=item_a, amount=D("450000.00"), date=day("2025-02-15"))
    f.CapitalCallPaymentFactory(item=item_b, amount=D("100000.00"), date=day("2025-02-20"))
    f.CapitalCallPaymentFactory(item=item_b, amount=D("50000.00"), date=day("2026-03-01"))

    p1 = f.ProjectFactory(
        fund=fund,
        slug="steppe",
        title="Steppe",
        commitment=D("400000.00"),
        total_budget=D("1000000.00"),
        approval_date=day("2025-01-15"),
        stage=Stage.RELEASED,
    )
    for stage, when in [
        ("development", "2025-01-15"),
        ("production", "2025-06-01"),
        ("released", "2026-02-01"),
    ]:
        f.StageChangeFactory(project=p1, stage=stage, date=day(when))
    t1 = f.TrancheFactory(
        project=p1,
        number=1,
        amount=D("200000.00"),
        planned_date=day("2025-02-01"),
        status=Tranche.Status.PAID,
    )
    t2 = f.TrancheFactory(project=p1, number=2, amount=D("100000.00"), planned_date=day("2026-02-15"))
    f.TrancheFactory(project=p1, number=3, amount=D("100000.00"), planned_date=day("2026-06-01"))
    f.DisbursementFactory(
        project=p1, tranche=t1, paid=True, amount=D("200000.00"), paid_date=day("2025-02-20")
    )
    d2 = f.DisbursementFactory(
        project=p1, tranche=t2, paid=True, amount=D("50000.00"), paid_date=day("2025-12-01")
    )
    f.DisbursementFactory(
        project=p1, tranche=t2, paid=True, amount=D("-10000.00"), reverses=d2, paid_date=day("2025-12-15")
    )
    f.DisbursementFactory(project=p1, amount=D("30000.00"))
    f.ValuationFactory(project=p1, date=day("2025-12-31"), amount=D("300000.00"))
    f.ValuationFactory(project=p1, date=day("2026-03-31"), amount=D("999.00"))

    p2 = f.ProjectFactory(
        fund=fund,
        slug="lost",
        title="Lost",
        commitment=D("100000.00"),
        approval_date=day("2025-03-01"),
        stage=Stage.ABANDONED,
    )
    f.StageChangeFactory(project=p2, stage="development", date=day("2025-03-01"))
    f.StageChangeFactory(project=p2, stage="abandoned", date=day("2025-09-01"))
    f.DisbursementFactory(project=p2, paid=True, amount=D("30000.00"), paid_date=day("2025-04-01"))
    f.TrancheFactory(project=p2, number=1, amount=D("50000.00"), planned_date=day("2026-02-01"))

    p3 = f.ProjectFactory(
        fund=fund,
        slug="home",
        title="Home",
        commitment=D("200000.00"),
        approval_date=day("2025-05-01"),
        stage=Stage.RELEASED,
    )
    f.StageChangeFactory(project=p3, stage="development", date=day("2025-05-01"))
    f.StageChangeFactory(project=p3, stage="released", date=day("2025-11-01"))
    f.DisbursementFactory(project=p3, paid=True, amount=D("200000.00"), paid_date=day("2025-06-01"))
    f.ReceiptFactory(project=p3, amount=D("50000.00"), date=day("2025-12-01"))
    f.ReceiptFactory(project=p3, amount=D("20000.00"), date=day("2026-02-01"))

    f.ProjectFactory(fund=fund, slug="later", commitment=D("100000.00"), approval_date=day("2026-02-01"))

    paid = f.DistributionFactory(fund=fund, date=day("2025-12-20"), status=Distribution.Status.PLANNED)
    f.DistributionItemFactory(distribution=paid, investor=a, amount=D("30000.00"))
    f.DistributionItemFactory(distribution=paid, investor=b, amount=D("10000.00"))
    paid.status = Distribution.Status.PAID
    paid.save()
    planned = f.DistributionFactory(fund=fund, date=day("2025-12-25"), status=Distribution.Status.PLANNED)
    f.DistributionItemFactory(distribution=planned, investor=a, amount=D("5000.00"))
    return fund


def test_golden_fund_level_figures(golden):
    m = compute_fund_progress(golden, T)
    expected = {
        "target_size": D("1000000.00"),
        "committed_capital": D("800000.00"),
        "fundraising_pct": D("0.8"),
        "allocated": D("630000.00"),
        "disbursed": D("470000.00"),
        "undisbursed_allocations": D("160000.00"),
        "available_to_allocate": D("170000.00"),
        "paid_in": D("550000.00"),
        "unfunded": D("250000.00"),
        "distributed": D("40000.00"),
        "receipts": D("50000.00"),
        "nav": D("590000.00"),
        "allocation_pct": D("0.7875"),
        "deployment_pct": D("0.5875"),
        "deployment_pct_of_target": D("0.47"),
        "projects_active": 2,
        "projects_band": {"min": 2, "max": 3, "status": "within"},
        "period_elapsed_pct": D("0.5"),
        "planned_disbursed": D("400000.00"),
        "pace_ratio": D("1.175"),
        "projected_full_deployment": day("2026-09-14"),
        "cash_needed_next_90_days": D("60000.00"),
        "max_project_share": D("0.4"),
        "concentration_breaches": [],
    }
    for key, value in expected.items():
        assert m[key] == value, key


def test_golden_multiples_are_ratios_of_unrounded_sums(golden):
    m = compute_fund_progress(golden, T)
    assert m["dpi"] == (D(40000) / D(550000)).quantize(D("1e-10"))
    assert m["rvpi"] == (D(590000) / D(550000)).quantize(D("1e-10"))
    assert m["tvpi"] == (D(630000) / D(550000)).quantize(D("1e-10"))


def test_golden_net_irr_zeroes_the_npv_of_the_investor_flows(golden):
    m = compute_fund_progress(golden, T)
    flows = [
        (day("2025-02-15"), D("-450000")),
        (day("2025-02-20"), D("-100000")),
        (day("2025-12-20"), D("40000")),
        (T, D("590000")),
    ]
    assert m["net_irr"] is not None
    assert abs(xnpv(m["net_irr"], flows)) < D("0.01")
    # 550,000 in for ~10.5 months returning 630,000: a little under 17% a year.
    assert D("0.16") < m["net_irr"] < D("0.18")


def test_golden_by_stage(golden):
    by_stage = compute_fund_progress(golden, T)["by_stage"]
    assert by_stage["production"] == {"projects": 1, "allocated": D("400000.00"), "disbursed": D("240000.00")}
    assert by_stage["released"] == {"projects": 1, "allocated": D("200000.00"), "disbursed": D("200000.00")}
    assert by_stage["abandoned"] == {"projects": 1, "allocated": D("30000.00"), "disbursed": D("30000.00")}
    for stage in ("development", "pre_production", "post_production", "delivery"):
        assert by_stage[stage] == {"projects": 0, "allocated": D("0.00"), "disbursed": D("0.00")}


def test_golden_per_investor(golden):
    investors = {row["investor"]: row for row in accounts_of(golden, T)}
    assert set(investors) == {"A", "B"}
    a, b = investors["A"], investors["B"]
    assert (a["commitment"], a["paid_in"], a["unfunded"], a["distributed"]) == (
        D("600000.00"),
        D("450000.00"),
        D("150000.00"),
        D("30000.00"),
    )
    assert (b["commitment"], b["paid_in"], b["unfunded"], b["distributed"]) == (
        D("200000.00"),
        D("100000.00"),
        D("100000.00"),
        D("10000.00"),
    )
    assert a["nav_share"] == D("482727.27")
    assert b["nav_share"] == D("107272.73")
    assert a["dpi"] == (D(30000) / D(450000)).quantize(D("1e-10"))
    assert b["tvpi"] == ((D(10000) + D(590000) * 100 / 550) / D(100000)).quantize(D("1e-10"))
    assert a["net_irr"] is not None and b["net_irr"] is not None


def test_golden_per_project(golden):
    projects = {row["slug"]: row for row in compute_fund_progress(golden, T)["projects"]}
    assert set(projects) == {"steppe", "lost", "home"}
    steppe = projects["steppe"]
    assert steppe["stage"] == "production"
    assert steppe["disbursed"] == D("240000.00")
    assert steppe["disbursed_pct"] == D("0.6")
    assert steppe["carrying_value"] == D("300000.00")
    assert steppe["gross_moic"] == D("1.25")
    assert steppe["next_tranche"]["number"] == 2
    assert steppe["next_tranche"]["amount"] == D("100000.00")
    assert steppe["next_tranche"]["planned_date"] == day("2026-02-15")
    home = projects["home"]
    assert (home["receipts"], home["carrying_value"], home["gross_moic"]) == (
        D("50000.00"),
        D("200000.00"),
        D("1.25"),
    )
    lost = projects["lost"]
    assert (lost["allocated"], lost["carrying_value"], lost["gross_moic"]) == (
        D("30000.00"),
        D("0.00"),
        D("0"),
    )


def test_records_after_the_date_change_nothing_until_their_date(golden):
    later = compute_fund_progress(golden, day("2026-06-30"))
    assert later["committed_capital"] == D("900000.00")
    assert later["paid_in"] == D("600000.00")
    assert later["receipts"] == D("70000.00")
    assert later["projects_active"] == 3
    assert {row["slug"]: row["stage"] for row in later["projects"]}["steppe"] == "released"


def test_before_the_fund_existed_everything_is_zero_or_null():
    fund = f.FundFactory()
    f.CommitmentFactory(fund=fund, date=day("2025-06-01"))
    m = compute_fund_progress(fund, day("2020-01-01"))
    for key in ("committed_capital", "allocated", "disbursed", "paid_in", "distributed", "receipts", "nav"):
        assert m[key] == D("0.00"), key
    for key in (
        "allocation_pct",
        "deployment_pct",
        "pace_ratio",
        "projected_full_deployment",
        "dpi",
        "rvpi",
        "tvpi",
        "net_irr",
        "max_project_share",
    ):
        assert m[key] is None, key
    assert m["fundraising_pct"] == D("0")
    assert m["period_elapsed_pct"] == D("0")
    assert m["projects_band"]["status"] == "below"
    assert accounts_of(fund, day("2020-01-01")) == [] and m["projects"] == []


def test_a_project_above_the_concentration_cap_is_a_breach():
    fund = f.FundFactory(target_size=D("1000000.00"), concentration_cap_pct=D("15.00"))
    f.ProjectFactory(fund=fund, slug="big", commitment=D("150000.01"), total_budget=D("900000.00"))
    f.ProjectFactory(fund=fund, slug="fine", commitment=D("150000.00"), total_budget=D("900000.00"))
    m = compute_fund_progress(fund, T)
    assert [breach["slug"] for breach in m["concentration_breaches"]] == ["big"]
    assert m["max_project_share"] == D("0.15000001")


def test_domain_reference_multiples_dpi_rvpi_tvpi():
    """Paid-in 100, distributed 50, NAV 150 (carried 150, cash 100 − 50 − 50 = 0) → 0.5, 1.5, 2.0."""
    fund = f.FundFactory()
    investor = f.InvestorFactory()
    f.CommitmentFactory(fund=fund, investor=investor, amount=D("100.00"))
    item = f.CapitalCallItemFactory(capital_call__fund=fund, investor=investor, amount=D("100.00"))
    f.CapitalCallPaymentFactory(item=item, amount=D("100.00"), date=day("2025-03-10"))
    project = f.ProjectFactory(fund=fund, commitment=D("100.00"), total_budget=D("100.00"))
    f.DisbursementFactory(project=project, paid=True, amount=D("50.00"), paid_date=day("2025-04-01"))
    f.ValuationFactory(project=project, amount=D("150.00"), date=day("2025-06-30"))
    distribution = f.DistributionFactory(fund=fund, date=day("2025-07-01"))
    f.DistributionItemFactory(distribution=distribution, investor=investor, amount=D("50.00"))
    Distribution.objects.filter(pk=distribution.pk).update(status=Distribution.Status.PAID)
    m = compute_fund_progress(fund, day("2025-12-31"))
    assert (m["paid_in"], m["distributed"], m["nav"]) == (D("100.00"), D("50.00"), D("150.00"))
    assert (m["dpi"], m["rvpi"], m["tvpi"]) == (D("0.5"), D("1.5"), D("2.0"))


def test_domain_reference_paid_in_ratio():
    """Calls of 30,000,000 and 18,000,000 against a 50,000,000 commitment → paid-in ratio 0.96."""
    fund = f.FundFactory()
    investor = f.InvestorFactory()
    f.CommitmentFactory(fund=fund, investor=investor, amount=D("50000000.00"))
    for number, amount in [(1, "30000000.00"), (2, "18000000.00")]:
        item = f.CapitalCallItemFactory(
            capital_call__fund=fund, capital_call__number=number, investor=investor, amount=D(amount)
        )
        f.CapitalCallPaymentFactory(item=item, amount=D(amount), date=day("2025-04-01"))
    m = compute_fund_progress(fund, day("2025-12-31"))
    assert m["paid_in"] / m["committed_capital"] == D("0.96")
    assert m["unfunded"] == D("2000000.00")


def test_many_dates_in_one_computation_equal_each_date_alone(golden):
    dates = [day("2025-03-01"), T, day("2026-02-15"), day("2026-06-30")]
    together = compute_progress([golden], dates)
    for as_of in dates:
        assert together[(golden.pk, as_of)].metrics == compute_fund_progress(golden, as_of), as_of
        assert together[(golden.pk, as_of)].accounts == accounts_of(golden, as_of), as_of


def test_the_snapshot_carries_no_investor_rows(golden):
    assert "investors" not in compute_fund_progress(golden, T)


def test_a_zero_ratio_is_a_plain_zero_never_an_exponent():
    """Nothing disbursed yet against a committed fund: deployment 0, written "0" (not "0E-10")."""
    fund = f.FundFactory()
    f.CommitmentFactory(fund=fund, date=day("2025-01-10"))
    m = compute_fund_progress(fund, T)
    assert m["deployment_pct"] == 0
    assert str(m["deployment_pct"]) == "0"
    assert str(m["fundraising_pct"]) == str(D("500000000") / D("5500000000"))[:12]


def test_projected_full_deployment_drops_the_fractional_day():
    """Start 2025-01-01, t = 2025-01-11 (10 days), committed 1,000, disbursed 375: 10 × 1000/375 = 26.67 days
    → 2025-01-27 (rounding would give the 28th)."""
    fund = f.FundFactory(investment_period_start=day("2025-01-01"))
    f.CommitmentFactory(fund=fund, amount=D("1000.00"), date=day("2025-01-01"))
    project = f.ProjectFactory(
        fund=fund, commitment=D("1000.00"), total_budget=D("1000.00"), approval_date=day("2025-01-01")
    )
    f.DisbursementFactory(project=project, paid=True, amount=D("375.00"), paid_date=day("2025-01-05"))
    assert compute_fund_progress(fund, day("2025-01-11"))["projected_full_deployment"] == day("2025-01-27")


def test_nav_share_rounds_half_up_through_the_money_module():
    """NAV 2.01 (the project at 1.01, cash 2 − 1) over paid-in 1 + 1: shares of 1.005 each, which half-up
    makes 1.01 (half-even would make 1.00)."""
    fund = f.FundFactory()
    for name in ("A", "B"):
        investor = f.InvestorFactory(name=name)
        f.CommitmentFactory(fund=fund, investor=investor, amount=D("10.00"), date=day("2025-01-10"))
        item = f.CapitalCallItemFactory(capital_call__fund=fund, investor=investor, amount=D("1.00"))
        f.CapitalCallPaymentFactory(item=item, amount=D("1.00"), date=day("2025-03-10"))
    project = f.ProjectFactory(fund=fund, commitment=D("1.00"), total_budget=D("1.00"))
    f.DisbursementFactory(project=project, paid=True, amount=D("1.00"), paid_date=day("2025-04-01"))
    f.ValuationFactory(project=project, amount=D("1.01"), date=day("2025-06-30"))
    assert compute_fund_progress(fund, T)["nav"] == D("2.01")
    assert [row["nav_share"] for row in accounts_of(fund, T)] == [D("1.01"), D("1.01")]
