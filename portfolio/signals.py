"""Mark a fund's progress stale when a record that feeds its metrics changes: the catch-all.

Every save and delete of such a record marks its fund stale from the record's date, in the same transaction
(`services.recompute.progress_refresh_request`), so admin, forms, services and imports all correct the stored
history without remembering to. An edit that moves a record's date marks from the earlier of its old and new
dates (the old row is read in pre_save). Bulk writes (`QuerySet.update`, `bulk_create`) send no signals:
their code calls progress_refresh_request itself.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save, pre_save

from portfolio import models
from portfolio.services.recompute import FROM_THE_START, progress_refresh_request


def _tranche_since(tranche) -> datetime.date:
    # A tranche shows in its project's rows from approval, and in the cash forecast 90 days before its date.
    return min(tranche.project.approval_date, tranche.planned_date - datetime.timedelta(days=90))


def _disbursement_since(disbursement) -> datetime.date | None:
    # Money counts from its payment date; a request or an approval changes no figure.
    return disbursement.paid_date


# model -> (its fund's id, the earliest as-of date whose figures it can change; None: none)
FUND_OF = {
    models.Fund: lambda obj: (obj.pk, FROM_THE_START),
    models.Commitment: lambda obj: (obj.fund_id, obj.date),
    models.CapitalCall: lambda obj: (obj.fund_id, obj.call_date),
    models.CapitalCallItem: lambda obj: (obj.capital_call.fund_id, obj.capital_call.call_date),
    models.CapitalCallPayment: lambda obj: (obj.item.capital_call.fund_id, obj.date),
    models.Distribution: lambda obj: (obj.fund_id, obj.date),
    models.DistributionItem: lambda obj: (obj.distribution.fund_id, obj.distribution.date),
    models.Project: lambda obj: (obj.fund_id, obj.approval_date),
    models.StageChange: lambda obj: (obj.project.fund_id, obj.date),
    models.ProjectCommitmentChange: lambda obj: (obj.project.fund_id, obj.date),
    models.Tranche: lambda obj: (obj.project.fund_id, _tranche_since(obj)),
    models.TrancheCondition: lambda obj: (obj.tranche.project.fund_id, _tranche_since(obj.tranche)),
    models.Disbursement: lambda obj: (obj.project.fund_id, _disbursement_since(obj)),
    models.Receipt: lambda obj: (obj.project.fund_id, obj.date),
    models.Valuation: lambda obj: (obj.project.fund_id, obj.date),
}


def _request(sender, instance) -> None:
    try:
        fund_id, since = FUND_OF[sender](instance)
    except ObjectDoesNotExist:  # its parent went in the same cascade; the parent's own signal covers it
        return
    if fund_id is not None and since is not None:
        progress_refresh_request(fund_id=fund_id, since=since)


def _before_save(sender, instance, raw=False, **kwargs):
    # An edit may move the record to another date (or fund): the old place is stale too.
    if raw or instance._state.adding or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    if old is not None:
        _request(sender, old)


def _changed(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: fixtures are not changes
        return
    _request(sender, instance)


def connect() -> None:
    for model in FUND_OF:
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"progress-before-{model.__name__}")
        post_save.connect(_changed, sender=model, dispatch_uid=f"progress-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"progress-delete-{model.__name__}")
