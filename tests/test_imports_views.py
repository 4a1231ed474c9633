"""The import page (upload, preview, confirm) and the ledger exports: access, CSRF, pinned queries, and what
the exported files hold."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from portfolio.imports import reading
from portfolio.models import Disbursement, Project
from tests import factories as f
from tests.builders import M, eligible_tranche, project, team

pytestmark = pytest.mark.django_db

HEADER = "title,slug,total_budget,commitment,approval_date,stage"
GOOD = "Kókpar,kokpar,900000000.00,300000000.00,2025-02-01,production"


@pytest.fixture
def t():
    return team(slug="tolqyn")


def upload(client, fund, content: bytes, *, kind="projects", name="projects.csv", **extra):
    return client.post(
        reverse("manage:import", args=[fund.slug]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        **extra,
    )


def lines(*rows) -> bytes:
    return ("\n".join(rows) + "\n").encode()


# --- access ------------------------------------------------------------------------------------------------

URLS = ["manage:import", "manage:export-ledger-csv", "manage:export-ledger-xlsx"]


@pytest.mark.parametrize("name", URLS)
def test_who_may_use_the_import_and_export_urls(client, t, name):
    url = reverse(name, args=[t.fund.slug])
    assert client.get(url)["Location"].startswith(reverse("login"))
    investor = f.UserFactory()
    f.CommitmentFactory(fund=t.fund, investor=f.InvestorFactory()).investor.users.add(investor)
    for outsider in (investor, t.outsider):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert upload(client, t.fund, lines(HEADER, GOOD)).status_code == 404
    for insider in (t.manager, t.approver, f.UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(insider)
        assert client.get(url).status_code == 200
    assert client.get(reverse(name, args=["no-such-fund"])).status_code == 404


def test_an_upload_without_its_csrf_token_is_refused(t):
    client = Client(enforce_csrf_checks=True)
    client.force_login(t.manager)
    assert upload(client, t.fund, lines(HEADER, GOOD)).status_code == 403


# --- upload, preview, confirm ------------------------------------------------------------------------------


def test_the_import_page_costs_the_same_queries_always(client, t, django_assert_num_queries):
    client.force_login(t.manager)
    client.get(reverse("manage:import", args=[t.fund.slug]))  # the session's idle clock is set once a minute
    with django_assert_num_queries(3):  # session, user, fund
        response = client.get(reverse("manage:import", args=[t.fund.slug]))
    assert 'id="import-upload-form"' in response.content.decode()


def test_a_preview_shows_every_rows_errors_beside_its_cells_and_saves_nothing(client, t):
    client.force_login(t.manager)
    response = upload(client, t.fund, lines(HEADER, GOOD, "Steppe,steppe,x,1,2025-02-01,"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-refused"' in page and 'id="import-confirm-form"' not in page
    assert "<code>total_budget</code>: Enter an amount in digits, for example 1500000.50." in page
    assert not Project.objects.exists()


def test_a_clean_preview_then_its_confirmation_imports_the_file_once(client, t):
    client.force_login(t.manager)
    response = upload(client, t.fund, lines(HEADER, GOOD))
    assert 'id="import-ready"' in response.content.decode()
    assert not Project.objects.exists()
    token = response.context["token"]
    confirm = client.post(reverse("manage:import", args=[t.fund.slug]), {"token": token}, follow=True)
    assert "1 row of projects.csv imported." in confirm.content.decode()
    assert Project.objects.get(fund=t.fund).slug == "kokpar"
    again = client.post(reverse("manage:import", args=[t.fund.slug]), {"token": token}, follow=True)
    assert "This upload has expired or was imported already" in again.content.decode()
    assert Project.objects.count() == 1


def test_a_confirmation_after_the_fund_changed_shows_the_new_errors_and_saves_nothing(client, t):
    client.force_login(t.manager)
    token = upload(client, t.fund, lines(HEADER, GOOD)).context["token"]
    project(t, slug="kokpar")  # someone took the slug meanwhile
    response = client.post(reverse("manage:import", args=[t.fund.slug]), {"token": token})
    assert "This fund already has a project with this slug." in response.content.decode()
    assert Project.objects.count() == 1


def test_an_upload_waits_for_its_confirmation_only_so_long_and_only_for_its_fund(client, t, monkeypatch):
    client.force_login(t.manager)
    token = upload(client, t.fund, lines(HEADER, GOOD)).context["token"]
    other = f.FundFactory(slug="other")
    other.managers.add(t.manager)
    response = client.post(reverse("manage:import", args=["other"]), {"token": token}, follow=True)
    assert "This upload has expired or was imported already" in response.content.decode()
    token = upload(client, t.fund, lines(HEADER, GOOD)).context["token"]
    session = client.session
    stash = session["portfolio_imports"][token]
    stash["at"] -= 31 * 60
    session.save()
    response = client.post(reverse("manage:import", args=[t.fund.slug]), {"token": token}, follow=True)
    assert "This upload has expired or was imported already" in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("projects.xls", b"x", "Upload a .csv or .xlsx file."),
        ("projects.csv", b"x" * (reading.MAX_BYTES + 1), "The file is larger than 1000 KB."),
    ],
)
def test_a_file_of_the_wrong_type_or_size_is_refused_beside_the_field(client, t, name, content, message):
    client.force_login(t.manager)
    response = upload(client, t.fund, content, name=name)
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}


def test_an_encoding_other_than_utf8_gets_a_preview_naming_the_row_and_column(client, t):
    client.force_login(t.manager)
    response = upload(client, t.fund, lines(HEADER, "Жусан,zhusan,9,3,2025-02-01,").decode().encode("cp1251"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(error.row, error.column) for error in rows[0]["errors"]] == [(2, "title")]
    assert not Project.objects.exists()


def test_the_preview_speaks_the_users_language(client, t):
    client.force_login(t.manager)
    response = upload(
        client, t.fund, lines(HEADER, "Steppe,steppe,x,1,2025-02-01,"), HTTP_ACCEPT_LANGUAGE="ru"
    )
    page = response.content.decode()
    assert "Введите сумму цифрами, например 1500000.50." in page
    assert "ничего не импортировано" in page


# --- export ------------------------------------------------------------------------------------------------


def ledger(t, extra=0):
    """A paid and reversed disbursement, a receipt, a call with a payment, a distribution (+ extra rows)."""
    p = project(t, title="=HYPERLINK(evil)")
    tranche = eligible_tranche(t, p)
    paid = f.DisbursementFactory(
        project=p, tranche=tranche, paid=True, paid_date=datetime.date(2025, 4, 1), amount=M("1000.00")
    )
    f.DisbursementFactory(
        project=p,
        tranche=tranche,
        paid=True,
        paid_date=datetime.date(2025, 4, 2),
        amount=M("-400.00"),
        reverses=paid,
    )
    for index in range(1 + extra):
        f.ReceiptFactory(project=p, date=datetime.date(2025, 5, 1), amount=M("250.50") + index)
    call = f.CapitalCallFactory(
        fund=t.fund,
        number=1 + extra,
        call_date=datetime.date(2025, 1, 20),
        due_date=datetime.date(2025, 2, 5),
    )
    item = f.CapitalCallItemFactory(capital_call=call, amount=M("700.00"))
    f.CapitalCallPaymentFactory(item=item, date=datetime.date(2025, 2, 1), amount=M("300.00"))
    distribution = f.DistributionFactory(fund=t.fund, number=1 + extra, date=datetime.date(2025, 6, 1))
    f.DistributionItemFactory(distribution=distribution, amount=M("99.99"))
    return p


def test_the_ledger_csv_lists_every_kind_of_record_in_date_order(client, t):
    ledger(t)
    client.force_login(t.manager)
    response = client.get(reverse("manage:export-ledger-csv", args=[t.fund.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tolqyn-ledger-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["Date", "Record", "Project", "Investor", "Detail", "Status", "Amount (KZT)"]
    assert [(row[0], row[1], row[6]) for row in rows[1:]] == [
        ("2025-01-20", "Capital call 1", "100000000.00"),
        ("2025-02-01", "Capital call payment", "300.00"),
        ("2025-04-01", "Disbursement", "1000.00"),
        ("2025-04-02", "Reversal", "-400.00"),
        ("2025-05-01", "Receipt", "250.50"),
        ("2025-06-01", "Distribution 1", "99.99"),
    ]
    assert rows[3][2] == "'=HYPERLINK(evil)"  # a formula in a title is quoted, never run


def test_the_ledger_xlsx_keeps_dates_and_amounts_as_values(client, t):
    ledger(t)
    client.force_login(t.manager)
    response = client.get(reverse("manage:export-ledger-xlsx", args=[t.fund.slug]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Date"
    assert rows[3][0].date() == datetime.date(2025, 4, 1)
    assert rows[4][6] == -400 and rows[6][6] == 99.99
    assert sheet["C4"].data_type == "s" and sheet["C4"].value == "'=HYPERLINK(evil)"


@pytest.mark.parametrize("name", ["manage:export-ledger-csv", "manage:export-ledger-xlsx"])
def test_the_ledger_export_costs_the_same_queries_for_3_and_60_records(
    client, t, name, django_assert_num_queries
):
    client.force_login(t.manager)
    ledger(t)
    client.get(reverse(name, args=[t.fund.slug]))  # the session's idle clock is set once a minute
    with django_assert_num_queries(8):  # session, user, fund, and five ledger queries
        small = client.get(reverse(name, args=[t.fund.slug]))
    ledger(t, extra=57)
    with django_assert_num_queries(8):
        large = client.get(reverse(name, args=[t.fund.slug]))
    assert len(large.content) > len(small.content)


def test_the_ledger_csv_speaks_the_users_language(client, t):
    ledger(t)
    client.force_login(t.manager)
    response = client.get(reverse("manage:export-ledger-csv", args=[t.fund.slug]), HTTP_ACCEPT_LANGUAGE="kk")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[0] == "Күні"
    assert Disbursement.objects.count() == 2
