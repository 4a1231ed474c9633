"""The statement downloads: the CSV's rows, the PDF's text and fonts, and a statement with no activity."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from portfolio.formats import format_multiple, format_pct
from portfolio.metrics.schema import INVESTOR_METRICS
from portfolio.money import format_money
from portfolio.statements.pdf import FONT_FAMILY, font_files, font_stylesheets
from tests.factories import CommitmentFactory, InvestorFactory, UserFactory
from tests.statements_data import AS_OF, KAZAKH_NAME, history, stored

pytestmark = pytest.mark.django_db

KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
TENGE = "\u20b8"


@pytest.fixture
def h(fund, manager):
    return history(fund, manager)


def download(client, name, language="en", **params):
    params.setdefault("as_of", AS_OF.isoformat())
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.get(f"{reverse(name, kwargs={'slug': 'tolqyn'})}?{query}", HTTP_ACCEPT_LANGUAGE=language)


def csv_rows(response) -> list[dict]:
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def pdf_fonts(response) -> set[str]:
    """The base names of every font the PDF embeds (WeasyPrint prefixes a subset tag: ABCDEF+NotoSans)."""
    names = set()
    for page in PdfReader(io.BytesIO(response.content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


# --- CSV ---------------------------------------------------------------------------------------------------


def test_csv_holds_the_stored_figures_and_every_line(client, h):
    client.force_login(h.user)
    response = download(client, "fund-account-csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="tolqyn-capital-account-{h.investor.pk}-{AS_OF.isoformat()}.csv"'
    )
    rows = csv_rows(response)
    assert list(rows[0]) == ["section", "key", "label", "date", "reference", "detail", "due_date", "value"]
    meta = {row["key"]: row for row in rows if row["section"] == "statement"}
    assert meta["investor"]["value"] == KAZAKH_NAME
    assert meta["as_of"]["date"] == AS_OF.isoformat()
    assert meta["currency"]["value"] == "KZT"
    figures = {row["key"]: row["value"] for row in rows if row["section"] == "figure"}
    row = stored(h)
    assert list(figures) == [metric.name for metric in INVESTOR_METRICS]
    for name in ("commitment", "paid_in", "unfunded", "distributed", "nav_share"):
        assert figures[name] == f"{getattr(row, name):.2f}", name
    for name in ("dpi", "rvpi", "tvpi", "net_irr"):
        assert Decimal(figures[name]) == getattr(row, name), name
        assert "E" not in figures[name]
    calls = [r for r in rows if r["section"] == "capital_call"]
    payments = [r for r in rows if r["section"] == "payment"]
    distributions = [r for r in rows if r["section"] == "distribution"]
    assert [r["value"] for r in calls] == ["4000000.00"] * 3
    assert [r["date"] for r in calls] == ["2025-02-01", "2025-02-04", "2025-02-07"]
    assert [r["due_date"] for r in calls] == ["2025-02-15", "2025-02-18", "2025-02-21"]
    assert [r["reference"] for r in payments] == ["Capital call 1", "Capital call 2", "Capital call 3"]
    assert [(r["date"], r["value"], r["detail"]) for r in distributions] == [
        ("2026-03-02", "2000000.00", "Profit")
    ]
    assert not [r for r in rows if r["section"] == "note"]


def test_csv_labels_follow_the_readers_language(client, h):
    client.force_login(h.user)
    rows = csv_rows(download(client, "fund-account-csv", language="kk"))
    labels = {row["key"]: row["label"] for row in rows if row["section"] == "figure"}
    with translation.override("kk"):
        assert labels["nav_share"] == str(INVESTOR_METRICS[4].label)
        first_call = translation.gettext("Capital call %(number)s") % {"number": 1}
    assert labels["nav_share"] != "NAV share"
    assert first_call != "Capital call 1"
    assert [row["reference"] for row in rows if row["section"] == "payment"][0] == first_call


def test_csv_quotes_text_a_spreadsheet_would_run_as_a_formula(client, fund, manager):
    h = history(fund, manager, name='=HYPERLINK("http://evil")')
    client.force_login(h.user)
    rows = csv_rows(download(client, "fund-account-csv"))
    investor = next(row for row in rows if row["key"] == "investor")
    assert investor["value"] == '\'=HYPERLINK("http://evil")'


# --- PDF ---------------------------------------------------------------------------------------------------


def test_the_font_files_cover_kazakh_letters_and_the_tenge_sign():
    """fontTools on the very files the PDF stylesheets load: each weight covers every needed character."""
    stylesheets = "".join(path.read_text() for path in font_stylesheets())
    for path in font_files():
        assert f"url(./files/{path.name})" in stylesheets
    for weight in ("400", "700"):
        covered = set()
        for path in font_files():
            if f"-{weight}-" in path.name:
                covered |= set(TTFont(path).getBestCmap())
        missing = [ch for ch in KAZAKH_LETTERS + TENGE + "№×—·" if ord(ch) not in covered]
        assert not missing, (weight, missing)


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_pdf_holds_the_investors_figures_in_each_language(client, h, language):
    client.force_login(h.user)
    response = download(client, "fund-account-pdf", language=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="tolqyn-capital-account-{h.investor.pk}-{AS_OF.isoformat()}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response)
    row = stored(h)
    with translation.override(language):
        expected = [
            format_money(getattr(row, name)) for name in ("commitment", "paid_in", "unfunded", "nav_share")
        ]
        expected += [format_multiple(row.tvpi), format_multiple(row.dpi), format_pct(row.net_irr)]
        expected += [format_money(Decimal("4000000.00")), format_money(Decimal("2000000.00"))]
    flat = " ".join(text.split())  # the extractor's spaces and line breaks are not ours
    for value in expected:
        assert " ".join(value.split()) in flat, value
    assert TENGE in text
    assert KAZAKH_NAME.split()[0] in text  # Әліби
    if language == "kk":
        assert "Капитал шоты бойынша үзінді көшірме" in flat
        assert not [letter for letter in "әғқңөұүһі" if letter not in text.lower()]


def test_every_glyph_of_the_pdf_is_drawn_with_the_statement_font(client, h):
    """A glyph the font lacks would make Pango fall back to another installed font, which the PDF would then
    embed: so every embedded font must be Noto Sans."""
    client.force_login(h.user)
    for language in ("en", "ru", "kk"):
        fonts = pdf_fonts(download(client, "fund-account-pdf", language=language))
        assert fonts and all(name.startswith(FONT_FAMILY.replace(" ", "-")) for name in fonts), fonts


def test_a_statement_with_no_activity_is_a_valid_document_that_says_so(client, fund):
    user = UserFactory(username="newcomer")
    investor = InvestorFactory(name="Newcomer Qazaqstan")
    investor.users.add(user)
    CommitmentFactory(fund=fund, investor=investor)
    client.force_login(user)
    pdf = download(client, "fund-account-pdf", language="kk")
    assert pdf.status_code == 200
    text = " ".join(pdf_text(pdf).split())
    assert "Newcomer Qazaqstan" in text
    assert "Осы күнге немесе одан ерте капитал шоты әлі есептелмеген." in text
    assert "Бұл инвестордан әлі капитал талап етілмеген және оған әлі ештеңе бөлінбеген." in text
    rows = csv_rows(download(client, "fund-account-csv"))
    notes = {row["key"] for row in rows if row["section"] == "note"}
    assert notes == {"no_account", "no_activity"}
    assert not [
        row for row in rows if row["section"] in ("figure", "capital_call", "payment", "distribution")
    ]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_pdf_names_the_funds_legal_form_in_the_readers_language(client, fund, h, language):
    form = "Open-ended investment company (AIFC)"
    fund.legal_form = form
    fund.save(update_fields=["legal_form"])
    with translation.override(language):
        translated = translation.gettext(form)
    assert translated != form
    client.force_login(h.user)
    flat = " ".join(pdf_text(download(client, "fund-account-pdf", language=language)).split())
    assert " ".join(translated.split()) in flat
