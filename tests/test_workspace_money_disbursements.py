"""Disbursements in the manager workspace: the request with its confirmation (and FX for another
currency), the four-eyes steps on the disbursement's page, the services' refusals beside their fields, a form
posted twice making one record, junk input, and the fund's list at a pinned query count."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Disbursement, IdempotencyKey
from portfolio.workspace.once import new_token
from tests import builders as b
from tests import factories as f

pytestmark = pytest.mark.django_db
Status = Disbursement.Status


@pytest.fixture
def t():
    return b.team()


@pytest.fixture
def tranche(t):
    return b.eligible_tranche(t, b.project(t), shares=(Decimal("0.5"), Decimal("0.5")))


def token(response) -> str:
    return re.search(r'name="once" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def new_url(t, project_id):
    return reverse("manage:disbursement-new", args=[t.fund.slug, project_id])


def step_url(t, name, disbursement):
    return reverse(f"manage:disbursement-{name}", args=[t.fund.slug, disbursement.pk])


def request_form(client, t, tranche, **values):
    """The request form as the manager fills it in (a fresh token from the form page)."""
    form = client.get(new_url(t, tranche.project_id))
    return {
        "once": token(form),
        "tranche": tranche.pk,
        "amount": "100000000.00",
        "currency": "KZT",
        "note": "First tranche",
        **values,
    }


def requested(t, tranche, amount="100000000.00"):
    from portfolio.services.disbursements import disbursement_request

    return disbursement_request(user=t.manager, tranche=tranche, amount=amount)


def step_form(client, t, name, disbursement, **values):
    page = client.get(step_url(t, name, disbursement))
    assert page.status_code == 200
    tokens = re.findall(r'name="once" value="([0-9a-f]{32})"', page.content.decode())
    return {"once": tokens[0], **values}


# --- the request --------------------------------------------------------------------------------------------


def test_a_request_is_confirmed_with_its_amount_then_waits_for_another_manager(client, t, tranche):
    client.force_login(t.manager)
    data = request_form(client, t, tranche)
    preview = client.post(new_url(t, tranche.project_id), data)
    assert preview.status_code == 200
    assert "₸100,000,000.00" in preview.content.decode()
    assert not Disbursement.objects.exists()  # the preview writes nothing

    done = client.post(new_url(t, tranche.project_id), {**data, "confirm": "1"}, follow=True)
    disbursement = Disbursement.objects.get()
    assert (disbursement.status, disbursement.amount, disbursement.requested_by) == (
        Status.REQUESTED,
        Decimal("100000000.00"),
        t.manager,
    )
    assert done.redirect_chain[-1][0] == reverse("manage:disbursement", args=[t.fund.slug, disbursement.pk])
    body = done.content.decode()
    assert 'id="waits-for-approver"' in body
    assert f'action="{step_url(t, "approve", disbursement)}"' not in body


def test_another_currency_is_converted_at_the_rate_of_the_day_and_confirmed_in_kzt(client, t, tranche):
    """In English; the confirmation in Russian writes the rate its own way but carries it back exactly."""
    today = timezone.localdate()
    f.FxRateFactory(currency="USD", date=today - datetime.timedelta(days=3), rate=Decimal("470.000000"))
    f.FxRateFactory(currency="USD", date=today - datetime.timedelta(days=1), rate=Decimal("480.125000"))
    client.force_login(t.manager)
    data = request_form(client, t, tranche, amount="100000.00", currency="USD")
    preview = client.post(new_url(t, tranche.project_id), data).content.decode()
    # The latest rate on or before today, and its KZT equivalent rounded half-up to the cent.
    assert "480.125" in preview
    assert "₸48,012,500.00" in preview
    assert "$100,000.00" in preview

    shown = re.search(r'name="shown_rate" value="([^"]+)"', preview).group(1)
    client.post(new_url(t, tranche.project_id), {**data, "confirm": "1", "shown_rate": shown})
    disbursement = Disbursement.objects.get()
    assert (
        disbursement.amount,
        disbursement.original_currency,
        disbursement.original_amount,
        disbursement.fx_rate,
        disbursement.fx_rate_date,
    ) == (
        Decimal("48012500.00"),
        "USD",
        Decimal("100000.00"),
        Decimal("480.125000"),
        today - datetime.timedelta(days=1),
    )
    page = client.get(reverse("manage:disbursement", args=[t.fund.slug, disbursement.pk])).content.decode()
    assert "480.125" in page and "$100,000.00" in page


def test_a_rate_published_between_review_and_confirmation_sends_the_manager_back(client, t, tranche):
    today = timezone.localdate()
    f.FxRateFactory(currency="USD", date=today - datetime.timedelta(days=1), rate=Decimal("480.000000"))
    client.force_login(t.manager)
    data = request_form(client, t, tranche, amount="1000.00", currency="USD")
    preview = client.post(new_url(t, tranche.project_id), data).content.decode()
    shown = re.search(r'name="shown_rate" value="([^"]+)"', preview).group(1)
    f.FxRateFactory(currency="USD", date=today, rate=Decimal("481.000000"))  # today's rate arrives
    response = client.post(new_url(t, tranche.project_id), {**data, "confirm": "1", "shown_rate": shown})
    assert response.context["form"].errors["currency"] == [
        "The FX rate has changed since you reviewed the request; review it again."
    ]
    assert not Disbursement.objects.exists()


def test_a_confirmation_read_in_russian_carries_the_rate_back_exactly(client, t, tranche):
    f.FxRateFactory(currency="USD", date=timezone.localdate(), rate=Decimal("480.125000"))
    client.force_login(t.manager)
    data = request_form(client, t, tranche, amount="1000.00", currency="USD")
    url = new_url(t, tranche.project_id)
    preview = client.post(url, data, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "480,125" in preview
    shown = re.search(r'name="shown_rate" value="([^"]+)"', preview).group(1)
    client.post(url, {**data, "confirm": "1", "shown_rate": shown}, HTTP_ACCEPT_LANGUAGE="ru")
    assert Disbursement.objects.get().amount == Decimal("480125.00")


def test_a_currency_without_a_rate_yet_is_refused_beside_the_currency(client, t, tranche):
    f.FxRateFactory(currency="EUR", date=timezone.localdate() + datetime.timedelta(days=2))
    client.force_login(t.manager)
    response = client.post(new_url(t, tranche.project_id), request_form(client, t, tranche, currency="EUR"))
    assert response.context["form"].errors["currency"] == [
        f"There is no EUR rate on or before {timezone.localdate()}."
    ]
    assert not Disbursement.objects.exists()


def test_the_services_refusal_shows_beside_the_amount_with_the_form_still_filled_in(client, t, tranche):
    client.force_login(t.manager)
    data = request_form(client, t, tranche, amount="150000000.01", note="Too much")
    response = client.post(new_url(t, tranche.project_id), {**data, "confirm": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "The request exceeds what is left of the tranche: ₸150,000,000.00."
    ]
    body = response.content.decode()
    assert 'value="150000000.01"' in body and 'value="Too much"' in body
    assert not Disbursement.objects.exists()
    # The refusal kept nothing of the token either: the corrected form goes through with it.
    client.post(new_url(t, tranche.project_id), {**data, "amount": "150000000.00", "confirm": "1"})
    assert Disbursement.objects.get().amount == Decimal("150000000.00")


def test_a_tranche_not_eligible_yet_is_refused_beside_the_tranche(client, t, tranche):
    later = tranche.project.tranches.get(number=2)
    client.force_login(t.manager)
    response = client.post(new_url(t, tranche.project_id), {**request_form(client, t, later), "confirm": "1"})
    assert response.context["form"].errors["tranche"] == [
        "This tranche is not eligible yet: its trigger or its conditions are not met."
    ]


def test_a_request_posted_twice_makes_one_disbursement(client, t, tranche):
    client.force_login(t.manager)
    data = {**request_form(client, t, tranche), "confirm": "1"}
    first = client.post(new_url(t, tranche.project_id), data)
    second = client.post(new_url(t, tranche.project_id), data)
    assert Disbursement.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    # A new form (a new token) is a new request.
    again = {**request_form(client, t, tranche, amount="50000000.00"), "confirm": "1"}
    client.post(new_url(t, tranche.project_id), again)
    assert Disbursement.objects.count() == 2
    assert IdempotencyKey.objects.filter(user=t.manager, key__startswith="form:").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "1e3"),
        ("amount", "NaN"),
        ("amount", "１２３"),
        ("amount", "1_000"),
        ("amount", "-5"),
        ("amount", "9" * 40),
        ("tranche", "abc"),
        ("tranche", "99999999999999999999999"),
        ("tranche", "-1"),
        ("currency", "XXX"),
        ("once", "not-a-token"),
        ("once", ""),
        ("note", "x" * 301),
    ],
)
def test_junk_input_gets_a_message_and_saves_nothing(client, t, tranche, field, value):
    client.force_login(t.manager)
    data = {**request_form(client, t, tranche), field: value, "confirm": "1"}
    response = client.post(new_url(t, tranche.project_id), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Disbursement.objects.exists()


def test_another_projects_tranche_is_not_a_choice(client, t, tranche):
    other = b.eligible_tranche(t, b.project(t))
    client.force_login(t.manager)
    data = {**request_form(client, t, tranche), "tranche": other.pk, "confirm": "1"}
    response = client.post(new_url(t, tranche.project_id), data)
    assert "tranche" in response.context["form"].errors
    assert not Disbursement.objects.exists()


# --- the four-eyes steps ------------------------------------------------------------------------------------


def test_the_second_manager_approves_and_pays_in_two_steps(client, t, tranche):
    disbursement = requested(t, tranche)
    client.force_login(t.approver)
    page = client.get(reverse("manage:disbursement", args=[t.fund.slug, disbursement.pk])).content.decode()
    assert "Approve paying ₸100,000,000.00." in page

    client.post(step_url(t, "approve", disbursement), step_form(client, t, "approve", disbursement))
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.approved_by) == (Status.APPROVED, t.approver)

    today = timezone.localdate()
    values = {"paid_date": today.isoformat(), "bank_reference": "KZ-PAY-1"}
    client.post(step_url(t, "pay", disbursement), step_form(client, t, "pay", disbursement, **values))
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.paid_date, disbursement.bank_reference) == (
        Status.PAID,
        today,
        "KZ-PAY-1",
    )


def test_the_requester_approving_their_own_request_sees_the_four_eyes_refusal(client, t, tranche):
    disbursement = requested(t, tranche)
    client.force_login(t.manager)
    data = step_form(client, t, "approve", disbursement)
    response = client.post(step_url(t, "approve", disbursement), data)
    assert response.status_code == 200
    assert response.context["forms"]["approve"].non_field_errors() == [
        "A disbursement must be approved by someone other than its requester."
    ]
    assert "A disbursement must be approved by someone other than its requester." in response.content.decode()
    disbursement.refresh_from_db()
    assert disbursement.status == Status.REQUESTED


def test_a_superuser_who_is_not_a_named_manager_cannot_be_the_second_pair_of_eyes(client, t, tranche):
    disbursement = requested(t, tranche)
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    data = step_form(client, t, "approve", disbursement)
    response = client.post(step_url(t, "approve", disbursement), data)
    assert response.context["forms"]["approve"].non_field_errors() == [
        "Only a manager of this fund can do this."
    ]
    disbursement.refresh_from_db()
    assert disbursement.status == Status.REQUESTED


def test_an_approval_posted_twice_approves_once_and_answers_alike(client, t, tranche):
    disbursement = requested(t, tranche)
    client.force_login(t.approver)
    data = step_form(client, t, "approve", disbursement)
    first = client.post(step_url(t, "approve", disbursement), data)
    second = client.post(step_url(t, "approve", disbursement), data)
    assert first.status_code == second.status_code == 302
    assert disbursement.history.filter(status=Status.APPROVED).count() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"paid_date": "", "bank_reference": "X"}, "paid_date", "This field is required."),
        ({"paid_date": "2026-02-30", "bank_reference": "X"}, "paid_date", "Enter a valid date."),
        ({"paid_date": "0001-01-01", "bank_reference": "X"}, "paid_date", None),
        ({"paid_date": "2999-01-01", "bank_reference": "X"}, "paid_date", "This date is in the future."),
        ({"bank_reference": ""}, "bank_reference", "Give the bank reference of the payment."),
        ({"bank_reference": "x" * 101}, "bank_reference", "Keep it to 100 characters."),
    ],
)
def test_a_payment_refused_shows_why_beside_its_field(client, t, tranche, values, field, message):
    from portfolio.services.disbursements import disbursement_approve

    disbursement = disbursement_approve(user=t.approver, disbursement=requested(t, tranche))
    client.force_login(t.approver)
    values = {"paid_date": timezone.localdate().isoformat(), **values}
    data = step_form(client, t, "pay", disbursement, **values)
    response = client.post(step_url(t, "pay", disbursement), data)
    assert response.status_code == 200
    errors = response.context["forms"]["pay"].errors[field]
    assert errors == [message] if message else errors
    disbursement.refresh_from_db()
    assert disbursement.status == Status.APPROVED


def test_a_rejection_needs_its_reason(client, t, tranche):
    disbursement = requested(t, tranche)
    client.force_login(t.approver)
    response = client.post(step_url(t, "reject", disbursement), step_form(client, t, "reject", disbursement))
    errors = response.context["forms"]["reject"].errors
    assert errors["rejection_reason"] == ["Say why: a reason is required."]
    data = step_form(client, t, "reject", disbursement, rejection_reason="No chain of title")
    client.post(step_url(t, "reject", disbursement), data)
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.rejection_reason) == (Status.REJECTED, "No chain of title")


def test_a_paid_disbursement_is_reversed_with_a_reason_once(client, t, tranche):
    from portfolio.services.disbursements import disbursement_approve, disbursement_pay

    disbursement = disbursement_approve(user=t.approver, disbursement=requested(t, tranche))
    disbursement_pay(
        user=t.approver, disbursement=disbursement, paid_date=timezone.localdate(), bank_reference="B1"
    )
    client.force_login(t.manager)
    today = timezone.localdate().isoformat()
    response = client.post(
        step_url(t, "reverse", disbursement), step_form(client, t, "reverse", disbursement, paid_date=today)
    )
    assert response.context["forms"]["reverse"].errors["note"] == ["Say why: a reason is required."]
    data = step_form(client, t, "reverse", disbursement, paid_date=today, note="Returned", amount="40000000")
    done = client.post(step_url(t, "reverse", disbursement), data, follow=True)
    reversal = Disbursement.objects.get(reverses=disbursement)
    assert (reversal.amount, reversal.note) == (Decimal("-40000000.00"), "Returned")
    assert "Reversal" in done.content.decode()
    # The page offers no second reversal; a post anyway (a stale tab) gets the service's refusal.
    again = client.post(
        step_url(t, "reverse", disbursement), {"once": new_token(), "paid_date": today, "note": "Again"}
    )
    assert again.context["forms"]["reverse"].non_field_errors() == [
        "This disbursement has already been reversed."
    ]


def test_a_step_page_answers_a_get_with_the_disbursement_and_its_form(client, t, tranche):
    disbursement = requested(t, tranche)
    client.force_login(t.approver)
    for name in ("approve", "reject", "pay", "reverse"):
        response = client.get(step_url(t, name, disbursement))
        assert response.status_code == 200
        assert "₸100,000,000.00" in response.content.decode()


# --- the list -----------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_and_ignores_junk(client, t, tranche):
    one = requested(t, tranche, amount="1000.00")
    f.DisbursementFactory(project=tranche.project, tranche=tranche, paid=True, amount=Decimal("2000.00"))
    client.force_login(t.manager)
    url = reverse("manage:disbursements", args=[t.fund.slug])
    assert list(client.get(url, {"status": "requested"}).context["page"]) == [one]
    assert len(client.get(url, {"status": "paid"}).context["page"]) == 1
    for junk in ({"status": "nonsense"}, {"page": "x"}, {"page": "999999999999999999999"}, {"page": "-1"}):
        response = client.get(url, junk)
        assert response.status_code == 200
        assert len(response.context["page"]) == 2


@pytest.mark.parametrize("status", ["", "paid"])
def test_the_list_costs_the_same_queries_for_3_and_60_disbursements(
    client, t, tranche, django_assert_num_queries, status
):
    client.force_login(t.manager)
    url = reverse("manage:disbursements", args=[t.fund.slug])

    def add(n):
        for _ in range(n):
            f.DisbursementFactory(
                project=tranche.project, tranche=tranche, paid=True, amount=Decimal("10.00")
            )

    add(3)
    client.get(url)  # the session's first request records its activity
    with django_assert_num_queries(6):
        assert len(client.get(url, {"status": status}).context["page"]) == 3
    add(57)
    with django_assert_num_queries(6):
        assert len(client.get(url, {"status": status}).context["page"]) == 50


def test_the_disbursement_page_costs_the_same_queries_whatever_its_history(
    client, t, tranche, django_assert_num_queries
):
    disbursement = requested(t, tranche)
    client.force_login(t.approver)
    url = reverse("manage:disbursement", args=[t.fund.slug, disbursement.pk])
    client.get(url)
    with django_assert_num_queries(5):
        client.get(url)


@pytest.mark.parametrize("junk", ["abc", "99999999999999999999999", "-1", "1.5", ""])
def test_a_junk_tranche_in_the_link_shows_the_form_all_the_same(client, t, tranche, junk):
    client.force_login(t.manager)
    response = client.get(new_url(t, tranche.project_id), {"tranche": junk})
    assert response.status_code == 200


def test_a_link_from_an_eligible_tranche_preselects_it(client, t, tranche):
    second = tranche.project.tranches.get(number=2)
    client.force_login(t.manager)
    body = client.get(new_url(t, tranche.project_id), {"tranche": second.pk}).content.decode()
    assert f'<option value="{second.pk}" selected>' in body
