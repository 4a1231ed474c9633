from .capital import CapitalCall, CapitalCallItem, CapitalCallPayment, Distribution, DistributionItem
from .funds import Commitment, Fund, Investor
from .ledger import Disbursement, Receipt, Valuation
from .projects import Project, Stage, StageChange, Tranche
from .reference import FxRate, ProgressSnapshot

__all__ = [
    "CapitalCall",
    "CapitalCallItem",
    "CapitalCallPayment",
    "Commitment",
    "Disbursement",
    "Distribution",
    "DistributionItem",
    "Fund",
    "FxRate",
    "Investor",
    "ProgressSnapshot",
    "Project",
    "Receipt",
    "Stage",
    "StageChange",
    "Tranche",
    "Valuation",
]
