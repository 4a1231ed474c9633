"""`manage.py fund_progress` and `manage.py backfill_snapshots`: every metric under its domain name, and
snapshots stored once per fund and day."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portfolio.metrics import schema
from portfolio.models import CapitalAccount, Distribution, ProgressSnapshot, Stage
from tests.factories import (
    CapitalCallFactory,
    CapitalCallItemFactory,
    CapitalCallPaymentFactory,
    CommitmentFactory,
    DisbursementFactory,
    DistributionFactory,
    DistributionItemFactory,
    FundFactory,
    InvestorFactory,
    ProjectFactory,
    ReceiptFactory,
    StageChangeFactory,
    TrancheFactory,
    UserFactory,
    ValuationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
M = Decimal

# The metric names of docs/domain.md, in its order.
DOMAIN_METRICS = [
    "target_size",
    "committed_capital",
    "fundraising_pct",
    "allocated",
    "disbursed",
    "undisbursed_allocations",
    "available_to_allocate",
    "paid_in",
    "unfunded",
    "distributed",
    "receipts",
    "nav",
    "allocation_pct",
    "deployment_pct",
    "deployment_pct_of_target",
    "projects_active",
    "projects_band",
    "period_elapsed_pct",
    "planned_disbursed",
    "pace_ratio",
    "projected_full_deployment",
    "cash_needed_next_90_days",
    "max_project_share",
    "concentration_breaches",
    "by_stage",
    "dpi",
    "rvpi",
    "tvpi",
    "net_irr",
]
CONTEXT_KEYS = ["fund", "as_of", "currency", "investors", "projects"]
# The kinds come from the schema; the names above are checked against it (and against domain.md).
MONEY_KEYS = schema.names(schema.FUND_METRICS, schema.MONEY)
RATIO_KEYS = schema.names(schema.FUND_METRICS, schema.RATIO)


def _no_floats(text):
    raise AssertionError(f"a number went out as a JSON float: {text}")


def fund_progress_json(slug: str, *args: str) -> dict:
    out = StringIO()
    call_command("fund_progress", slug, *args, "--json", stdout=out)
    # Money must never cross JSON as a float: any bare decimal number fails the test here.
    return json.loads(out.getvalue(), parse_float=_no_floats)


def assert_consistent(metrics: dict) -> None:
    """The relations of docs/domain.md between the figures, and between the totals and their rows."""
    money = {key: Decimal(metrics[key]) for key in MONEY_KEYS}
    assert money["undisbursed_allocations"] == money["allocated"] - money["disbursed"]
    assert money["available_to_allocate"] == money["committed_capital"] - money["allocated"]
    assert money["unfunded"] == money["committed_capital"] - money["paid_in"]
    if metrics["paid_in"] != "0.00":
        dpi, rvpi, tvpi = (Decimal(metrics[key]) for key in ("dpi", "rvpi", "tvpi"))
        assert abs(tvpi - (dpi + rvpi)) <= Decimal("1e-9")
    else:
        assert metrics["dpi"] is metrics["rvpi"] is metrics["tvpi"] is None
    by_stage = metrics["by_stage"].values()
    assert sum((Decimal(bucket["allocated"]) for bucket in by_stage), M(0)) == money["allocated"]
    assert sum((Decimal(bucket["disbursed"]) for bucket in by_stage), M(0)) == money["disbursed"]
    assert sum(bucket["projects"] for bucket in by_stage) == len(metrics["projects"])
    assert sum((Decimal(row["disbursed"]) for row in metrics["projects"]), M(0)) == money["disbursed"]
    assert sum((Decimal(row["allocated"]) for row in metrics["projects"]), M(0)) == money["allocated"]
    assert sum((Decimal(row["receipts"]) for row in metrics["projects"]), M(0)) == money["receipts"]
    investors = metrics["investors"]
    assert sum((Decimal(row["paid_in"]) for row in investors), M(0)) == money["paid_in"]
    assert sum((Decimal(row["commitment"]) for row in investors), M(0)) == money["committed_capital"]
    assert sum((Decimal(row["distributed"]) for row in investors), M(0)) == money["distributed"]
    active = [row for row in metrics["projects"] if row["stage"] != Stage.ABANDONED]
    assert metrics["projects_active"] == len(active)


@pytest.fixture
def fund():
    """A fund with every kind of record, some dated after 2026-06-30 or not yet paid (never counted).

    As of 2026-06-30: committed 1,000,000,000; paid in 260,000,000; allocated 300 + 200 + 40 (abandoned,
    only what it received) = 540,000,000; disbursed 150 + (80 − 30 reversed) + 40 = 240,000,000."""
    fund = FundFactory(name="Tolqyn Film Fund OEIC Ltd.", slug="tolqyn")
    first = InvestorFactory(name="Altyn Dala Capital")
    second = InvestorFactory(name="Qazaq Media Holding")
    CommitmentFactory(fund=fund, investor=first, amount=M("600000000.00"), date=D(2025, 1, 20))
    CommitmentFactory(fund=fund, investor=second, amount=M("400000000.00"), date=D(2025, 2, 3))

    call = CapitalCallFactory(fund=fund, number=1, call_date=D(2025, 3, 1), amount=M("200000000.00"))
    item = CapitalCallItemFactory(capital_call=call, investor=first, amount=M("120000000.00"))
    CapitalCallPaymentFactory(item=item, amount=M("120000000.00"), date=D(2025, 3, 10))
    item = CapitalCallItemFactory(capital_call=call, investor=second, amount=M("80000000.00"))
    CapitalCallPaymentFactory(item=item, amount=M("50000000.00"), date=D(2025, 3, 12))
    CapitalCallPaymentFactory(item=item, amount=M("30000000.00"), date=D(2025, 4, 1))
    call = CapitalCallFactory(
        fund=fund, number=2, call_date=D(2026, 2, 1), due_date=D(2026, 2, 16), amount=M("100000000.00")
    )
    item = CapitalCallItemFactory(capital_call=call, investor=first, amount=M("60000000.00"))
    CapitalCallPaymentFactory(item=item, amount=M("60000000.00"), date=D(2026, 2, 10))
    item = CapitalCallItemFactory(capital_call=call, investor=second, amount=M("40000000.00"))
    CapitalCallPaymentFactory(item=item, amount=M("40000000.00"), date=D(2026, 7, 10))  # after as_of

    requester, approver = UserFactory(), UserFactory()

    def paid(project, amount, day, **extra):
        return DisbursementFactory(
            project=project,
            amount=M(amount),
            paid=True,
            paid_date=day,
            requested_by=requester,
            approved_by=approver,
            **extra,
        )

    steppe = ProjectFactory(fund=fund, title="Степной ветер", commitment=M("300000000.00"))
    StageChangeFactory(project=steppe, stage=Stage.DEVELOPMENT, date=D(2025, 2, 1))
    StageChangeFactory(project=steppe, stage=Stage.PRODUCTION, date=D(2025, 8, 1))
    steppe.stage = Stage.PRODUCTION
    steppe.save()
    paid(steppe, "100000000.00", D(2025, 4, 1))
    paid(steppe, "50000000.00", D(2025, 9, 1))
    paid(steppe, "70000000.00", D(2026, 7, 15))  # after as_of
    DisbursementFactory(project=steppe, amount=M("20000000.00"), requested_by=requester)  # not paid
    TrancheFactory(project=steppe, number=3, amount=M("100000000.00"), planned_date=D(2026, 8, 15))
    ReceiptFactory(project=steppe, amount=M("20000000.00"), date=D(2026, 5, 1))
    ValuationFactory(project=steppe, amount=M("180000000.00"), date=D(2026, 3, 31))

    song = ProjectFactory(fund=fund, title="Дала әні", commitment=M("200000000.00"))
    original = paid(song, "80000000.00", D(2025, 5, 1))
    paid(song, "-30000000.00", D(2025, 6, 1), reverses=original)

    lost = ProjectFactory(fund=fund, title="Lost Film", commitment=M("150000000.00"), stage=Stage.ABANDONED)
    paid(lost, "40000000.00", D(2025, 5, 1))
    StageChangeFactory(project=lost, stage=Stage.DEVELOPMENT, date=D(2025, 2, 1))
    StageChangeFactory(project=lost, stage=Stage.ABANDONED, date=D(2025, 10, 1))

    distribution = DistributionFactory(fund=fund, number=1, date=D(2026, 6, 1))
    DistributionItemFactory(distribution=distribution, investor=first, amount=M("6000000.00"))
    DistributionItemFactory(distribution=distribution, investor=second, amount=M("4000000.00"))
    distribution.status = Distribution.Status.PAID
    distribution.save()
    planned = DistributionFactory(fund=fund, number=2, date=D(2026, 6, 15))  # planned: not counted
    DistributionItemFactory(distribution=planned, investor=first, amount=M("9000000.00"))
    return fund


# --- fund_progress --json -----------------------------------------------------------------------------


def test_json_has_exactly_the_domain_metrics_and_the_context(fund):
    metrics = fund_progress_json("tolqyn", "--as-of", "2026-06-30")
    assert set(metrics) == set(DOMAIN_METRICS) | set(CONTEXT_KEYS)
    assert (metrics["fund"], metrics["as_of"], metrics["currency"]) == ("tolqyn", "2026-06-30", "KZT")


def test_json_prints_one_object(fund):
    out = StringIO()
    call_command("fund_progress", "tolqyn", "--as-of", "2026-06-30", "--json", stdout=out)
    decoder = json.JSONDecoder()
    text = out.getvalue().strip()
    value, end = decoder.raw_decode(text)
    assert isinstance(value, dict)
    assert end == len(text), "something follows the JSON object"


def test_json_money_and_ratios_are_decimal_strings(fund):
    metrics = fund_progress_json("tolqyn", "--as-of", "2026-06-30")
    for key in MONEY_KEYS:
        assert type(metrics[key]) is str, key
        assert Decimal(metrics[key]) == Decimal(metrics[key]).quantize(M("0.01")), key
    for key in RATIO_KEYS:
        assert type(metrics[key]) is str, key
        Decimal(metrics[key])
    for row in metrics["investors"]:
        assert type(row["paid_in"]) is str and type(row["commitment"]) is str
    for row in metrics["projects"]:
        assert type(row["disbursed"]) is str and type(row["commitment"]) is str


def test_json_figures_are_the_ones_worked_out_by_hand(fund):
    metrics = fund_progress_json("tolqyn", "--as-of", "2026-06-30")
    assert metrics["committed_capital"] == "1000000000.00"
    assert metrics["paid_in"] == "260000000.00"
    assert metrics["unfunded"] == "740000000.00"
    assert metrics["allocated"] == "540000000.00"
    assert metrics["disbursed"] == "240000000.00"
    assert metrics["distributed"] == "10000000.00"
    assert metrics["receipts"] == "20000000.00"
    # Steppe at its valuation, the song at cost (50), the abandoned film at 0; cash 260 + 20 − 240 − 10.
    assert metrics["nav"] == "260000000.00"
    assert metrics["cash_needed_next_90_days"] == "100000000.00"
    assert metrics["projects_active"] == 2
    assert metrics["projects_band"] == {"min": 15, "max": 20, "status": "below"}
    assert metrics["by_stage"]["abandoned"] == {
        "projects": 1,
        "allocated": "40000000.00",
        "disbursed": "40000000.00",
    }
    assert metrics["dpi"] == str((M(10) / M(260)).quantize(M("1e-10")))
    assert metrics["net_irr"] is not None


def test_json_figures_hold_together(fund):
    assert_consistent(fund_progress_json("tolqyn", "--as-of", "2026-06-30"))


@pytest.mark.parametrize("as_of", ["2025-03-11", "2025-06-30", "2026-02-10", "2026-12-31", "2030-01-01"])
def test_json_figures_hold_together_on_any_date(fund, as_of):
    assert_consistent(fund_progress_json("tolqyn", "--as-of", as_of))


def test_json_before_the_fund_existed_is_the_zero_state(fund):
    metrics = fund_progress_json("tolqyn", "--as-of", "2024-12-31")
    assert metrics["committed_capital"] == "0.00"
    assert metrics["disbursed"] == "0.00"
    for key in ("dpi", "rvpi", "tvpi", "net_irr", "pace_ratio", "projected_full_deployment"):
        assert metrics[key] is None, key
    assert_consistent(metrics)


def test_json_investor_rows_carry_their_own_figures(fund):
    rows = {
        row["investor"]: row for row in fund_progress_json("tolqyn", "--as-of", "2026-06-30")["investors"]
    }
    assert rows["Altyn Dala Capital"]["paid_in"] == "180000000.00"
    assert rows["Qazaq Media Holding"]["paid_in"] == "80000000.00"
    assert rows["Qazaq Media Holding"]["unfunded"] == "320000000.00"


# --- fund_progress as a table --------------------------------------------------------------------------


def test_table_names_the_fund_and_every_metric(fund):
    out = StringIO()
    call_command("fund_progress", "tolqyn", "--as-of", "2026-06-30", stdout=out)
    text = out.getvalue()
    assert "Tolqyn Film Fund OEIC Ltd." in text
    labels = {line.split()[0] for line in text.splitlines() if line.strip()}
    missing = [name for name in DOMAIN_METRICS if name not in labels]
    assert missing == []


def test_table_without_a_date_uses_today(fund):
    out = StringIO()
    call_command("fund_progress", "tolqyn", stdout=out)
    assert timezone.localdate().isoformat() in out.getvalue().splitlines()[0]


def test_unknown_fund_is_a_command_error(fund):
    with pytest.raises(CommandError, match="no-such-fund"):
        call_command("fund_progress", "no-such-fund", "--json", stdout=StringIO())


@pytest.mark.parametrize("as_of", ["2026-13-01", "yesterday", "2026-02-30"])
def test_malformed_as_of_fails_with_a_message(fund, as_of):
    with pytest.raises((CommandError, SystemExit)) as failure:
        call_command("fund_progress", "tolqyn", "--as-of", as_of, "--json", stdout=StringIO())
    assert as_of in str(failure.value)
    assert "YYYY-MM-DD" in str(failure.value)


def test_a_date_at_the_end_of_the_calendar_fails_cleanly_or_answers(fund):
    try:
        fund_progress_json("tolqyn", "--as-of", "9999-12-31")
    except CommandError:
        pass


# --- backfill_snapshots --------------------------------------------------------------------------------


def backfill(*args: str) -> str:
    out = StringIO()
    call_command("backfill_snapshots", *args, stdout=out)
    return out.getvalue()


def test_backfill_stores_one_snapshot_per_day_of_the_period(fund):
    backfill("tolqyn", "--from", "2026-06-01", "--to", "2026-06-10")
    days = list(ProgressSnapshot.objects.filter(fund=fund).order_by("as_of").values_list("as_of", flat=True))
    assert days == [D(2026, 6, 1) + datetime.timedelta(days=n) for n in range(10)]


def test_backfill_of_a_single_day_stores_one_snapshot(fund):
    backfill("tolqyn", "--from", "2026-06-30", "--to", "2026-06-30")
    assert ProgressSnapshot.objects.filter(fund=fund).count() == 1


def test_backfilled_snapshot_holds_the_metrics_of_its_date(fund):
    backfill("tolqyn", "--from", "2026-06-30", "--to", "2026-06-30")
    stored = ProgressSnapshot.objects.get(fund=fund, as_of=D(2026, 6, 30)).metrics
    live = fund_progress_json("tolqyn", "--as-of", "2026-06-30")
    # The capital accounts live in their own table, written with the snapshot.
    investors = live.pop("investors")
    assert stored == live
    stored_accounts = CapitalAccount.objects.filter(fund=fund, as_of=D(2026, 6, 30)).order_by(
        "investor__name"
    )
    assert [(row.investor_id, str(row.paid_in)) for row in stored_accounts] == [
        (row["investor_id"], row["paid_in"]) for row in investors
    ]


def test_backfill_every_n_days(fund):
    backfill("tolqyn", "--from", "2026-06-01", "--to", "2026-06-30", "--every", "7")
    days = list(ProgressSnapshot.objects.filter(fund=fund).order_by("as_of").values_list("as_of", flat=True))
    assert days == [D(2026, 6, day) for day in (1, 8, 15, 22, 29)]


def test_backfill_run_twice_adds_nothing_and_overwrites(fund):
    backfill("tolqyn", "--from", "2026-06-01", "--to", "2026-06-10")
    before = ProgressSnapshot.objects.get(fund=fund, as_of=D(2026, 6, 10))
    assert before.metrics["committed_capital"] == "1000000000.00"
    CommitmentFactory(fund=fund, amount=M("250000000.00"), date=D(2026, 6, 5))

    backfill("tolqyn", "--from", "2026-06-01", "--to", "2026-06-10")

    assert ProgressSnapshot.objects.filter(fund=fund).count() == 10
    after = ProgressSnapshot.objects.get(fund=fund, as_of=D(2026, 6, 10))
    assert after.pk == before.pk
    assert after.metrics["committed_capital"] == "1250000000.00"
    assert after.computed_at >= before.computed_at
    assert ProgressSnapshot.objects.get(fund=fund, as_of=D(2026, 6, 4)).metrics["committed_capital"] == (
        "1000000000.00"
    )


def test_backfill_leaves_other_funds_alone(fund):
    other = FundFactory(slug="steppe-docs")
    backfill("tolqyn", "--from", "2026-06-01", "--to", "2026-06-03")
    assert not ProgressSnapshot.objects.filter(fund=other).exists()


def test_backfill_with_from_after_to_is_a_command_error(fund):
    with pytest.raises(CommandError, match="--from"):
        backfill("tolqyn", "--from", "2026-06-10", "--to", "2026-06-01")
    assert not ProgressSnapshot.objects.exists()


def test_backfill_of_an_unknown_fund_is_a_command_error(fund):
    with pytest.raises(CommandError, match="no-such-fund"):
        backfill("no-such-fund", "--from", "2026-06-01", "--to", "2026-06-10")


def test_backfill_with_a_malformed_date_fails_with_a_message(fund):
    with pytest.raises((CommandError, SystemExit)) as failure:
        backfill("tolqyn", "--from", "2026-06-31", "--to", "2026-07-01")
    assert "2026-06-31" in str(failure.value)


def test_backfill_needs_a_start_date(fund):
    with pytest.raises((CommandError, SystemExit)):
        backfill("tolqyn", "--to", "2026-07-01")
