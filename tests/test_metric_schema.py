"""One metric schema drives every reader: a metric added to portfolio/metrics/schema.py and missing from
the engine, the API (snapshot, live, history), its OpenAPI description, the command or the capital accounts
table fails here."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from portfolio.metrics import compute_fund_progress, schema
from portfolio.models import CapitalAccount
from portfolio.services.progress import progress_snapshot_refresh
from tests.factories import (
    CapitalCallFactory,
    CapitalCallItemFactory,
    CapitalCallPaymentFactory,
    CommitmentFactory,
    DisbursementFactory,
    DistributionFactory,
    DistributionItemFactory,
    InvestorFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 3, 31)
FUND_NAMES = schema.names(schema.FUND_METRICS)
INVESTOR_NAMES = schema.names(schema.INVESTOR_METRICS)


@pytest.fixture
def stocked(fund, manager):
    """Two investors who paid a call and got a distribution, and a project with a paid disbursement."""
    call = CapitalCallFactory(fund=fund, amount=Decimal("100000000.00"), call_date=datetime.date(2025, 3, 1))
    distribution = DistributionFactory(fund=fund, number=1, date=datetime.date(2026, 1, 10))
    for name, amount in (("Altyn Dala Capital", "60000000.00"), ("Qazaq Media Holding", "40000000.00")):
        investor = InvestorFactory(name=name)
        CommitmentFactory(fund=fund, investor=investor, amount=Decimal(amount) * 10)
        item = CapitalCallItemFactory(capital_call=call, investor=investor, amount=Decimal(amount))
        CapitalCallPaymentFactory(item=item, amount=Decimal(amount), date=datetime.date(2025, 3, 10))
        DistributionItemFactory(distribution=distribution, investor=investor, amount=Decimal(amount) / 10)
    distribution.status = distribution.Status.PAID
    distribution.save()
    project = ProjectFactory(fund=fund, title="Дала әні", approval_date=datetime.date(2025, 3, 15))
    DisbursementFactory(
        project=project,
        paid=True,
        paid_date=datetime.date(2025, 4, 1),
        amount=Decimal("30000000.00"),
        requested_by=UserFactory(),
        approved_by=UserFactory(),
    )
    return fund


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_engine_computes_every_metric_of_the_schema_and_nothing_else(stocked):
    metrics = compute_fund_progress(stocked, AS_OF)
    assert list(metrics) == ["fund", "as_of", "currency", *FUND_NAMES, "projects"]
    assert set(schema.CONTEXT_KEYS) <= set(metrics)


def test_the_capital_accounts_table_has_a_column_for_every_investor_metric():
    columns = {field.name for field in CapitalAccount._meta.get_fields()}
    assert set(INVESTOR_NAMES) <= columns


@pytest.mark.parametrize("live", ["false", "true"])
def test_the_progress_api_carries_every_metric_of_the_schema(stocked, manager, live):
    progress_snapshot_refresh(fund_id=stocked.pk, as_of=AS_OF)
    body = _api(manager).get(f"/api/v1/funds/tolqyn/progress/?as_of={AS_OF}&live={live}").json()
    assert body["source"] == ("live" if live == "true" else "snapshot")
    metrics = body["metrics"]
    assert list(metrics) == ["fund", "as_of", "currency", *FUND_NAMES, "projects", "investors"]
    assert len(metrics["investors"]) == 2
    for account in metrics["investors"]:
        assert list(account) == ["investor_id", "investor", *INVESTOR_NAMES]
        # Ratios are plain decimals on both paths ("0.6", never "0.6000000000" or "0E-10").
        for name in schema.names(schema.INVESTOR_METRICS, schema.RATIO):
            assert account[name] is None or account[name] == str(Decimal(account[name]).normalize()), name


def test_the_history_carries_every_series_metric_of_the_schema(stocked, manager):
    progress_snapshot_refresh(fund_id=stocked.pk, as_of=AS_OF)
    point = _api(manager).get("/api/v1/funds/tolqyn/progress/history/").json()["results"][0]
    assert list(point) == ["as_of", "computed_at", *schema.names(schema.SERIES)]
    stored = stocked.progress_snapshots.get(as_of=AS_OF).metrics
    for metric in schema.SERIES:
        assert point[metric.name] == stored[metric.name], metric.name


def test_the_command_prints_every_metric_of_the_schema(stocked):
    out = StringIO()
    call_command("fund_progress", "tolqyn", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert list(body) == ["fund", "as_of", "currency", *FUND_NAMES, "projects", "investors"]
    assert [list(account)[2:] for account in body["investors"]] == [INVESTOR_NAMES] * 2

    out = StringIO()
    call_command("fund_progress", "tolqyn", "--as-of", AS_OF.isoformat(), stdout=out)
    printed = {line.split()[0] for line in out.getvalue().splitlines()[1:] if line.strip()}
    assert set(FUND_NAMES) <= printed


def _component(api_schema, name):
    return api_schema["components"]["schemas"][name]


def test_the_openapi_schema_describes_every_metric_with_its_unit(client):
    api_schema = json.loads(client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="ru").content)
    with translation.override("en"):
        for component, metrics in (
            ("FundMetrics", schema.FUND_METRICS),
            ("CapitalAccount", schema.INVESTOR_METRICS),
            ("ProgressPoint", schema.SERIES),
        ):
            properties = _component(api_schema, component)["properties"]
            for metric in metrics:
                description = properties[metric.name].get("description", "")
                # English whatever the request's language, and the unit said.
                assert description.startswith(str(metric.description)), (component, metric.name)
                assert "Unit:" in description or metric.kind in (schema.LIST, schema.STAGES), metric.name
    progress = api_schema["paths"]["/api/v1/funds/{slug}/progress/"]["get"]["responses"]["200"]
    ref = progress["content"]["application/json"]["schema"]["$ref"]
    metrics = _component(api_schema, ref.rsplit("/", 1)[-1])["properties"]["metrics"]
    assert "#/components/schemas/FundMetrics" in json.dumps(metrics)
