"""The demo data itself: the Tolqyn fund, a second smaller fund and the accounts, dated from fixed dates."""

import datetime
from decimal import Decimal

from portfolio.models import (
    Disbursement,
    Distribution,
    Fund,
    Investor,
    Project,
    Receipt,
    Stage,
    Tranche,
)

from .specs import (
    Account,
    CallSpec,
    DistributionSpec,
    FundSpec,
    InvestorSpec,
    Part,
    Pay,
    ProjectSpec,
    ReceiptSpec,
    Reverse,
    TrancheSpec,
)

DEMO_PASSWORD = "tolqyn-demo-2026"
DEMO_TODAY = datetime.date(2026, 11, 26)
# The first dated record of the demo (the first commitment); FX rates run from here to DEMO_TODAY.
DATA_START = datetime.date(2025, 1, 20)
FX_CURRENCY = "USD"
FX_SOURCE = "NBK"

D = datetime.date
M = Decimal  # amounts are written as strings so no float ever touches them

CONDITIONS = {
    1: ("Signed investment agreement", "Chain of title", "Approved budget and finance plan"),
    2: (
        "Start of principal photography confirmed",
        "Completion bond",
        "Production insurance",
        "Shooting schedule",
    ),
    3: ("Completion of the film", "Audited final cost statement", "Delivery materials accepted"),
}


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
        approved_commitment=M("480000000.00"),
        commitment_changes=((D(2025, 11, 3), M("540000000.00"),
                             "The broadcaster ordered eight episodes instead of six"),),
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
        disbursements=(Pay(1, D(2026, 11, 18), status=Disbursement.Status.REJECTED,
                           note="Wrong beneficiary account in the request; to be requested again"),
                       Pay(1, D(2026, 11, 24), status=Disbursement.Status.REQUESTED,
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
