from .fund import FundProgress, compute_fund_progress, compute_progress, compute_targets
from .xirr import xirr, xnpv

__all__ = [
    "FundProgress",
    "compute_fund_progress",
    "compute_progress",
    "compute_targets",
    "xirr",
    "xnpv",
]
