"""The demo through the workspace's money pages: every page of Tolqyn's ledger opens for `manager` (USD
disbursements, a reversal, a partly paid call, a distribution), and `approver` pays one of the demo's approved
disbursements and approves a requested one through the pages alone."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from portfolio.models import CapitalCall, Disbursement, Distribution, Fund
from tests import demo_seed

pytestmark = pytest.mark.django_db
seeded = demo_seed.seeded

Status = Disbursement.Status


@pytest.fixture
def tolqyn(seeded):
    return Fund.objects.get(slug="tolqyn")


def user(name):
    return get_user_model().objects.get(username=name)


def token(body: str, form_id: str) -> str:
    # The token of one form on a page with several: the first one after that form's action.
    return re.search(rf'{form_id}/".*?name="once" value="([0-9a-f]{{32}})"', body, re.S).group(1)


def test_every_money_page_of_the_demo_opens_for_the_manager(client, tolqyn):
    client.force_login(user("manager"))
    slug = tolqyn.slug
    pages = [reverse(f"manage:{name}", args=[slug]) for name in ("disbursements", "calls", "distributions")]
    pages += [reverse(f"manage:{name}", args=[slug]) for name in ("receipts", "valuations")]
    for disbursement in Disbursement.objects.filter(project__fund=tolqyn):
        pages.append(reverse("manage:disbursement", args=[slug, disbursement.pk]))
    for call in CapitalCall.objects.filter(fund=tolqyn):
        pages.append(reverse("manage:call", args=[slug, call.pk]))
        pages += [reverse("manage:call-payment", args=[slug, call.pk, item.pk]) for item in call.items.all()]
    for distribution in Distribution.objects.filter(fund=tolqyn):
        pages.append(reverse("manage:distribution", args=[slug, distribution.pk]))
    for project in tolqyn.projects.all():
        for name in ("disbursement-new", "receipt-new", "valuation-new"):
            pages.append(reverse(f"manage:{name}", args=[slug, project.pk]))
    assert Disbursement.objects.filter(project__fund=tolqyn).exclude(original_currency="").exists()
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_the_approver_pays_an_approved_demo_disbursement_and_approves_a_requested_one(client, tolqyn):
    approved = Disbursement.objects.filter(project__fund=tolqyn, status=Status.APPROVED).first()
    requested = (
        Disbursement.objects.filter(project__fund=tolqyn, status=Status.REQUESTED)
        .exclude(requested_by__username="approver")
        .first()
    )
    assert approved and requested, "the demo has an approved and a requested disbursement"
    client.force_login(user("approver"))
    slug = tolqyn.slug

    url = reverse("manage:disbursement", args=[slug, approved.pk])
    body = client.get(url).content.decode()
    data = {
        "once": token(body, "pay"),
        "paid_date": timezone.localdate().isoformat(),
        "bank_reference": "KZ-DEMO-PAY",
    }
    client.post(reverse("manage:disbursement-pay", args=[slug, approved.pk]), data)
    approved.refresh_from_db()
    assert (approved.status, approved.bank_reference) == (Status.PAID, "KZ-DEMO-PAY")

    url = reverse("manage:disbursement", args=[slug, requested.pk])
    body = client.get(url).content.decode()
    client.post(
        reverse("manage:disbursement-approve", args=[slug, requested.pk]), {"once": token(body, "approve")}
    )
    requested.refresh_from_db()
    assert (requested.status, requested.approved_by.username) == (Status.APPROVED, "approver")
