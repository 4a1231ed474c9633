"""The demo data set: two funds, their projects and money, FX rates and five accounts to log in with.

Every money and status record is written through the write services (`portfolio/services/`) by the demo
user who would act: the admin sets up the funds, the manager requests and records, the approver approves.
Everything is dated from fixed dates (never from today), so the figures are the same on every machine and
every run. Seeding twice changes nothing: non-money rows are found by their natural keys, and a fund's
ledger (calls, payments, disbursements, receipts, valuations, distributions) is written only when the fund
has none yet, because paid money records are permanent and must never be updated or deleted to "fix" them.
"""

from .build import fund_figures, seed_demo, summary_lines, usd_rates
from .data import DATA_START, DEMO_PASSWORD, DEMO_TODAY

__all__ = [
    "DATA_START",
    "DEMO_PASSWORD",
    "DEMO_TODAY",
    "fund_figures",
    "seed_demo",
    "summary_lines",
    "usd_rates",
]
