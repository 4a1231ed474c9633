from .capital import CapitalCall, CapitalCallItem, CapitalCallPayment, Distribution, DistributionItem
from .funds import Commitment, Fund, Investor
from .idempotency import IdempotencyKey  # noqa: F401  (the API's bookkeeping: no admin, not in __all__)
from .ledger import Disbursement, Receipt, Valuation
from .progress import CapitalAccount, ProgressStaleMark
from .projects import PIPELINE, Project, ProjectCommitmentChange, Stage, StageChange
from .reference import FxRate, ProgressSnapshot
from .tranches import Tranche, TrancheCondition

__all__ = [
    "PIPELINE",
    "CapitalAccount",
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
    "ProgressStaleMark",
    "Project",
    "ProjectCommitmentChange",
    "Receipt",
    "Stage",
    "StageChange",
    "Tranche",
    "TrancheCondition",
    "Valuation",
]
