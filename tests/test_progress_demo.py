"""`manage.py fund_progress` on the demo data: every metric, consistent with each other, on several dates.

The demo is seeded once for the module (`tests/demo_seed.py`); each test runs in a savepoint within it."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from portfolio import demo
from portfolio.models import Disbursement
from tests import demo_seed
from tests.test_progress_commands import (
    CONTEXT_KEYS,
    DOMAIN_METRICS,
    MONEY_KEYS,
    M,
    assert_consistent,
    fund_progress_json,
)

pytestmark = pytest.mark.django_db

seeded = demo_seed.seeded  # the fixture: one demo for the whole module


@pytest.mark.parametrize("as_of", [None, demo.DEMO_TODAY.isoformat(), "2025-06-30"])
def test_demo_fund_reports_every_metric_consistently(seeded, as_of):
    metrics = fund_progress_json("tolqyn", *(["--as-of", as_of] if as_of else []))
    assert set(metrics) == set(DOMAIN_METRICS) | set(CONTEXT_KEYS)
    for key in MONEY_KEYS:
        assert type(metrics[key]) is str, key
    assert Decimal(metrics["committed_capital"]) > 0
    assert Decimal(metrics["disbursed"]) > 0
    assert_consistent(metrics)


def test_demo_table_prints_without_error(seeded):
    out = StringIO()
    call_command("fund_progress", "tolqyn", "--as-of", demo.DEMO_TODAY.isoformat(), stdout=out)
    assert "Tolqyn Film Fund OEIC Ltd." in out.getvalue()


def test_demo_reversal_is_netted_in_disbursed(seeded):
    # Guards assert_consistent on the demo: if the demo has reversals, they must be netted, not added.
    metrics = fund_progress_json("tolqyn", "--as-of", demo.DEMO_TODAY.isoformat())
    paid = Disbursement.objects.filter(
        project__fund__slug="tolqyn", status=Disbursement.Status.PAID, paid_date__lte=demo.DEMO_TODAY
    )
    assert Decimal(metrics["disbursed"]) == sum((row.amount for row in paid), M(0))
