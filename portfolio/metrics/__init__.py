from .progress import compute_fund_progress, compute_progress
from .xirr import xirr, xnpv

__all__ = ["compute_fund_progress", "compute_progress", "xirr", "xnpv"]
