"""The shape of the demo data: plain, frozen descriptions that the builder turns into records."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from portfolio.models import (
    CapitalCall,
    Disbursement,
)

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
    """A disbursement against a tranche. `date` is the payment date (paid), approval date (approved),
    rejection date (rejected, `note` being the reason) or request date (requested). Without `usd` or `rest`
    it is the whole tranche."""

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
    # When the commitment changed after approval: what was approved, then each (date, new amount, reason);
    # `commitment` is where that history ends.
    approved_commitment: Decimal | None = None
    commitment_changes: tuple[tuple[datetime.date, Decimal, str], ...] = ()

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
