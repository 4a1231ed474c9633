"""The one list of metrics: name, kind, unit and meaning of every figure the engine stores.

The command, the API serializers and their OpenAPI descriptions, the history endpoint and the pages all
read their keys and labels from here, so a figure added to the engine is added everywhere at once, and no
reader keeps its own copy of the key list.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MONEY = "money"  # a KZT amount with 2 places, carried as a decimal string
RATIO = "ratio"  # a plain decimal with up to 10 places; null when its denominator is zero
COUNT = "count"  # a whole number
DATE = "date"  # an ISO date, or null
BAND = "band"  # {"min", "max", "status"}
LIST = "list"  # a list of objects
STAGES = "stages"  # per stage: {"projects", "allocated", "disbursed"}

UNITS = {MONEY: "KZT", RATIO: "ratio", COUNT: "count", DATE: "date", BAND: "projects", LIST: "", STAGES: ""}

# Kinds that make a time series (one value per snapshot): the history endpoint offers these.
SCALAR_KINDS = {MONEY, RATIO, COUNT, DATE}


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str
    label: str
    description: str

    @property
    def unit(self) -> str:
        return UNITS[self.kind]


FUND_METRICS = (
    Metric("target_size", MONEY, _("Target size"), _("The fund's target size.")),
    Metric("committed_capital", MONEY, _("Committed capital"), _("Sum of investor commitments.")),
    Metric("fundraising_pct", RATIO, _("Raised of target"), _("Committed capital / target size.")),
    Metric(
        "allocated",
        MONEY,
        _("Allocated"),
        _("Commitments to projects not abandoned, plus what abandoned ones received."),
    ),
    Metric("disbursed", MONEY, _("Disbursed"), _("Paid disbursements less reversals.")),
    Metric("undisbursed_allocations", MONEY, _("Allocated, not yet paid"), _("Allocated − disbursed.")),
    Metric("available_to_allocate", MONEY, _("Available to allocate"), _("Committed capital − allocated.")),
    Metric("paid_in", MONEY, _("Paid-in capital"), _("Capital paid by investors against calls.")),
    Metric("unfunded", MONEY, _("Unfunded commitments"), _("Committed capital − paid-in.")),
    Metric("distributed", MONEY, _("Distributed"), _("Distributions paid to investors.")),
    Metric("receipts", MONEY, _("Receipts"), _("Money received back from projects.")),
    Metric(
        "nav",
        MONEY,
        _("NAV"),
        _("Projects at their latest valuation (else cost; 0 if abandoned) plus the fund's cash."),
    ),
    Metric("allocation_pct", RATIO, _("Allocated of committed"), _("Allocated / committed capital.")),
    Metric("deployment_pct", RATIO, _("Deployed of committed"), _("Disbursed / committed capital.")),
    Metric("deployment_pct_of_target", RATIO, _("Deployed of target"), _("Disbursed / target size.")),
    Metric("projects_active", COUNT, _("Active projects"), _("Projects approved and not abandoned.")),
    Metric(
        "projects_band",
        BAND,
        _("Project band"),
        _("The fund's band of projects and whether the count is below, within or above it."),
    ),
    Metric(
        "period_elapsed_pct",
        RATIO,
        _("Investment period elapsed"),
        _("Share of the investment period elapsed, between 0 and 1."),
    ),
    Metric("planned_disbursed", MONEY, _("Planned by now"), _("Committed capital × period elapsed.")),
    Metric("pace_ratio", RATIO, _("Pace against plan"), _("Disbursed / planned by now.")),
    Metric(
        "projected_full_deployment",
        DATE,
        _("Projected full deployment"),
        _("The day full deployment is reached at the pace so far."),
    ),
    Metric(
        "cash_needed_next_90_days",
        MONEY,
        _("Cash needed, next 90 days"),
        _("What tranches planned in the next 90 days still need."),
    ),
    Metric(
        "max_project_share", RATIO, _("Largest project share"), _("Largest project commitment / target size.")
    ),
    Metric(
        "concentration_breaches",
        LIST,
        _("Concentration breaches"),
        _("Projects committed above the concentration cap."),
    ),
    Metric(
        "by_stage",
        STAGES,
        _("By stage"),
        _("Per stage: how many projects, allocated and disbursed."),
    ),
    Metric("dpi", RATIO, _("DPI"), _("Distributed / paid-in.")),
    Metric("rvpi", RATIO, _("RVPI"), _("NAV / paid-in.")),
    Metric("tvpi", RATIO, _("TVPI"), _("(Distributed + NAV) / paid-in.")),
    Metric(
        "net_irr",
        RATIO,
        _("Net IRR"),
        _("XIRR of investor flows and NAV (actual/365); null when undefined."),
    ),
)

INVESTOR_METRICS = (
    Metric("commitment", MONEY, _("Commitment"), _("What the investor committed to the fund.")),
    Metric("paid_in", MONEY, _("Paid-in capital"), _("What the investor paid against calls.")),
    Metric("unfunded", MONEY, _("Unfunded commitment"), _("Commitment − paid-in.")),
    Metric("distributed", MONEY, _("Distributed"), _("Distributions paid to the investor.")),
    Metric("nav_share", MONEY, _("NAV share"), _("Fund NAV × the investor's share of paid-in.")),
    Metric("dpi", RATIO, _("DPI"), _("Distributed / paid-in.")),
    Metric("rvpi", RATIO, _("RVPI"), _("NAV share / paid-in.")),
    Metric("tvpi", RATIO, _("TVPI"), _("(Distributed + NAV share) / paid-in.")),
    Metric(
        "net_irr",
        RATIO,
        _("Net IRR"),
        _("XIRR of the investor's flows and NAV share (actual/365); null when undefined."),
    ),
)

FUND = {metric.name: metric for metric in FUND_METRICS}
INVESTOR = {metric.name: metric for metric in INVESTOR_METRICS}
# The fund-level figures that form a time series, in domain order.
SERIES = tuple(metric for metric in FUND_METRICS if metric.kind in SCALAR_KINDS)
# What a snapshot carries besides the metrics: whose and when, and the per-project rows.
CONTEXT_KEYS = ("fund", "as_of", "currency", "projects")


def names(metrics, *kinds: str) -> list[str]:
    return [metric.name for metric in metrics if not kinds or metric.kind in kinds]
