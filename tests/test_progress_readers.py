"""Every reader shows the same figures: the fund list, the fund page, the API and the command, on the
seeded demo. None of them sums the ledger; all read the stored snapshot (the command computes it live)."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portfolio.models import Fund
from portfolio.money import format_money
from portfolio.services.progress import progress_snapshots_refresh
from tests import demo_seed

pytestmark = pytest.mark.django_db


seeded = demo_seed.seeded  # the fixture: one demo for the whole module


@pytest.fixture(scope="module")
def computed(seeded, django_db_blocker):
    """The demo seeded once for the module, with today's snapshots, as the recompute after the seed's
    commit (or the nightly job) would write them; rolled back with the seed when the module ends."""
    with django_db_blocker.unblock():
        progress_snapshots_refresh(
            fund_ids=Fund.objects.values_list("pk", flat=True), as_of=timezone.localdate()
        )


def _row(body: str, slug: str) -> str:
    """The fund's card on the fund list."""
    match = re.search(rf'<li [^>]*data-fund="{slug}">(.*?)</li>', body, re.S)
    assert match, f"no card for {slug}"
    return match.group(1)


def _figure(body: str, name: str) -> str:
    """The value a page shows for a metric (`data-metric` names it on the list and on the fund page)."""
    match = re.search(rf'data-metric="{name}">(.*?)</(?:dd|div)>', body, re.S)
    assert match, f"no figure {name}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_list_page_api_and_command_agree_on_the_demo(client, computed):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    api = APIClient()
    api.force_authenticate(admin)

    for fund in Fund.objects.all():
        from_api = api.get(f"/api/v1/funds/{fund.slug}/progress/").json()["metrics"]
        out = StringIO()
        call_command("fund_progress", fund.slug, "--json", stdout=out)
        live = json.loads(out.getvalue())
        for name in ("committed_capital", "projects_active", "disbursed", "nav", "tvpi"):
            assert from_api[name] == live[name], (fund.slug, name)

        committed = format_money(from_api["committed_capital"])
        row = _row(client.get(reverse("fund-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode(), fund.slug)
        assert _figure(row, "committed_capital").strip() == committed
        assert _figure(row, "projects_active").split()[0] == str(from_api["projects_active"])

        page = client.get(
            reverse("fund-detail", args=[fund.slug]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        card = re.search(r'data-metric="committed_capital">.*?class="figure-value">(.*?)</span>', page, re.S)
        assert card and card.group(1) == committed, fund.slug


def test_a_project_approved_in_the_future_counts_nowhere_yet(client, computed):
    """The list once counted every project not abandoned, the API only those approved by today."""
    from tests.factories import ProjectFactory

    fund = Fund.objects.get(slug="tolqyn")
    before = fund.progress_snapshots.get(as_of=timezone.localdate()).metrics["projects_active"]
    ProjectFactory(fund=fund, approval_date=timezone.localdate().replace(year=timezone.localdate().year + 1))
    progress_snapshots_refresh(fund_ids=[fund.pk], as_of=timezone.localdate())

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    row = _row(client.get(reverse("fund-list")).content.decode(), "tolqyn")
    assert _figure(row, "projects_active").split()[0] == str(before)
