"""Money and status move in admin only through the write services: four eyes on disbursements, pro-rata calls
and distributions, dated stage and commitment changes, tranche schedules; every refusal is shown beside its
field with nothing saved, and no one person can move money alone."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from portfolio import models
from portfolio.admin.base import FOREIGN_AMOUNT_FIELDS
from portfolio.services.disbursements import disbursement_approve, disbursement_pay, disbursement_request
from tests import factories as f
from tests.builders import M, eligible_tranche, project, team
from tests.test_admin import AMOUNT_MESSAGES, _url, changeform_data, form_errors

pytestmark = pytest.mark.django_db

Status = models.Disbursement.Status
TODAY = timezone.localdate
FUTURE = "2999-01-01"


def staff(user):
    """`user` may use admin as a fund manager (staff, in the Fund managers group)."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name="Fund managers"))
    return user


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def t():
    fund_team = team()
    staff(fund_team.manager)
    staff(fund_team.approver)
    staff(fund_team.outsider)
    return fund_team


@pytest.fixture
def tranche(t):
    return eligible_tranche(t, project(t), shares=(M("0.5"), M("0.5")))


def _step(disbursement, step):
    return reverse(f"admin:portfolio_disbursement_{step}", args=[disbursement.pk])


def _requested(t, tranche, amount="100000000.00"):
    return disbursement_request(user=t.manager, tranche=tranche, amount=amount)


def _approved(t, tranche, amount="100000000.00"):
    return disbursement_approve(user=t.approver, disbursement=_requested(t, tranche, amount))


def _paid(t, tranche, amount="100000000.00"):
    return disbursement_pay(
        user=t.approver, disbursement=_approved(t, tranche, amount), paid_date=TODAY(), bank_reference="KZ-1"
    )


def _action_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(message) for errors in form.errors.values() for message in errors]


# --- a disbursement: requested by one manager, approved by another, then paid -------------------------------


def test_a_request_is_recorded_with_the_manager_who_asked_and_the_time(client, t, tranche):
    before = timezone.now()
    response = as_user(client, t.manager).post(
        _url(models.Disbursement, "add"),
        {
            "tranche": tranche.pk,
            "amount": "100000000.00",
            "note": "Signing tranche",
            # Typed who-and-when is not part of the form: it is ignored, never stored.
            "requested_by": t.approver.pk,
            "approved_by": t.approver.pk,
            "status": "paid",
            "requested_at_0": "0001-01-01",
            "requested_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302, form_errors(response)
    disbursement = models.Disbursement.objects.get()
    assert (disbursement.status, disbursement.requested_by, disbursement.approved_by) == (
        Status.REQUESTED,
        t.manager,
        None,
    )
    assert disbursement.requested_at >= before
    assert disbursement.history.get().history_user == t.manager


@pytest.mark.parametrize("text", list(AMOUNT_MESSAGES))
def test_a_request_with_a_bad_amount_is_refused_beside_the_amount(client, t, tranche, text):
    response = as_user(client, t.manager).post(
        _url(models.Disbursement, "add"), {"tranche": tranche.pk, "amount": text}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"] == [AMOUNT_MESSAGES[text]]
    assert not models.Disbursement.objects.exists()


def test_a_request_past_its_tranche_is_refused_beside_the_amount(client, t, tranche):
    response = as_user(client, t.manager).post(
        _url(models.Disbursement, "add"), {"tranche": tranche.pk, "amount": "150000000.01"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"] == [
        "The request exceeds what is left of the tranche: ₸150,000,000.00."
    ]
    assert not models.Disbursement.objects.exists()


def test_the_second_manager_approves_and_is_recorded_as_approver(client, t, tranche):
    disbursement = _requested(t, tranche)
    response = as_user(client, t.approver).post(_step(disbursement, "approve"))
    assert response.status_code == 302
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.approved_by) == (Status.APPROVED, t.approver)
    assert disbursement.approved_at is not None


def test_the_requester_cannot_approve_their_own_request(client, t, tranche):
    disbursement = _requested(t, tranche)
    response = as_user(client, t.manager).post(_step(disbursement, "approve"))
    assert response.status_code == 200
    assert _action_errors(response) == [
        "A disbursement must be approved by someone other than its requester."
    ]
    assert response.context["subtitle"] == str(disbursement)
    disbursement.refresh_from_db()
    assert disbursement.status == Status.REQUESTED


def test_a_superuser_who_is_not_a_manager_of_the_fund_cannot_approve(admin_client, t, tranche):
    disbursement = _requested(t, tranche)
    response = admin_client.post(_step(disbursement, "approve"))
    assert response.status_code == 200
    assert _action_errors(response) == ["Only a manager of this fund can do this."]
    disbursement.refresh_from_db()
    assert disbursement.status == Status.REQUESTED


def test_people_outside_the_fund_cannot_reach_the_approval(client, t, tranche):
    disbursement = _requested(t, tranche)
    investor_user = f.UserFactory()
    models.Investor.objects.first().users.add(investor_user)
    staff_investor = staff(f.UserFactory())
    models.Investor.objects.last().users.add(staff_investor)
    plain_manager = f.UserFactory()
    t.fund.managers.add(plain_manager)
    for user, expected in (
        (None, 302),  # anonymous: to the login page
        (investor_user, 302),  # an investor's portal user never gets into admin
        (plain_manager, 302),  # a manager of the fund without staff status neither
        (staff_investor, 404),  # made staff, an investor still manages no fund
        (t.outsider, 404),  # a manager of another fund
    ):
        client.logout()
        if user is not None:
            client.force_login(user)
        assert client.post(_step(disbursement, "approve")).status_code == expected
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.approved_by) == (Status.REQUESTED, None)


def test_one_manager_alone_cannot_move_money_by_any_form(client, t, tranche):
    """The manager who asked can neither approve nor pay, nor type a status or an approver anywhere."""
    disbursement = _requested(t, tranche)
    client = as_user(client, t.manager)
    assert client.post(_step(disbursement, "approve")).status_code == 200
    assert (
        client.post(
            _step(disbursement, "pay"), {"paid_date": "2026-01-05", "bank_reference": "X"}
        ).status_code
        == 200
    )
    url = _url(models.Disbursement, "change", disbursement.pk)
    page = client.get(url)
    assert set(page.context["adminform"].form.fields) == {"note"}
    response = client.post(
        url, changeform_data(page, status="paid", approved_by=t.approver.pk, paid_date="2026-01-05", note="x")
    )
    assert response.status_code == 302
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.approved_by, disbursement.note) == (Status.REQUESTED, None, "x")


def test_a_rejection_needs_a_reason_and_records_who_rejected(client, t, tranche):
    disbursement = _requested(t, tranche)
    client = as_user(client, t.approver)
    response = client.post(_step(disbursement, "reject"), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Say why: a reason is required."]
    assert client.post(_step(disbursement, "reject"), {"reason": "No chain of title yet"}).status_code == 302
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.rejected_by, disbursement.rejection_reason) == (
        Status.REJECTED,
        t.approver,
        "No chain of title yet",
    )


@pytest.mark.parametrize(
    ("paid_date", "bank_reference", "field", "message"),
    [
        (FUTURE, "KZ-1", "paid_date", "This date is in the future."),
        ("0001-01-01", "KZ-1", "paid_date", "Enter a date between the years 1900 and 2999."),
        ("9999-12-31", "KZ-1", "paid_date", "Enter a date between the years 1900 and 2999."),
        ("2026-02-30", "KZ-1", "paid_date", "Enter a valid date."),
        ("2020-01-01", "KZ-1", "paid_date", "A payment cannot be dated before its approval"),
        ("today", "", "bank_reference", "Give the bank reference of the payment."),
    ],
)
def test_a_refused_payment_shows_its_message_and_the_record_still_approved(
    client, t, tranche, paid_date, bank_reference, field, message
):
    disbursement = _approved(t, tranche)
    paid_date = TODAY().isoformat() if paid_date == "today" else paid_date
    response = as_user(client, t.approver).post(
        _step(disbursement, "pay"), {"paid_date": paid_date, "bank_reference": bank_reference}
    )
    assert response.status_code == 200
    assert any(error.startswith(message) for error in response.context["form"].errors[field])
    assert "Approved" in response.context["subtitle"]
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.paid_date) == (Status.APPROVED, None)


def test_a_payment_is_recorded_with_its_date_and_bank_reference(client, t, tranche):
    disbursement = _approved(t, tranche)
    response = as_user(client, t.approver).post(
        _step(disbursement, "pay"), {"paid_date": TODAY().isoformat(), "bank_reference": "KZ-PAY-1"}
    )
    assert response.status_code == 302
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.paid_date, disbursement.bank_reference) == (
        Status.PAID,
        TODAY(),
        "KZ-PAY-1",
    )


def test_a_request_that_is_not_approved_cannot_be_paid(client, t, tranche):
    disbursement = _requested(t, tranche)
    response = as_user(client, t.approver).post(
        _step(disbursement, "pay"), {"paid_date": TODAY().isoformat(), "bank_reference": "KZ-1"}
    )
    assert _action_errors(response) == ["Only an approved disbursement can be paid; this one is requested."]
    disbursement.refresh_from_db()
    assert disbursement.status == Status.REQUESTED


def test_a_reversal_needs_a_reason_is_at_most_the_original_and_happens_once(client, t, tranche):
    paid = _paid(t, tranche)
    client = as_user(client, t.manager)
    url = _step(paid, "reverse")
    today = TODAY().isoformat()
    response = client.post(url, {"date": today, "reason": ""})
    assert response.context["form"].errors["reason"] == ["Say why: a reason is required."]
    response = client.post(url, {"date": today, "reason": "Wrong account", "amount": "100000000.01"})
    assert response.context["form"].errors["amount"] == [
        "A reversal cannot be larger than the original (₸100,000,000.00)."
    ]
    response = client.post(url, {"date": today, "reason": "Wrong account", "amount": "25000000.00"})
    assert response.status_code == 302
    reversal = models.Disbursement.objects.get(reverses=paid)
    assert (reversal.amount, reversal.note, reversal.requested_by) == (
        M("-25000000.00"),
        "Wrong account",
        t.manager,
    )
    response = client.post(url, {"date": today, "reason": "Again"})
    assert _action_errors(response) == ["This disbursement has already been reversed."]
    assert models.Disbursement.objects.filter(reverses=paid).count() == 1


def test_each_step_is_offered_only_where_the_record_stands(client, t, tranche):
    client = as_user(client, t.approver)

    def buttons(disbursement):
        page = client.get(_url(models.Disbursement, "change", disbursement.pk))
        return [label for label, _url_ in page.context["record_actions"]]

    assert buttons(_requested(t, tranche, "10.00")) == ["Approve", "Reject"]
    assert buttons(_approved(t, tranche, "10.00")) == ["Reject", "Record the payment"]
    assert buttons(_paid(t, tranche, "10.00")) == ["Reverse"]


# --- capital calls and distributions: issued pro rata, paid through their services --------------------------


def test_a_capital_call_is_issued_pro_rata_with_its_items_shown_not_typed(client, t):
    response = as_user(client, t.manager).post(
        _url(models.CapitalCall, "add"),
        {
            "fund": t.fund.pk,
            "call_date": "2025-03-01",
            "due_date": "2025-03-17",
            "purpose": "investment",
            "amount": "440000000.00",
            "note": "",
        },
    )
    assert response.status_code == 302, form_errors(response)
    call = models.CapitalCall.objects.get()
    assert (call.number, call.amount) == (1, M("440000000.00"))
    assert sorted(call.items.values_list("amount", flat=True)) == [M("200000000.00"), M("240000000.00")]
    page = client.get(_url(models.CapitalCall, "change", call.pk))
    (items,) = page.context["inline_admin_formsets"]
    assert not items.has_add_permission and not items.has_change_permission


def test_a_capital_call_past_the_committed_capital_is_refused_beside_the_amount(client, t):
    response = as_user(client, t.manager).post(
        _url(models.CapitalCall, "add"),
        {"fund": t.fund.pk, "call_date": "2025-03-01", "due_date": "2025-03-17", "purpose": "investment"}
        | {"amount": "4400000000.01", "note": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"] == [
        "The calls would exceed the capital committed by then: ₸4,400,000,000.00 is left to call."
    ]
    assert not models.CapitalCall.objects.exists()


def _call_item(client, t):
    client.post(
        _url(models.CapitalCall, "add"),
        {"fund": t.fund.pk, "call_date": "2025-03-01", "due_date": "2025-03-17", "purpose": "investment"}
        | {"amount": "440000000.00", "note": ""},
    )
    return models.CapitalCallItem.objects.order_by("-amount").first()


def test_payments_against_a_call_item_are_recorded_in_parts_never_past_it(client, t):
    client = as_user(client, t.manager)
    item = _call_item(client, t)
    url = _url(models.CapitalCallPayment, "add")
    part = {"item": item.pk, "date": "2025-03-10", "bank_reference": "KZ-IN-1"}
    assert client.post(url, part | {"amount": "140000000.00"}).status_code == 302
    response = client.post(url, part | {"amount": "100000000.01"})
    assert response.context["adminform"].form.errors["amount"] == [
        "Payments would exceed the amount called (₸240,000,000.00); ₸100,000,000.00 remains."
    ]
    response = client.post(url, part | {"amount": "1.00", "date": FUTURE})
    assert response.context["adminform"].form.errors["date"] == ["This date is in the future."]
    assert list(item.payments.values_list("amount", flat=True)) == [M("140000000.00")]


def test_a_distribution_is_issued_pro_rata_and_marked_paid_in_one_step(client, t):
    client = as_user(client, t.manager)
    response = client.post(
        _url(models.Distribution, "add"),
        {"fund": t.fund.pk, "date": "2026-03-01", "kind": "profit", "amount": "100000000.01", "note": ""},
    )
    assert response.status_code == 302, form_errors(response)
    distribution = models.Distribution.objects.get()
    assert sum(distribution.items.values_list("amount", flat=True)) == M("100000000.01")
    pay = reverse("admin:portfolio_distribution_pay", args=[distribution.pk])
    assert client.post(pay).status_code == 302
    distribution.refresh_from_db()
    assert distribution.status == models.Distribution.Status.PAID
    assert _action_errors(client.post(pay)) == ["This distribution is already paid."]


def test_a_distribution_dated_in_the_future_cannot_be_marked_paid(client, t):
    client = as_user(client, t.manager)
    client.post(
        _url(models.Distribution, "add"),
        {"fund": t.fund.pk, "date": "2999-01-01", "kind": "profit", "amount": "100.00", "note": ""},
    )
    distribution = models.Distribution.objects.get()
    response = client.post(reverse("admin:portfolio_distribution_pay", args=[distribution.pk]))
    assert _action_errors(response) == ["A distribution is paid on its date, which is still in the future."]
    distribution.refresh_from_db()
    assert distribution.status == models.Distribution.Status.PLANNED


# --- projects: approval, dated stage and commitment changes, the tranche schedule ---------------------------


def _project_data(t, **overrides):
    return {
        "fund": t.fund.pk,
        "title": "Steppe",
        "slug": "steppe",
        "format": "feature",
        "language": "kk",
        "total_budget": "900000000.00",
        "commitment": "300000000.00",
        "instrument": "equity",
        "approval_date": "2025-02-01",
        "stage": "development",
        **overrides,
    }


def test_a_project_approved_in_admin_starts_its_stage_and_commitment_histories(client, t):
    response = as_user(client, t.manager).post(_url(models.Project, "add"), _project_data(t))
    assert response.status_code == 302, form_errors(response)
    created = models.Project.objects.get(slug="steppe")
    assert list(created.stage_changes.values_list("stage", "date", "recorded_by")) == [
        ("development", datetime.date(2025, 2, 1), t.manager.pk)
    ]
    assert list(created.commitment_changes.values_list("amount", "date")) == [
        (M("300000000.00"), datetime.date(2025, 2, 1))
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"commitment": "825000000.01", "total_budget": "900000000.00"},
            "commitment",
            "The commitment exceeds the fund's concentration cap: 15.00% of the target, ₸825,000,000.00.",
        ),
        ({"approval_date": FUTURE}, "approval_date", "This date is in the future."),
        ({"stage": "abandoned"}, "stage", "A new project starts at a stage of the production."),
        ({"commitment": "1e3"}, "commitment", AMOUNT_MESSAGES["1e3"]),
    ],
)
def test_a_project_breaking_a_rule_is_refused_beside_its_field(client, t, overrides, field, message):
    response = as_user(client, t.manager).post(_url(models.Project, "add"), _project_data(t, **overrides))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert not models.Project.objects.exists()


def _project_page(client, p):
    url = _url(models.Project, "change", p.pk)
    return url, client.get(url)


def test_a_stage_skipped_needs_a_reason_which_is_kept(client, t):
    p = project(t)
    client = as_user(client, t.manager)
    url, page = _project_page(client, p)
    response = client.post(url, changeform_data(page, new_stage="production"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["stage_note"] == [
        "Say why the project skips a stage, goes back or is abandoned."
    ]
    p.refresh_from_db()
    assert p.stage == "development"
    response = client.post(url, changeform_data(page, new_stage="production", stage_note="Prep done abroad"))
    assert response.status_code == 302, form_errors(response)
    p.refresh_from_db()
    assert p.stage == "production"
    assert p.stage_changes.order_by("-id").first().note == "Prep done abroad"


def test_a_stage_change_dated_in_the_future_is_refused(client, t):
    p = project(t)
    client = as_user(client, t.manager)
    url, page = _project_page(client, p)
    response = client.post(url, changeform_data(page, new_stage="pre_production", stage_date="2999-12-31"))
    assert response.context["adminform"].form.errors["stage_date"] == ["This date is in the future."]
    assert p.stage_changes.count() == 1


def test_a_commitment_change_is_dated_with_its_reason(client, t):
    p = project(t)
    client = as_user(client, t.manager)
    url, page = _project_page(client, p)
    response = client.post(url, changeform_data(page, new_commitment="350000000.00"))
    assert response.context["adminform"].form.errors["commitment_reason"] == [
        "Say why: a reason is required."
    ]
    data = changeform_data(page, new_commitment="350000000.00", commitment_reason="Co-producer left")
    assert client.post(url, data).status_code == 302
    p.refresh_from_db()
    assert p.commitment == M("350000000.00")
    latest = p.commitment_changes.order_by("-id").first()
    assert (latest.amount, latest.reason, latest.date, latest.recorded_by) == (
        M("350000000.00"),
        "Co-producer left",
        TODAY(),
        t.manager,
    )


def test_a_refused_part_of_a_project_save_saves_no_other_part(client, t):
    """One save moves the stage and changes the commitment; the refusal of one leaves the other undone."""
    p = project(t)
    client = as_user(client, t.manager)
    url, page = _project_page(client, p)
    data = changeform_data(page, title="Renamed", new_stage="pre_production", new_commitment="1e3")
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["new_commitment"] == [AMOUNT_MESSAGES["1e3"]]
    p.refresh_from_db()
    assert (p.title, p.stage, p.commitment) == (
        page.context["original"].title,
        "development",
        M("300000000.00"),
    )


def _schedule_url(p):
    return reverse("admin:portfolio_project_schedule", args=[p.pk])


def _rows(*rows):
    data = {"tranches-TOTAL_FORMS": str(len(rows)), "tranches-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"tranches-{index}-{name}": value for name, value in row.items()})
    return data


def test_a_tranche_schedule_is_set_from_its_project_page_with_its_conditions(client, t):
    p = project(t)
    client = as_user(client, t.manager)
    response = client.post(
        _schedule_url(p),
        _rows(
            {"number": "1", "share_pct": "50", "planned_date": "2025-04-01", "trigger_date": "2025-03-03"}
            | {"conditions": "Chain of title\nCompletion bond"},
            {"number": "2", "share_pct": "50", "planned_date": "2025-09-01", "trigger_stage": "production"},
        ),
    )
    assert response.status_code == 302, _action_errors(response)
    first, second = p.tranches.order_by("number")
    assert (first.amount, second.amount) == (M("150000000.00"), M("150000000.00"))
    assert list(first.conditions.values_list("text", flat=True)) == ["Chain of title", "Completion bond"]


def test_a_schedule_that_does_not_add_up_is_refused_and_nothing_is_saved(client, t):
    p = project(t)
    response = as_user(client, t.manager).post(
        _schedule_url(p),
        _rows(
            {
                "number": "1",
                "amount": "100000000.00",
                "planned_date": "2025-04-01",
                "trigger_date": "2025-03-03",
            }
        ),
    )
    assert response.status_code == 200
    assert _action_errors(response) == [
        "Until the first disbursement the schedule must add up to the commitment of ₸300,000,000.00 exactly; "
        "it adds up to ₸100,000,000.00."
    ]
    assert not p.tranches.exists()


def test_a_condition_is_ticked_on_its_tranche_page_by_the_user(client, t):
    p = project(t)
    client = as_user(client, t.manager)
    client.post(
        _schedule_url(p),
        _rows(
            {"number": "1", "share_pct": "100", "planned_date": "2025-04-01", "trigger_date": "2025-03-03"}
            | {"conditions": "Chain of title"}
        ),
    )
    tranche = p.tranches.get()
    assert tranche.status == models.Tranche.Status.PLANNED
    url = _url(models.Tranche, "change", tranche.pk)
    page = client.get(url)
    response = client.post(url, changeform_data(page, **{"conditions-0-met_on": FUTURE}))
    assert response.status_code == 200
    assert "This date is in the future." in form_errors(response)
    response = client.post(url, changeform_data(page, **{"conditions-0-met_on": "2025-03-05"}))
    assert response.status_code == 302, form_errors(response)
    condition = tranche.conditions.get()
    assert (condition.met_on, condition.met_by) == (datetime.date(2025, 3, 5), t.manager)
    tranche.refresh_from_db()
    assert tranche.status == models.Tranche.Status.ELIGIBLE


def test_a_tranche_is_cancelled_with_a_date_and_a_reason(client, t):
    p = project(t)
    tranche = eligible_tranche(t, p, shares=(M("0.5"), M("0.5")))
    second = p.tranches.get(number=2)
    client = as_user(client, t.manager)
    url = reverse("admin:portfolio_tranche_cancel", args=[second.pk])
    response = client.post(url, {"date": TODAY().isoformat(), "reason": ""})
    assert response.context["form"].errors["reason"] == ["Say why: a reason is required."]
    assert client.post(url, {"date": TODAY().isoformat(), "reason": "Sequel dropped"}).status_code == 302
    second.refresh_from_db()
    assert (second.status, second.cancel_reason) == (models.Tranche.Status.CANCELLED, "Sequel dropped")
    tranche.refresh_from_db()
    assert tranche.status == models.Tranche.Status.ELIGIBLE


# --- receipts, valuations, commitments and funds ------------------------------------------------------------


def test_a_receipt_dated_in_the_future_is_refused(client, t):
    p = project(t)
    response = as_user(client, t.manager).post(
        _url(models.Receipt, "add"),
        {"project": p.pk, "date": FUTURE, "amount": "100.00", "source": "box_office", "note": ""},
    )
    assert response.context["adminform"].form.errors["date"] == ["This date is in the future."]
    assert not models.Receipt.objects.exists()


def test_a_valuation_records_who_made_it(client, t):
    p = project(t)
    response = as_user(client, t.manager).post(
        _url(models.Valuation, "add"), {"project": p.pk, "date": "2026-03-31", "amount": "0.00", "note": ""}
    )
    assert response.status_code == 302, form_errors(response)
    valuation = models.Valuation.objects.get()
    assert (valuation.amount, valuation.recorded_by) == (M("0.00"), t.manager)


def test_a_commitment_lowered_below_the_allocations_is_refused(client, t):
    for _ in range(3):
        project(t, commitment="800000000.00", budget="900000000.00")
    commitment = t.fund.commitments.order_by("-amount").first()
    client = as_user(client, t.manager)
    url = _url(models.Commitment, "change", commitment.pk)
    page = client.get(url)
    assert set(page.context["adminform"].form.fields) == {"amount", *FOREIGN_AMOUNT_FIELDS}
    response = client.post(url, changeform_data(page, amount="1.00"))
    assert response.context["adminform"].form.errors["amount"] == [
        "The committed capital would fall below the fund's allocations of ₸2,400,000,000.00."
    ]
    commitment.refresh_from_db()
    assert commitment.amount == M("2400000000.00")


def test_a_fund_target_lowered_under_a_projects_cap_is_refused(client, t):
    p = project(t, commitment="800000000.00", budget="900000000.00")
    client = as_user(client, t.manager)
    url = _url(models.Fund, "change", t.fund.pk)
    response = client.post(url, changeform_data(client.get(url), target_size="1000000000.00"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["target_size"] == [
        f"{p.title} would be above the concentration cap of ₸150,000,000.00 with its commitment of "
        "₸800,000,000.00."
    ]
    t.fund.refresh_from_db()
    assert t.fund.target_size == M("5500000000.00")


def test_a_stage_change_added_on_its_own_page_moves_the_project(client, t):
    p = project(t)
    response = as_user(client, t.manager).post(
        _url(models.StageChange, "add"),
        {"project": p.pk, "stage": "pre_production", "date": TODAY().isoformat(), "note": ""},
    )
    assert response.status_code == 302, form_errors(response)
    p.refresh_from_db()
    assert p.stage == "pre_production"
    response = client.post(
        _url(models.StageChange, "add"),
        {"project": p.pk, "stage": "development", "date": TODAY().isoformat(), "note": ""},
    )
    assert response.context["adminform"].form.errors["note"] == [
        "Say why the project skips a stage, goes back or is abandoned."
    ]


def test_an_administrator_sets_up_a_fund_with_its_managers(admin_client, client, t):
    response = admin_client.post(
        _url(models.Fund, "add"),
        {
            "name": "Steppe Docs",
            "slug": "steppe-docs",
            "legal_form": "OEIC Ltd.",
            "status": "fundraising",
            "managers": [t.manager.pk, t.approver.pk],
            "target_size": "2000000000.00",
            "concentration_cap_pct": "15.00",
            "project_band_min": "5",
            "project_band_max": "10",
            "investment_period_start": "2026-01-01",
            "investment_period_end": "2029-01-01",
        },
    )
    assert response.status_code == 302, form_errors(response)
    fund = models.Fund.objects.get(slug="steppe-docs")
    assert set(fund.managers.all()) == {t.manager, t.approver}
    assert as_user(client, t.manager).get(_url(models.Fund, "add")).status_code == 403


def test_a_call_items_page_offers_to_record_a_payment_for_it(client, t):
    client = as_user(client, t.manager)
    item = _call_item(client, t)
    page = client.get(_url(models.CapitalCallItem, "change", item.pk))
    add_payment = reverse("admin:portfolio_capitalcallpayment_add") + f"?item={item.pk}"
    assert page.context["record_actions"] == [("Record a payment", add_payment)]
    assert client.get(add_payment).context["adminform"].form.initial["item"] == str(item.pk)
