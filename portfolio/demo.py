"""The demo data set: two funds, their projects and money, FX rates and five accounts to log in with.

Everything is dated from fixed dates (never from today), so the figures are the same on every machine and
every run. Seeding twice changes nothing: non-money rows are found by their natural keys, and a fund's
ledger (calls, payments, disbursements, receipts, valuations, distributions) is written only when the fund
has none yet, because paid money records are permanent and must never be updated or deleted to "fix" them.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import (
    CapitalCall,
    CapitalCallItem,
    CapitalCallPayment,
    Commitment,
    Disbursement,
    Distribution,
    DistributionItem,
    Fund,
    FxRate,
    Investor,
    Project,
    Receipt,
    Stage,
    Tranche,
    Valuation,
)
from portfolio.money import quantize_money
from portfolio.roles import sync_fund_manager_group
from portfolio.services.projects import project_stage_change

DEMO_PASSWORD = "tolqyn-demo-2026"
DEMO_TODAY = datetime.date(2026, 11, 26)
# The first dated record of the demo (the first commitment); FX rates run from here to DEMO_TODAY.
DATA_START = datetime.date(2025, 1, 20)
FX_CURRENCY = "USD"
FX_SOURCE = "NBK"

D = datetime.date
M = Decimal  # amounts are written as strings so no float ever touches them

CONDITIONS = {
    1: "Signed investment agreement; chain of title; approved budget and finance plan.",
    2: "Start of principal photography confirmed; completion bond; production insurance; shooting schedule.",
    3: "Completion of the film; audited final cost statement; delivery materials accepted.",
}


# --- the shape of the data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    username: str
    first_name: str
    last_name: str
    is_staff: bool = False
    is_superuser: bool = False


@dataclass(frozen=True)
class InvestorSpec:
    name: str
    kind: str
    country: str
    email: str
    commitment: Decimal
    date: datetime.date
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """One payment against a call item: a share of the item, a USD amount, or (neither) what is left."""

    date: datetime.date
    share: Decimal | None = None
    usd: Decimal | None = None


@dataclass(frozen=True)
class CallSpec:
    number: int
    call_date: datetime.date
    due_date: datetime.date
    amount: Decimal
    note: str
    payments: dict[str, tuple[Part, ...]]
    purpose: str = CapitalCall.Purpose.INVESTMENT


@dataclass(frozen=True)
class DistributionSpec:
    number: int
    date: datetime.date
    amount: Decimal
    kind: str
    note: str


@dataclass(frozen=True)
class TrancheSpec:
    """A share of the project commitment in sixths (RTR style); `on` is a date or a stage."""

    number: int
    sixths: int
    planned_date: datetime.date
    on: datetime.date | str
    status: str


@dataclass(frozen=True)
class Pay:
    """A disbursement against a tranche. `date` is the payment date (paid), approval date (approved) or
    request date (requested). Without `usd` or `rest` it is the whole tranche."""

    tranche: int
    date: datetime.date
    status: str = Disbursement.Status.PAID
    usd: Decimal | None = None
    rest: bool = False
    note: str = ""


@dataclass(frozen=True)
class Reverse:
    """A reversal of the disbursement just before it (all of it unless `amount` is given)."""

    date: datetime.date
    note: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class ReceiptSpec:
    date: datetime.date
    source: str
    note: str
    amount: Decimal | None = None
    usd: Decimal | None = None


@dataclass(frozen=True)
class ProjectSpec:
    slug: str
    title: str
    original_title: str
    format: str
    genre: str
    language: str
    director: str
    producer: str
    production_company: str
    total_budget: Decimal
    commitment: Decimal
    instrument: str
    expected_release: datetime.date
    stages: tuple[tuple[str, datetime.date], ...]
    tranches: tuple[TrancheSpec, ...]
    disbursements: tuple[Pay | Reverse, ...] = ()
    receipts: tuple[ReceiptSpec, ...] = ()
    valuations: tuple[tuple[datetime.date, Decimal, str], ...] = ()
    stage_note: str = ""

    @property
    def approval_date(self) -> datetime.date:
        return self.stages[0][1]


@dataclass(frozen=True)
class FundSpec:
    slug: str
    code: str  # prefix of the demo bank references
    name: str
    legal_form: str
    target_size: Decimal
    band: tuple[int, int]
    period: tuple[datetime.date, datetime.date]
    concentration_cap_pct: Decimal
    status: str
    managers: tuple[str, ...]
    investors: tuple[InvestorSpec, ...]
    calls: tuple[CallSpec, ...]
    projects: tuple[ProjectSpec, ...]
    distributions: tuple[DistributionSpec, ...] = ()


# --- the data ---------------------------------------------------------------------------------------------
# fmt: off
# (The data reads as a table: one project or investor per few lines, which the formatter would explode.)

ACCOUNTS = (
    Account("admin", "Demo", "Admin", is_staff=True, is_superuser=True),
    Account("manager", "Aruzhan", "Mukanova"),
    Account("approver", "Daniyar", "Seitkali"),
    Account("investor", "Askhat", "Ibraimov"),
    Account("outsider", "Olivia", "Outram"),
)

S, TS, PF = Stage, Tranche.Status, Project.Format
DEV, PRE, PROD, POST = S.DEVELOPMENT, S.PRE_PRODUCTION, S.PRODUCTION, S.POST_PRODUCTION
DELIV, REL, ABANDONED = S.DELIVERY, S.RELEASED, S.ABANDONED
PLANNED, ELIGIBLE, PAID, CANCELLED = TS.PLANNED, TS.ELIGIBLE, TS.PAID, TS.CANCELLED
FEATURE, DOC, ANIMATION, SERIES = PF.FEATURE, PF.DOCUMENTARY, PF.ANIMATION, PF.SERIES
EQUITY, LOAN, GAP = Project.Instrument.EQUITY, Project.Instrument.LOAN, Project.Instrument.GAP
KK, RU, EN = Project.Language.KAZAKH, Project.Language.RUSSIAN, Project.Language.ENGLISH
SRC = Receipt.Source


def _rtr(signing, t1, t2_planned, t2, t3_planned, t3, t1_planned=None) -> tuple[TrancheSpec, ...]:
    """RTR-style schedule: 3/6 on signing, 2/6 at the start of shooting, 1/6 on delivery."""
    return (
        TrancheSpec(1, 3, t1_planned or signing, signing, t1),
        TrancheSpec(2, 2, t2_planned, PROD, t2),
        TrancheSpec(3, 1, t3_planned, DELIV, t3),
    )


TOLQYN_PROJECTS = (
    ProjectSpec(
        "dala-ani", "Дала әні", "Song of the Steppe", FEATURE, "Drama", KK,
        "Aisulu Temirkhanova", "Nurlan Abenov", "Kokzhiek Pictures LLP", M("640000000.00"), M("288000000.00"),
        EQUITY, D(2026, 3, 6),
        stages=((DEV, D(2025, 3, 20)), (PRE, D(2025, 4, 25)), (PROD, D(2025, 6, 2)), (POST, D(2025, 8, 15)),
                (DELIV, D(2025, 12, 10)), (REL, D(2026, 3, 6))),
        tranches=_rtr(D(2025, 4, 21), PAID, D(2025, 6, 2), PAID, D(2025, 12, 10), PAID),
        disbursements=(Pay(1, D(2025, 4, 24)), Pay(2, D(2025, 6, 5)), Pay(3, D(2025, 12, 18))),
        receipts=(
            ReceiptSpec(D(2026, 4, 10), SRC.BOX_OFFICE, "Box office, first five weeks, net of exhibitors",
                        M("62400000.00")),
            ReceiptSpec(D(2026, 5, 12), SRC.BOX_OFFICE, "Box office, weeks 6–9", M("41850000.00")),
            ReceiptSpec(D(2026, 6, 15), SRC.BOX_OFFICE, "Box office, end of the run", M("18320000.00")),
            ReceiptSpec(D(2026, 8, 20), SRC.TV, "Free-TV licence, three years", M("35000000.00")),
            ReceiptSpec(D(2026, 10, 5), SRC.STREAMING, "SVOD licence, Central Asia", M("28000000.00")),
        ),
        valuations=((D(2025, 12, 31), M("288000000.00"), "At cost"),
                    (D(2026, 3, 31), M("330000000.00"), "Strong opening weekend"),
                    (D(2026, 6, 30), M("250000000.00"), "After theatrical receipts"),
                    (D(2026, 9, 30), M("215000000.00"), "Remaining TV and streaming windows")),
    ),
    ProjectSpec(
        "stepnoy-veter", "Степной ветер", "Steppe Wind", FEATURE, "Thriller", RU,
        "Igor Lavrentiev", "Marat Zhaksylykov", "Altyn Tau Production LLP", M("810000000.00"),
        M("330000000.00"), EQUITY, D(2026, 6, 12),
        stages=((DEV, D(2025, 4, 10)), (PRE, D(2025, 6, 16)), (PROD, D(2025, 9, 1)), (POST, D(2025, 11, 10)),
                (DELIV, D(2026, 4, 20)), (REL, D(2026, 6, 12))),
        tranches=_rtr(D(2025, 5, 5), PAID, D(2025, 9, 1), PAID, D(2026, 4, 20), PAID),
        disbursements=(Pay(1, D(2025, 5, 8)), Pay(2, D(2025, 9, 4)), Pay(3, D(2026, 4, 28))),
        receipts=(
            ReceiptSpec(D(2026, 7, 15), SRC.BOX_OFFICE, "Box office, first month", M("54200000.00")),
            ReceiptSpec(D(2026, 8, 14), SRC.BOX_OFFICE, "Box office, end of the run", M("31600000.00")),
            ReceiptSpec(D(2026, 10, 20), SRC.STREAMING, "Worldwide SVOD licence, paid in USD",
                        usd=M("120000.00")),
            ReceiptSpec(D(2026, 11, 16), SRC.TV, "Pay-TV licence, two years", M("22000000.00")),
        ),
        valuations=((D(2026, 6, 30), M("345000000.00"), "Release"),
                    (D(2026, 9, 30), M("300000000.00"), "After theatrical receipts")),
    ),
    ProjectSpec(
        "the-last-nomad", "The Last Nomad", "Соңғы көшпенді", FEATURE, "Historical adventure", EN,
        "Daniel Whitcombe", "Saltanat Ormanova", "Great Steppe Pictures LLP with Harrow Lane Films (UK)",
        M("2450000000.00"), M("810000000.00"), EQUITY, D(2027, 9, 1),
        stages=((DEV, D(2025, 5, 15)), (PRE, D(2025, 9, 1)), (PROD, D(2026, 4, 6)), (POST, D(2026, 8, 31))),
        tranches=_rtr(D(2025, 6, 16), PAID, D(2026, 4, 6), PAID, D(2027, 3, 1), PLANNED),
        disbursements=(
            Pay(1, D(2025, 6, 19)),
            Pay(2, D(2026, 4, 9), usd=M("200000.00"), note="UK co-producer's share, paid in USD"),
            Pay(2, D(2026, 4, 9), rest=True, note="Kazakh production company's share"),
        ),
        valuations=((D(2025, 12, 31), M("405000000.00"), "At cost"),
                    (D(2026, 3, 31), M("405000000.00"), "At cost"),
                    (D(2026, 6, 30), M("675000000.00"), "At cost"),
                    (D(2026, 9, 30), M("720000000.00"), "Festival selection and pre-sales")),
    ),
    ProjectSpec(
        "altyn-kol", "Алтын көл", "The Golden Lake", ANIMATION, "Family adventure", KK,
        "Zhanar Kulmaganbetova", "Bolat Serikbayev", "Qyran Animation Studio LLP", M("960000000.00"),
        M("384000000.00"), EQUITY, D(2027, 12, 15),
        stages=((DEV, D(2025, 7, 1)), (PRE, D(2025, 10, 1)), (PROD, D(2026, 2, 2))),
        tranches=_rtr(D(2025, 8, 1), PAID, D(2026, 2, 2), PAID, D(2027, 9, 1), PLANNED),
        disbursements=(Pay(1, D(2025, 8, 5)), Pay(2, D(2026, 3, 26))),
        valuations=((D(2026, 6, 30), M("320000000.00"), "At cost"),
                    (D(2026, 9, 30), M("320000000.00"), "At cost")),
    ),
    ProjectSpec(
        "zhylqyshy", "Жылқышы", "The Horse Herder", DOC, "Observational documentary", KK,
        "Askar Baimukhanov", "Dana Zhumabekova", "Ulytau Docs LLP", M("126000000.00"), M("63000000.00"),
        EQUITY, D(2027, 2, 15),
        stages=((DEV, D(2025, 6, 10)), (PRE, D(2025, 7, 7)), (PROD, D(2025, 8, 18)), (POST, D(2026, 1, 12)),
                (DELIV, D(2026, 10, 19))),
        tranches=_rtr(D(2025, 6, 30), PAID, D(2025, 8, 18), PAID, D(2026, 11, 30), ELIGIBLE),
        disbursements=(Pay(1, D(2025, 7, 1)), Pay(2, D(2025, 8, 21)),
                       Pay(3, D(2026, 11, 23), status=Disbursement.Status.APPROVED,
                           note="Final cost statement received")),
    ),
    ProjectSpec(
        "bereg", "Берег, которого нет", "The Shore That Isn't There", DOC, "Environmental documentary", RU,
        "Olga Verbitskaya", "Timur Ismailov", "Aral Media LLP", M("180000000.00"), M("90000000.00"), LOAN,
        D(2027, 4, 1),
        stages=((DEV, D(2025, 9, 15)), (PRE, D(2025, 10, 20)), (PROD, D(2026, 1, 19)),
                (POST, D(2026, 5, 25))),
        tranches=_rtr(D(2025, 9, 29), PAID, D(2026, 1, 19), PAID, D(2027, 1, 20), PLANNED),
        disbursements=(Pay(1, D(2025, 10, 1)), Pay(2, D(2026, 1, 22))),
    ),
    ProjectSpec(
        "qarakoz", "Қаракөз", "Karakoz", SERIES, "Period drama, 8 episodes", KK,
        "Bauyrzhan Sarsenbayev", "Gulnara Akhmetova", "Shanyraq Series LLP", M("1500000000.00"),
        M("540000000.00"), GAP, D(2027, 11, 1),
        stages=((DEV, D(2025, 10, 20)), (PRE, D(2026, 1, 15)), (PROD, D(2026, 10, 5))),
        tranches=_rtr(D(2025, 11, 10), PAID, D(2026, 12, 7), ELIGIBLE, D(2027, 8, 2), PLANNED),
        disbursements=(Pay(1, D(2025, 11, 12)),),
    ),
    ProjectSpec(
        "silk-road-express", "Silk Road Express", "Жібек жолы экспресі", FEATURE, "Action comedy", EN,
        "Ruslan Kadyrov", "Anna Petrenko", "Caravan Screen LLP", M("1800000000.00"), M("600000000.00"), GAP,
        D(2027, 12, 1),
        stages=((DEV, D(2026, 2, 20)), (PRE, D(2026, 6, 1))),
        tranches=_rtr(D(2026, 3, 25), PAID, D(2027, 1, 18), PLANNED, D(2027, 10, 4), PLANNED),
        disbursements=(Pay(1, D(2026, 3, 30)),),
    ),
    ProjectSpec(
        "teni-baikonura", "Тени Байконура", "Shadows of Baikonur", SERIES,
        "Science-fiction drama, 6 episodes", RU, "Pavel Sokolovsky", "Dinara Sultanbekova",
        "Kosmos Content LLP", M("1350000000.00"), M("480000000.00"), EQUITY, D(2028, 2, 1),
        stages=((DEV, D(2026, 7, 15)), (PRE, D(2026, 10, 12))),
        tranches=_rtr(D(2026, 8, 28), PAID, D(2027, 3, 1), PLANNED, D(2027, 12, 1), PLANNED),
        disbursements=(
            Pay(1, D(2026, 9, 1)),
            Reverse(D(2026, 9, 4), "Returned by the beneficiary's bank: wrong account details"),
            Pay(1, D(2026, 9, 8), note="Sent again to the corrected account"),
        ),
    ),
    ProjectSpec(
        "bori", "Бөрі", "The Wolf", FEATURE, "Western", KK,
        "Kanat Zhetpisbayev", "Aliya Dauletova", "Ak Zhol Films LLP", M("540000000.00"), M("216000000.00"),
        EQUITY, D(2028, 5, 1),
        stages=((DEV, D(2026, 10, 28)),),
        tranches=_rtr(D(2026, 12, 15), PLANNED, D(2027, 5, 3), PLANNED, D(2028, 1, 15), PLANNED),
    ),
    ProjectSpec(
        "tungi-almaty", "Түнгі Алматы", "Almaty After Dark", FEATURE, "Romantic comedy", KK,
        "Aruzhan Kemelbekova", "Yerzhan Bekturov", "Medeu Pictures LLP", M("300000000.00"), M("120000000.00"),
        LOAN, D(2027, 10, 15),
        stages=((DEV, D(2026, 9, 28)),),
        tranches=_rtr(D(2026, 11, 16), ELIGIBLE, D(2027, 3, 15), PLANNED, D(2027, 8, 16), PLANNED,
                      t1_planned=D(2026, 12, 1)),
        disbursements=(Pay(1, D(2026, 11, 24), status=Disbursement.Status.REQUESTED,
                           note="Loan agreement signed on 16 November"),),
    ),
    ProjectSpec(
        "posledniy-karavan", "Последний караван", "The Last Caravan", FEATURE, "Adventure", RU,
        "Sergei Malinin", "Yerbol Tokhtarov", "Sary-Arka Film LLP", M("700000000.00"), M("252000000.00"),
        EQUITY, D(2026, 9, 1),
        stages=((DEV, D(2025, 5, 26)), (PRE, D(2025, 8, 1)), (ABANDONED, D(2025, 11, 24))),
        stage_note="No completion bond after the lead actor withdrew",
        tranches=_rtr(D(2025, 6, 16), PAID, D(2025, 12, 1), CANCELLED, D(2026, 6, 1), CANCELLED),
        disbursements=(Pay(1, D(2025, 6, 20)),),
        receipts=(ReceiptSpec(D(2026, 2, 16), SRC.OTHER, "Unspent pre-production money returned",
                              M("38500000.00")),),
        valuations=((D(2025, 12, 31), M("0.00"), "Written off after abandonment"),),
    ),
)

QMH, SPP, ADC, NVL, ASA, TBE, SFO = (
    "Qazaq Media Holding JSC",
    "Steppe Pension Partners",
    "Altyn Dala Capital LLP",
    "Nomad Ventures Ltd.",
    "Aigerim Sadykova",
    "Timur Bekov",
    "Saule Family Office",
)
INSTITUTIONAL, INDIVIDUAL = Investor.Kind.INSTITUTIONAL, Investor.Kind.INDIVIDUAL

TOLQYN = FundSpec(
    slug="tolqyn",
    code="TLQ",
    name="Tolqyn Film Fund OEIC Ltd.",
    legal_form="Open-ended investment company (AIFC)",
    target_size=M("5500000000.00"),
    band=(15, 20),
    period=(D(2025, 3, 1), D(2028, 3, 1)),
    concentration_cap_pct=M("15.00"),
    status=Fund.Status.INVESTING,
    managers=("manager", "approver"),
    investors=(
        InvestorSpec(QMH, INSTITUTIONAL, "KZ", "ir@qazaqmedia.example", M("1200000000.00"), D(2025, 1, 20)),
        InvestorSpec(SPP, INSTITUTIONAL, "KZ", "funds@steppepension.example", M("1000000000.00"),
                     D(2025, 1, 24)),
        InvestorSpec(ADC, INSTITUTIONAL, "KZ", "office@altyndala.example", M("800000000.00"), D(2025, 2, 3),
                     users=("investor",)),
        InvestorSpec(NVL, INSTITUTIONAL, "GB", "lp@nomadventures.example", M("600000000.00"), D(2025, 2, 10)),
        InvestorSpec(ASA, INDIVIDUAL, "KZ", "a.sadykova@mail.example", M("400000000.00"), D(2025, 2, 14)),
        InvestorSpec(TBE, INDIVIDUAL, "KZ", "t.bekov@mail.example", M("350000000.00"), D(2025, 2, 21)),
        InvestorSpec(SFO, INSTITUTIONAL, "KZ", "invest@saulefamily.example", M("250000000.00"),
                     D(2025, 2, 27)),
    ),
    calls=(
        CallSpec(
            1, D(2025, 4, 1), D(2025, 4, 16), M("1850000000.00"), "First drawdown: first six projects.",
            payments={
                QMH: (Part(D(2025, 4, 10)),),
                SPP: (Part(D(2025, 4, 14)),),
                ADC: (Part(D(2025, 4, 9)),),
                NVL: (Part(D(2025, 4, 15)),),
                ASA: (Part(D(2025, 4, 11)),),
                TBE: (Part(D(2025, 4, 10), share=M("0.6")), Part(D(2025, 4, 22))),
                SFO: (Part(D(2025, 4, 16)),),
            },
        ),
        CallSpec(
            2, D(2026, 3, 2), D(2026, 3, 17), M("1400000000.00"), "Second drawdown: 2026 shooting tranches.",
            payments={
                QMH: (Part(D(2026, 3, 12)),),
                SPP: (Part(D(2026, 3, 16)),),
                ADC: (Part(D(2026, 3, 17), share=M("0.5")), Part(D(2026, 5, 15))),
                NVL: (Part(D(2026, 3, 20), usd=M("250000.00")),),
                ASA: (Part(D(2026, 3, 10), share=M("0.5")), Part(D(2026, 4, 2))),
                SFO: (Part(D(2026, 3, 25), share=M("0.5")),),
                # Timur Bekov has not paid call 2 yet.
            },
        ),
    ),
    distributions=(
        DistributionSpec(1, D(2026, 9, 30), M("150000000.00"), Distribution.Kind.RETURN_OF_CAPITAL,
                         "Receipts of Дала әні and Степной ветер."),
    ),
    projects=TOLQYN_PROJECTS,
)

STEPPE_DOCS = FundSpec(
    slug="steppe-docs",
    code="SDF",
    name="Steppe Documentary Fund",
    legal_form="Private fund (AIFC)",
    target_size=M("800000000.00"),
    band=(5, 8),
    period=(D(2026, 1, 15), D(2029, 1, 15)),
    concentration_cap_pct=M("15.00"),
    status=Fund.Status.INVESTING,
    # One management company runs both funds, so the same two managers keep four eyes on both.
    managers=("manager", "approver"),
    investors=(
        InvestorSpec("Outsider Capital", INSTITUTIONAL, "KZ", "lp@outsidercapital.example", M("300000000.00"),
                     D(2026, 1, 20), users=("outsider",)),
    ),
    calls=(
        CallSpec(1, D(2026, 2, 2), D(2026, 2, 16), M("90000000.00"), "First drawdown.",
                 payments={"Outsider Capital": (Part(D(2026, 2, 12)),)}),
    ),
    projects=(
        ProjectSpec(
            "aral-dauystary", "Арал дауыстары", "Voices of the Aral", DOC, "Environmental documentary", KK,
            "Gaukhar Nurpeissova", "Arman Kassymov", "Qyzylorda Docs LLP", M("95000000.00"), M("60000000.00"),
            EQUITY, D(2027, 6, 1),
            stages=((DEV, D(2026, 2, 20)), (PRE, D(2026, 3, 16)), (PROD, D(2026, 6, 15))),
            tranches=_rtr(D(2026, 3, 9), PAID, D(2026, 6, 15), PAID, D(2027, 2, 1), PLANNED),
            disbursements=(Pay(1, D(2026, 3, 10)), Pay(2, D(2026, 6, 17))),
        ),
        ProjectSpec(
            "snow-leopard-country", "Snow Leopard Country", "Ілбіс елі", DOC, "Nature documentary", EN,
            "Hannah Greaves", "Yerlan Mukhamediyarov", "Tien Shan Wild LLP", M("110000000.00"),
            M("66000000.00"), EQUITY, D(2027, 11, 1),
            stages=((DEV, D(2026, 5, 18)), (PRE, D(2026, 9, 7))),
            tranches=_rtr(D(2026, 6, 29), PAID, D(2027, 1, 11), PLANNED, D(2027, 9, 1), PLANNED),
            disbursements=(Pay(1, D(2026, 7, 1)),),
        ),
        ProjectSpec(
            "solyanoy-put", "Соляной путь", "The Salt Road", DOC, "Road documentary", RU,
            "Vera Kozlovskaya", "Nurzhan Ablayev", "Balkhash Film LLP", M("70000000.00"), M("42000000.00"),
            LOAN, D(2027, 12, 1),
            stages=((DEV, D(2026, 10, 5)),),
            tranches=_rtr(D(2026, 12, 1), PLANNED, D(2027, 4, 5), PLANNED, D(2027, 10, 1), PLANNED),
        ),
    ),
)

FUNDS = (TOLQYN, STEPPE_DOCS)
# fmt: on


# --- building -------------------------------------------------------------------------------------------


def usd_rates(
    start: datetime.date = DATA_START, end: datetime.date = DEMO_TODAY
) -> dict[datetime.date, Decimal]:
    """A plausible KZT/USD series, one rate a calendar day, the same on every run.

    Integer tiyn arithmetic and a seeded generator keep it free of float and of the clock: a slow swing
    between about 475 and 515 (the target), mean reversion towards it, and a little daily noise.
    """
    rng = random.Random(2026)
    rates = {}
    tiyn = 50500
    for offset in range((end - start).days + 1):
        phase = offset % 360
        target = 47500 + 4000 * min(phase, 360 - phase) // 180
        tiyn += (target - tiyn) // 40 + rng.randint(-120, 120)
        tiyn = max(45200, min(52800, tiyn))
        rates[start + datetime.timedelta(days=offset)] = Decimal(tiyn) / 100
    return rates


def split_pro_rata(total: Decimal, weights: dict) -> dict:
    """Split `total` in proportion to `weights`, each part rounded half-up to 0.01; the rounding remainder
    goes to the largest weight so the parts add up to the total exactly."""
    whole = sum(weights.values())
    parts = {key: quantize_money(total * weight / whole) for key, weight in weights.items()}
    largest = max(weights, key=lambda key: weights[key])
    parts[largest] += total - sum(parts.values())
    return parts


def _save(obj):
    # Every demo row passes the validation the admin applies: the demo never shows data a form would refuse.
    obj.full_clean()
    obj.save()
    return obj


def _at(date: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


class _Builder:
    def __init__(self):
        self.users = {}
        self.rates = {}

    def usd(self, date: datetime.date, original: Decimal) -> dict:
        rate = self.rates[date]
        return {
            "amount": quantize_money(original * rate),
            "original_currency": FX_CURRENCY,
            "original_amount": original,
            "fx_rate": rate,
            "fx_rate_date": date,
        }

    def fx_rates(self) -> None:
        FxRate.objects.bulk_create(
            [
                FxRate(currency=FX_CURRENCY, date=date, rate=rate, source=FX_SOURCE)
                for date, rate in usd_rates().items()
            ],
            ignore_conflicts=True,
        )
        # A rate already in the table (say, a real one an admin entered) wins; records must use that one.
        self.rates = dict(
            FxRate.objects.filter(currency=FX_CURRENCY, date__range=(DATA_START, DEMO_TODAY)).values_list(
                "date", "rate"
            )
        )

    def accounts(self) -> None:
        User = get_user_model()
        for account in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=account.username,
                defaults={
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "email": f"{account.username}@tolqyn.example",
                    "is_staff": account.is_staff,
                    "is_superuser": account.is_superuser,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            elif account.is_superuser and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            self.users[account.username] = user
        group = sync_fund_manager_group()
        group.user_set.add(self.users["manager"], self.users["approver"])

    def fund(self, spec: FundSpec) -> Fund:
        fund = Fund.objects.filter(slug=spec.slug).first()
        if fund is None:
            fund = _save(
                Fund(
                    slug=spec.slug,
                    name=spec.name,
                    legal_form=spec.legal_form,
                    target_size=spec.target_size,
                    project_band_min=spec.band[0],
                    project_band_max=spec.band[1],
                    investment_period_start=spec.period[0],
                    investment_period_end=spec.period[1],
                    concentration_cap_pct=spec.concentration_cap_pct,
                    status=spec.status,
                )
            )
        fund.managers.add(*(self.users[name] for name in spec.managers))
        investors = {}
        for item in spec.investors:
            investor = Investor.objects.filter(name=item.name).first() or _save(
                Investor(name=item.name, kind=item.kind, country=item.country, email=item.email)
            )
            investor.users.add(*(self.users[name] for name in item.users))
            if not Commitment.objects.filter(investor=investor, fund=fund).exists():
                _save(Commitment(investor=investor, fund=fund, amount=item.commitment, date=item.date))
            investors[item.name] = investor
        projects = {project.slug: self.project(fund, project) for project in spec.projects}
        if not self.ledger_exists(fund):
            self.ledger(fund, spec, investors, projects)
        return fund

    def project(self, fund: Fund, spec: ProjectSpec) -> Project:
        project = Project.objects.filter(fund=fund, slug=spec.slug).first()
        if project is not None:
            return project
        project = _save(
            Project(
                fund=fund,
                slug=spec.slug,
                title=spec.title,
                original_title=spec.original_title,
                format=spec.format,
                genre=spec.genre,
                language=spec.language,
                director=spec.director,
                producer=spec.producer,
                production_company=spec.production_company,
                total_budget=spec.total_budget,
                commitment=spec.commitment,
                instrument=spec.instrument,
                approval_date=spec.approval_date,
                expected_release=spec.expected_release,
            )
        )
        for stage, date in spec.stages:
            note = spec.stage_note if stage == ABANDONED else ""
            project_stage_change(
                project=project, stage=stage, date=date, user=self.users["manager"], note=note
            )
        amounts = [quantize_money(spec.commitment * tranche.sixths / 6) for tranche in spec.tranches]
        amounts[-1] = spec.commitment - sum(amounts[:-1])  # the schedule adds up to the commitment exactly
        for tranche, amount in zip(spec.tranches, amounts, strict=True):
            by_date = isinstance(tranche.on, datetime.date)
            _save(
                Tranche(
                    project=project,
                    number=tranche.number,
                    amount=amount,
                    planned_date=tranche.planned_date,
                    trigger=Tranche.Trigger.DATE if by_date else Tranche.Trigger.STAGE,
                    trigger_date=tranche.on if by_date else None,
                    trigger_stage="" if by_date else tranche.on,
                    conditions=CONDITIONS[tranche.number],
                    status=tranche.status,
                )
            )
        return project

    @staticmethod
    def ledger_exists(fund: Fund) -> bool:
        return (
            CapitalCall.objects.filter(fund=fund).exists()
            or Distribution.objects.filter(fund=fund).exists()
            or Disbursement.objects.filter(project__fund=fund).exists()
            or Receipt.objects.filter(project__fund=fund).exists()
            or Valuation.objects.filter(project__fund=fund).exists()
        )

    def ledger(self, fund: Fund, spec: FundSpec, investors: dict, projects: dict) -> None:
        commitments = dict(Commitment.objects.filter(fund=fund).values_list("investor_id", "amount"))
        by_id = {investor.pk: name for name, investor in investors.items()}
        references = _References(spec.code)
        for call_spec in spec.calls:
            call = _save(
                CapitalCall(
                    fund=fund,
                    number=call_spec.number,
                    call_date=call_spec.call_date,
                    due_date=call_spec.due_date,
                    purpose=call_spec.purpose,
                    amount=call_spec.amount,
                    note=call_spec.note,
                )
            )
            for investor_id, amount in split_pro_rata(call_spec.amount, commitments).items():
                item = _save(CapitalCallItem(capital_call=call, investor_id=investor_id, amount=amount))
                paid = Decimal("0.00")
                for part in call_spec.payments.get(by_id.get(investor_id), ()):
                    if part.usd is not None:
                        money = self.usd(part.date, part.usd)
                    elif part.share is not None:
                        money = {"amount": quantize_money(amount * part.share)}
                    else:
                        money = {"amount": amount - paid}
                    payment = CapitalCallPayment(
                        item=item, date=part.date, bank_reference=references.next("IN", part.date), **money
                    )
                    paid += _save(payment).amount
        for project_spec in spec.projects:
            self.project_ledger(projects[project_spec.slug], project_spec, references)
        for dist_spec in spec.distributions:
            self.distribution(fund, dist_spec, commitments)

    def project_ledger(self, project: Project, spec: ProjectSpec, references: "_References") -> None:
        manager, approver = self.users["manager"], self.users["approver"]
        tranches = {tranche.number: tranche for tranche in project.tranches.all()}
        paid_on = {number: Decimal("0.00") for number in tranches}
        previous = None
        for entry in spec.disbursements:
            if isinstance(entry, Reverse):
                amount = -(entry.amount if entry.amount is not None else previous.amount)
                previous = _save(
                    Disbursement(
                        project=project,
                        tranche=previous.tranche,
                        amount=amount,
                        status=Disbursement.Status.PAID,
                        requested_by=manager,
                        requested_at=_at(entry.date - datetime.timedelta(days=1)),
                        approved_by=approver,
                        approved_at=_at(entry.date, 9),
                        paid_date=entry.date,
                        bank_reference=references.next("RET", entry.date),
                        reverses=previous,
                        note=entry.note,
                    )
                )
                paid_on[previous.tranche.number] += amount
                continue
            tranche = tranches[entry.tranche]
            if entry.usd is not None:
                money = self.usd(entry.date, entry.usd)
            elif entry.rest:
                money = {"amount": tranche.amount - paid_on[tranche.number]}
            else:
                money = {"amount": tranche.amount}
            is_paid = entry.status == Disbursement.Status.PAID
            is_requested = entry.status == Disbursement.Status.REQUESTED
            # Four eyes: the manager asks, the approver approves days later, the bank pays the day after.
            requested_on = entry.date - datetime.timedelta(days=0 if is_requested else 3)
            approved_on = entry.date - datetime.timedelta(days=1 if is_paid else 0)
            previous = _save(
                Disbursement(
                    project=project,
                    tranche=tranche,
                    status=entry.status,
                    requested_by=manager,
                    requested_at=_at(requested_on),
                    approved_by=None if is_requested else approver,
                    approved_at=None if is_requested else _at(approved_on),
                    paid_date=entry.date if is_paid else None,
                    bank_reference=references.next("OUT", entry.date) if is_paid else "",
                    note=entry.note,
                    **money,
                )
            )
            if is_paid:
                paid_on[tranche.number] += previous.amount
        for receipt in spec.receipts:
            money = (
                self.usd(receipt.date, receipt.usd) if receipt.usd is not None else {"amount": receipt.amount}
            )
            _save(
                Receipt(project=project, date=receipt.date, source=receipt.source, note=receipt.note, **money)
            )
        for date, amount, note in spec.valuations:
            _save(
                Valuation(
                    project=project, date=date, amount=amount, note=note, recorded_by=self.users["manager"]
                )
            )

    @staticmethod
    def distribution(fund: Fund, spec: DistributionSpec, commitments: dict) -> None:
        distribution = _save(
            Distribution(fund=fund, number=spec.number, date=spec.date, kind=spec.kind, note=spec.note)
        )
        # Items go in while the distribution is still planned: the database refuses new items of a paid one.
        for investor_id, amount in split_pro_rata(spec.amount, commitments).items():
            _save(DistributionItem(distribution=distribution, investor_id=investor_id, amount=amount))
        distribution.status = Distribution.Status.PAID
        distribution.full_clean()
        distribution.save(update_fields=["status"])


class _References:
    """Bank references of the demo payments, numbered in the order they are written."""

    def __init__(self, code: str):
        self.code = code
        self.count = 0

    def next(self, kind: str, date: datetime.date) -> str:
        self.count += 1
        return f"{self.code}-{kind}-{date:%Y%m%d}-{self.count:03d}"


def _total(queryset, field: str = "amount") -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or Decimal("0.00")


def fund_figures(fund: Fund) -> dict[str, Decimal]:
    """The headline money figures of a fund today, for the summary (the real metrics live in snapshots)."""
    paid = Disbursement.objects.filter(project__fund=fund, status=Disbursement.Status.PAID)
    allocated = _total(fund.projects.exclude(stage=Stage.ABANDONED), "commitment") + _total(
        paid.filter(project__stage=Stage.ABANDONED)
    )
    distributed = DistributionItem.objects.filter(
        distribution__fund=fund, distribution__status=Distribution.Status.PAID
    )
    return {
        "target_size": fund.target_size,
        "committed_capital": _total(fund.commitments.all()),
        "allocated": allocated,
        "disbursed": _total(paid),
        "paid_in": _total(CapitalCallPayment.objects.filter(item__capital_call__fund=fund)),
        "distributed": _total(distributed),
        "receipts": _total(Receipt.objects.filter(project__fund=fund)),
    }


def seed_demo(stdout=None) -> dict:
    """Create (or complete) the demo data set in one transaction and return a summary of it."""
    builder = _Builder()
    with transaction.atomic():
        builder.fx_rates()
        builder.accounts()
        funds = [builder.fund(spec) for spec in FUNDS]
    summary = {
        "funds": {
            fund.slug: {
                "projects": fund.projects.count(),
                "investors": fund.commitments.count(),
                **fund_figures(fund),
            }
            for fund in funds
        },
        "fx_rates": FxRate.objects.filter(currency=FX_CURRENCY, date__range=(DATA_START, DEMO_TODAY)).count(),
        "accounts": [account.username for account in ACCOUNTS],
        "password": DEMO_PASSWORD,
    }
    if stdout is not None:
        for line in summary_lines(summary):
            stdout.write(line)
    return summary


def summary_lines(summary: dict) -> list[str]:
    lines = []
    for slug, figures in summary["funds"].items():
        lines.append(
            _(
                "%(slug)s: projects %(projects)s, investors %(investors)s; committed %(committed)s, "
                "allocated %(allocated)s, disbursed %(disbursed)s, paid-in %(paid_in)s, "
                "distributed %(distributed)s KZT."
            )
            % {
                "slug": slug,
                "projects": figures["projects"],
                "investors": figures["investors"],
                "committed": f"{figures['committed_capital']:,.2f}",
                "allocated": f"{figures['allocated']:,.2f}",
                "disbursed": f"{figures['disbursed']:,.2f}",
                "paid_in": f"{figures['paid_in']:,.2f}",
                "distributed": f"{figures['distributed']:,.2f}",
            }
        )
    lines.append(
        _("%(count)s daily %(currency)s rates from %(start)s to %(end)s.")
        % {"count": summary["fx_rates"], "currency": FX_CURRENCY, "start": DATA_START, "end": DEMO_TODAY}
    )
    lines.append(
        _("Accounts: %(accounts)s; password for new accounts: %(password)s")
        % {"accounts": ", ".join(summary["accounts"]), "password": summary["password"]}
    )
    return lines
