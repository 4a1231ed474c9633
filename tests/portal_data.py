"""A fund for the portal tests: projects in every stage with tranches and payments, two investors with
calls paid, a USD rate and stored month-end snapshots (the page reads only what the engine stored)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from portfolio.models import PIPELINE, Fund, Project, Stage
from portfolio.services.progress import progress_snapshot_refresh
from tests.factories import (
    CapitalCallFactory,
    CapitalCallItemFactory,
    CapitalCallPaymentFactory,
    CommitmentFactory,
    DisbursementFactory,
    FundFactory,
    FxRateFactory,
    InvestorFactory,
    ProjectFactory,
    StageChangeFactory,
    TrancheFactory,
    UserFactory,
)

M = Decimal
D = datetime.date
FORMATS = list(Project.Format)
STAGES = [*PIPELINE, Stage.ABANDONED]
HISTORY = (D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30))


@dataclass
class Portfolio:
    fund: Fund
    investor: object  # the portal user of the first investor
    manager: object
    outsider: object  # the portal user of an investor in another fund only
    staff: object
    other_investor_name: str
    projects: list


def build_portfolio(projects: int = 3, *, slug: str = "tolqyn") -> Portfolio:
    fund = FundFactory(name="Tolqyn Film Fund OEIC Ltd.", slug=slug, legal_form="Private fund (AIFC)")
    investor_user, manager, outsider, staff = (
        UserFactory(username=f"{slug}-investor"),
        UserFactory(username=f"{slug}-manager"),
        UserFactory(username=f"{slug}-outsider"),
        UserFactory(username=f"{slug}-staff", is_staff=True),
    )
    fund.managers.add(manager)
    mine = InvestorFactory(name="Astana Pension Partners")
    mine.users.add(investor_user)
    other = InvestorFactory(name="Secret Other Investor LLP")
    CommitmentFactory(investor=mine, fund=fund, amount=M("2000000000.00"))
    CommitmentFactory(investor=other, fund=fund, amount=M("1000000000.00"))
    call = CapitalCallFactory(fund=fund, amount=M("600000000.00"))
    for investor, amount in ((mine, M("400000000.00")), (other, M("200000000.00"))):
        item = CapitalCallItemFactory(capital_call=call, investor=investor, amount=amount)
        CapitalCallPaymentFactory(item=item, amount=amount)
    # The outsider's investor is in another fund only.
    theirs = InvestorFactory(name="Steppe Docs Backer")
    theirs.users.add(outsider)
    CommitmentFactory(investor=theirs, fund=FundFactory(slug=f"{slug}-steppe"))

    commitment = (M("2500000000.00") / projects).quantize(M("0.01"))
    films = []
    for number in range(projects):
        stage = STAGES[number % len(STAGES)]
        film = ProjectFactory(
            fund=fund,
            title=f"Дала әні {number}",
            format=FORMATS[number % len(FORMATS)],
            stage=stage,
            commitment=commitment,
            total_budget=commitment * 3,
        )
        StageChangeFactory(project=film, stage=Stage.DEVELOPMENT, date=D(2025, 2, 1))
        if stage != Stage.DEVELOPMENT:
            StageChangeFactory(project=film, stage=stage, date=D(2025, 5, 1))
        first = TrancheFactory(
            project=film,
            number=1,
            amount=commitment / 2,
            trigger="date",
            trigger_stage="",
            trigger_date=D(2025, 2, 1),
            status="paid",
        )
        TrancheFactory(
            project=film,
            number=2,
            amount=commitment / 2,
            planned_date=D(2027, 3, 1),
            trigger_stage=Stage.RELEASED,
            status="planned",
        )
        DisbursementFactory(project=film, tranche=first, amount=first.amount, paid=True)
        films.append(film)
    FxRateFactory(date=D(2025, 1, 10), rate=M("454.550000"))
    for day in (*HISTORY, timezone.localdate()):
        progress_snapshot_refresh(fund_id=fund.pk, as_of=day)
    return Portfolio(fund, investor_user, manager, outsider, staff, other.name, films)
